//! The group-picture scene: layout geometry, pixel-exact composition, colour,
//! backgrounds, filters and effects. No models or photos needed.

// One module so that `cargo test scene` selects these tests too.
mod scene {
    use std::collections::BTreeSet;

    use huddle_vision::scene::harmonize::{gains, person_mean, target_colour};
    use huddle_vision::scene::*;
    use huddle_vision::{BBox, Rgba8Image, RgbaView};

    const CHARCOAL: [u8; 4] = [38, 40, 46, 255];
    const SIZES: [(u32, u32); 4] = [(640, 480), (1920, 1080), (480, 640), (101, 37)];

    fn keys(n: usize) -> Vec<MemberKey> {
        (0..n as u64).map(|i| MemberKey(100 + i)).collect()
    }

    fn solid(w: u32, h: u32, c: [u8; 4]) -> Rgba8Image {
        Rgba8Image::new(w, h, c.repeat((w * h) as usize)).unwrap()
    }

    /// A transparent `w × h` cut-out with an opaque `colour` rectangle `[x0, x1) × [y0, y1)`.
    fn cutout_with_rect(w: u32, h: u32, rect: [u32; 4], colour: [u8; 3]) -> Rgba8Image {
        let mut img = solid(w, h, [0, 0, 0, 0]);
        for y in rect[1]..rect[3] {
            for x in rect[0]..rect[2] {
                let i = ((y * w + x) * 4) as usize;
                img.data[i..i + 4].copy_from_slice(&[colour[0], colour[1], colour[2], 255]);
            }
        }
        img
    }

    fn px(img: &Rgba8Image, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * img.width + x) * 4) as usize;
        img.data[i..i + 4].try_into().unwrap()
    }

    fn compose(
        settings: &SceneSettings,
        members: &[MemberFrame<'_>],
        w: u32,
        h: u32,
    ) -> (Rgba8Image, ScenePlan) {
        let mut c = Compositor::new(Background::Preset(BackgroundPreset::Charcoal));
        let mut out = solid(w, h, [0, 0, 0, 0]);
        let plan = c.compose(settings, members, &mut out).unwrap();
        (out, plan)
    }

    fn view(img: &Rgba8Image) -> Option<RgbaView<'_>> {
        Some(img.as_view().unwrap())
    }

    // ------------------------------------------------------------------ layout

    #[test]
    fn every_member_count_gets_one_region_inside_the_canvas() {
        for (w, h) in SIZES {
            let canvas = Region::canvas(w, h);
            for n in 1..=8 {
                for mode in LayoutMode::ALL {
                    let l = Layout::new(mode, w, h, &keys(n), &[]).unwrap();
                    assert_eq!(l.slots.len(), n);
                    let got: Vec<MemberKey> = l.slots.iter().map(|s| s.key).collect();
                    assert_eq!(got, keys(n), "join order kept");
                    for s in &l.slots {
                        assert!(
                            canvas.contains_region(&s.region, 1e-3),
                            "{mode:?} {n} {s:?}"
                        );
                        assert!(s.region.w > 0.0 && s.region.h > 0.0);
                    }
                }
            }
        }
    }

    #[test]
    fn grid_cells_tile_the_canvas_exactly() {
        for (w, h) in SIZES {
            for n in 1..=8 {
                let l = Layout::new(LayoutMode::Grid, w, h, &keys(n), &[]).unwrap();
                let mut hits = vec![0u8; (w * h) as usize];
                for s in &l.slots {
                    let r = s.region;
                    assert_eq!(
                        [r.x, r.y, r.w, r.h].map(f32::fract),
                        [0.0; 4],
                        "whole pixels"
                    );
                    for y in r.y as u32..r.bottom() as u32 {
                        for x in r.x as u32..r.right() as u32 {
                            hits[(y * w + x) as usize] += 1;
                        }
                    }
                }
                assert!(hits.iter().all(|&c| c == 1), "{n} members on {w}x{h}");
                for (i, a) in l.slots.iter().enumerate() {
                    for b in &l.slots[i + 1..] {
                        assert_eq!(a.region.intersection(&b.region), None);
                    }
                }
                // Equal cells within a row, rows of equal height (±1 px from integer splits).
                let hs: Vec<f32> = l.slots.iter().map(|s| s.region.h).collect();
                let (lo, hi) = hs
                    .iter()
                    .fold((f32::MAX, 0.0f32), |(a, b), &v| (a.min(v), b.max(v)));
                assert!(hi - lo <= 1.0);
            }
        }
    }

    #[test]
    fn grid_reads_left_to_right_top_to_bottom() {
        let l = Layout::new(LayoutMode::Grid, 600, 400, &keys(5), &[]).unwrap();
        let r: Vec<Region> = l.slots.iter().map(|s| s.region).collect();
        assert_eq!(r[0], Region::new(0.0, 0.0, 200.0, 200.0));
        assert_eq!(r[2], Region::new(400.0, 0.0, 200.0, 200.0));
        assert_eq!(r[3], Region::new(0.0, 200.0, 300.0, 200.0));
        assert_eq!(r[4], Region::new(300.0, 200.0, 300.0, 200.0));
    }

    #[test]
    fn same_screen_two_members_share_the_middle_third() {
        let l = Layout::new(LayoutMode::SameScreen, 640, 480, &keys(2), &[]).unwrap();
        let (a, b) = (l.slots[0].region, l.slots[1].region);
        let third = 640.0 / 3.0;
        let close = |x: f32, y: f32| (x - y).abs() < 1e-3;
        assert!(close(a.x, 0.0) && close(a.w, 2.0 * third) && close(a.h, 480.0) && a.y == 0.0);
        assert!(close(b.x, third) && close(b.right(), 640.0) && close(b.h, 480.0));
        let shared = a.intersection(&b).unwrap();
        assert!(close(shared.x, third) && close(shared.w, third));
    }

    #[test]
    fn same_screen_regions_overlap_evenly() {
        for n in 1..=8 {
            let w = 900.0;
            let l = Layout::new(LayoutMode::SameScreen, 900, 300, &keys(n), &[]).unwrap();
            let slot = w / (n as f32 + 1.0);
            for (i, s) in l.slots.iter().enumerate() {
                assert!((s.region.w - 2.0 * slot).abs() < 1e-3);
                assert!((s.region.x - i as f32 * slot).abs() < 1e-3);
                assert_eq!(s.region.h, 300.0);
            }
            assert!((l.slots[n - 1].region.right() - w).abs() < 1e-3);
            for pair in l.slots.windows(2) {
                let o = pair[0].region.intersection(&pair[1].region).unwrap();
                assert!((o.w - slot).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn earlier_joiner_is_on_top_unless_reordered() {
        let k = keys(4);
        let l = Layout::new(LayoutMode::SameScreen, 640, 480, &k, &[]).unwrap();
        let zs: Vec<usize> = l.slots.iter().map(|s| s.z).collect();
        assert_eq!(zs, vec![0, 1, 2, 3]);
        let paint: Vec<MemberKey> = l.draw_order().iter().map(|s| s.key).collect();
        assert_eq!(paint, vec![k[3], k[2], k[1], k[0]], "creator painted last");

        let order = [k[2], k[0]];
        let l = Layout::new(LayoutMode::SameScreen, 640, 480, &k, &order).unwrap();
        let got: Vec<MemberKey> = l.slots.iter().map(|s| s.key).collect();
        assert_eq!(got, vec![k[2], k[0], k[1], k[3]]);
        assert_eq!(l.slot(k[2]).unwrap().z, 0);
        assert_eq!(l.slot(k[2]).unwrap().region.x, 0.0);
        assert_eq!(l.draw_order().last().unwrap().key, k[2]);
    }

    #[test]
    fn user_transform_drags_scales_and_mirrors_in_same_screen() {
        let region = Region::new(0.0, 0.0, 400.0, 480.0);
        let frame = (640, 480);
        let at =
            |t: MemberTransform, mode| place(mode, &region, (640, 480), frame, &t, None).unwrap();
        let id = at(MemberTransform::IDENTITY, LayoutMode::SameScreen);
        assert_eq!(id.scale, 1.0);
        assert_eq!(id.map([320.0, 480.0]), [200.0, 480.0]);

        let dragged = at(
            MemberTransform {
                offset: [0.1, -0.25],
                ..MemberTransform::IDENTITY
            },
            LayoutMode::SameScreen,
        );
        assert_eq!(dragged.map([320.0, 480.0]), [264.0, 360.0]);

        let scaled = at(
            MemberTransform {
                scale: 0.5,
                ..MemberTransform::IDENTITY
            },
            LayoutMode::SameScreen,
        );
        assert_eq!(scaled.scale, 0.5);
        assert_eq!(
            scaled.map([320.0, 480.0]),
            [200.0, 480.0],
            "bottom centre stays"
        );
        assert_eq!(scaled.map([0.0, 0.0]), [40.0, 240.0]);

        let mirrored = at(
            MemberTransform {
                mirror: true,
                ..MemberTransform::IDENTITY
            },
            LayoutMode::SameScreen,
        );
        assert_eq!(mirrored.map([0.0, 100.0]), id.map([640.0, 100.0]));
        assert_eq!(mirrored.bounds(), id.bounds());

        // Grid cells do not move; the mirror still applies.
        let grid = at(
            MemberTransform {
                offset: [0.3, 0.3],
                scale: 2.0,
                mirror: true,
            },
            LayoutMode::Grid,
        );
        assert_eq!(grid.bounds(), id.bounds());
        assert!(grid.mirror);
    }

    #[test]
    fn auto_arrange_equalises_heads_and_shares_a_floor() {
        let a = cutout_with_rect(640, 480, [0, 0, 1, 1], [1, 1, 1]);
        let input = |head, y1| ArrangeInput {
            head_size: head,
            person: BBox {
                x0: 200.0,
                y0: 100.0,
                x1: 400.0,
                y1,
            },
        };
        let mut m = vec![
            MemberFrame::new(MemberKey(1), view(&a)),
            MemberFrame::new(MemberKey(2), view(&a)),
        ];
        m[0].arrange = Some(input(60.0, 480.0));
        m[1].arrange = Some(input(30.0, 400.0));
        let settings = SceneSettings {
            mode: LayoutMode::SameScreen,
            auto_arrange: true,
            ..SceneSettings::default()
        };
        let plan = ScenePlan::new(&settings, &m, 960, 480, [0.0; 3]).unwrap();
        let p1 = plan.member(MemberKey(1)).unwrap().placement.unwrap();
        let p2 = plan.member(MemberKey(2)).unwrap().placement.unwrap();
        assert!(
            (60.0 * p1.scale - 30.0 * p2.scale).abs() < 1e-3,
            "same head size"
        );
        // Both person boxes end on the bottom edge, centred in their regions.
        let r2 = plan.member(MemberKey(2)).unwrap().slot.region;
        let foot2 = p2.map([300.0, 400.0]);
        assert!((foot2[1] - 480.0).abs() < 1e-3);
        assert!((foot2[0] - r2.center()[0]).abs() < 1e-3);
        assert!((p1.map([300.0, 480.0])[1] - 480.0).abs() < 1e-3);

        // Off: plain fit, same scale for both.
        let plain = ScenePlan::new(
            &SceneSettings {
                auto_arrange: false,
                ..settings
            },
            &m,
            960,
            480,
            [0.0; 3],
        )
        .unwrap();
        let s: Vec<f32> = plain
            .members
            .iter()
            .map(|m| m.placement.unwrap().scale)
            .collect();
        assert_eq!(s[0], s[1]);
    }

    // ------------------------------------------------------------------ composition

    #[test]
    fn an_opaque_rectangle_lands_on_exactly_the_expected_pixels() {
        // One member, grid: 100×100 cut-out on a 200×100 canvas at scale 1,
        // bottom-centred, so frame (x, y) lands on canvas (x + 50, y).
        let cut = cutout_with_rect(100, 100, [20, 30, 40, 70], [250, 10, 20]);
        let members = [MemberFrame::new(MemberKey(1), view(&cut))];
        let (out, plan) = compose(&SceneSettings::default(), &members, 200, 100);
        let p = plan.members[0].placement.unwrap();
        assert_eq!((p.scale, p.tx, p.ty), (1.0, 50.0, 0.0));
        for y in 0..100 {
            for x in 0..200 {
                let inside = (70..90).contains(&x) && (30..70).contains(&y);
                let want = if inside { [250, 10, 20, 255] } else { CHARCOAL };
                assert_eq!(px(&out, x, y), want, "({x}, {y})");
            }
        }
    }

    #[test]
    fn mirrored_cutout_is_flipped_about_its_centre() {
        let cut = cutout_with_rect(100, 100, [20, 30, 40, 70], [250, 10, 20]);
        let mut m = MemberFrame::new(MemberKey(1), view(&cut));
        m.transform.mirror = true;
        let (out, _) = compose(&SceneSettings::default(), &[m], 200, 100);
        for y in 0..100 {
            for x in 0..200 {
                // Frame x in [20, 40) → canvas 150 - x - 1, i.e. [110, 130).
                let inside = (110..130).contains(&x) && (30..70).contains(&y);
                let want = if inside { [250, 10, 20, 255] } else { CHARCOAL };
                assert_eq!(px(&out, x, y), want, "({x}, {y})");
            }
        }
    }

    #[test]
    fn upscaled_rectangle_is_exact_inside_and_leaves_the_rest() {
        // 50×50 frame in a 100-high cell: scale 2, tx = 100 - 50 = 50.
        let cut = cutout_with_rect(50, 50, [10, 15, 20, 35], [20, 200, 90]);
        let (out, plan) = compose(
            &SceneSettings::default(),
            &[MemberFrame::new(MemberKey(1), view(&cut))],
            200,
            100,
        );
        assert_eq!(plan.members[0].placement.unwrap().scale, 2.0);
        // Rectangle maps to canvas [70, 90) × [30, 70); bilinear touches one pixel
        // around its edge.
        for y in 0..100 {
            for x in 0..200 {
                let deep = (71..89).contains(&x) && (31..69).contains(&y);
                let near = (69..91).contains(&x) && (29..71).contains(&y);
                if deep {
                    assert_eq!(px(&out, x, y), [20, 200, 90, 255], "({x}, {y})");
                } else if !near {
                    assert_eq!(px(&out, x, y), CHARCOAL, "({x}, {y})");
                }
            }
        }
    }

    #[test]
    fn half_alpha_blends_and_transparent_pixels_leave_the_background() {
        let mut cut = solid(100, 100, [200, 100, 0, 0]);
        cut.data[(50 * 100 + 50) * 4 + 3] = 128;
        let (out, _) = compose(
            &SceneSettings::default(),
            &[MemberFrame::new(MemberKey(1), view(&cut))],
            200,
            100,
        );
        let a = 128.0 / 255.0;
        let want = [200.0, 100.0, 0.0]
            .iter()
            .zip(CHARCOAL)
            .map(|(c, b)| (c * a + f32::from(b) * (1.0 - a)).round() as u8)
            .collect::<Vec<_>>();
        assert_eq!(&px(&out, 100, 50)[..3], &want[..]);
        assert_eq!(px(&out, 99, 50), CHARCOAL);
        assert_eq!(px(&out, 101, 50), CHARCOAL);
    }

    #[test]
    fn earlier_joiner_covers_the_shared_third_until_reordered() {
        // Same-screen, 300×100: regions [0, 200) and [100, 300); 200×100 opaque
        // frames fill them exactly, so [100, 200) is shared.
        let (a, b) = (
            solid(200, 100, [255, 0, 0, 255]),
            solid(200, 100, [0, 0, 255, 255]),
        );
        let members = [
            MemberFrame::new(MemberKey(1), view(&a)),
            MemberFrame::new(MemberKey(2), view(&b)),
        ];
        let mut settings = SceneSettings {
            mode: LayoutMode::SameScreen,
            ..SceneSettings::default()
        };
        let (out, _) = compose(&settings, &members, 300, 100);
        assert_eq!(px(&out, 50, 50), [255, 0, 0, 255]);
        assert_eq!(px(&out, 150, 50), [255, 0, 0, 255], "creator on top");
        assert_eq!(px(&out, 250, 50), [0, 0, 255, 255]);

        settings.order = vec![MemberKey(2), MemberKey(1)];
        let (out, _) = compose(&settings, &members, 300, 100);
        assert_eq!(
            px(&out, 50, 50),
            [0, 0, 255, 255],
            "member 2 now on the left"
        );
        assert_eq!(px(&out, 150, 50), [0, 0, 255, 255], "and on top");
        assert_eq!(px(&out, 250, 50), [255, 0, 0, 255]);
    }

    #[test]
    fn grid_cells_clip_their_member_and_skip_members_without_camera() {
        let wide = solid(300, 100, [255, 255, 255, 255]);
        let members = [
            MemberFrame::new(MemberKey(1), view(&wide)),
            MemberFrame::new(MemberKey(2), None),
        ];
        let (out, plan) = compose(&SceneSettings::default(), &members, 200, 100);
        assert_eq!(px(&out, 99, 50), [255, 255, 255, 255]);
        assert_eq!(
            px(&out, 100, 50),
            CHARCOAL,
            "no bleeding into the next cell"
        );
        let placeholder = plan.member(MemberKey(2)).unwrap();
        assert_eq!(placeholder.placement, None);
        assert_eq!(
            placeholder.slot.region,
            Region::new(100.0, 0.0, 100.0, 100.0)
        );
    }

    #[test]
    fn bad_buffers_are_errors_not_panics() {
        let mut c = Compositor::default();
        let members = [MemberFrame::new(MemberKey(1), None)];
        let mut out = Rgba8Image {
            width: 10,
            height: 10,
            data: vec![0; 3],
        };
        assert!(c
            .compose(&SceneSettings::default(), &members, &mut out)
            .is_err());
        let mut out = solid(10, 10, [0; 4]);
        assert!(matches!(
            c.compose(&SceneSettings::default(), &[], &mut out),
            Err(SceneError::MemberCount { .. })
        ));
        let cut = solid(4, 4, [0; 4]);
        let p = Placement {
            src_w: 5,
            src_h: 4,
            scale: 1.0,
            mirror: false,
            tx: 0.0,
            ty: 0.0,
            clip: Region::canvas(10, 10),
        };
        let err = draw_cutout(
            &mut out,
            cut.as_view().unwrap(),
            &p,
            [1.0; 3],
            &mut DrawScratch::default(),
        );
        assert!(matches!(err, Err(SceneError::BadImage(_))));
    }

    #[test]
    fn compositor_caches_backgrounds_per_size_and_follows_changes() {
        let cut = cutout_with_rect(40, 40, [10, 10, 30, 40], [200, 40, 40]);
        let members = [MemberFrame::new(MemberKey(1), view(&cut))];
        let settings = SceneSettings::default();
        let fresh = |bg: BackgroundPreset, w: u32, h: u32| {
            let mut c = Compositor::new(Background::Preset(bg));
            let mut out = solid(w, h, [0; 4]);
            c.compose(&settings, &members, &mut out).unwrap();
            out
        };
        let mut c = Compositor::new(Background::Preset(BackgroundPreset::Sunset));
        let (mut small, mut big) = (solid(64, 48, [0; 4]), solid(128, 96, [0; 4]));
        for _ in 0..2 {
            c.compose(&settings, &members, &mut small).unwrap();
            c.compose(&settings, &members, &mut big).unwrap();
            assert_eq!(small, fresh(BackgroundPreset::Sunset, 64, 48));
            assert_eq!(big, fresh(BackgroundPreset::Sunset, 128, 96));
        }
        c.set_background(Background::Preset(BackgroundPreset::Beach));
        c.compose(&settings, &members, &mut small).unwrap();
        assert_eq!(small, fresh(BackgroundPreset::Beach, 64, 48));
    }

    // ------------------------------------------------------------------ colour

    fn blue_dark_person() -> Rgba8Image {
        cutout_with_rect(64, 64, [8, 8, 56, 64], [50, 60, 105])
    }

    fn luma(c: [f32; 3]) -> f32 {
        0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]
    }

    #[test]
    fn harmonisation_brightens_and_warms_a_dark_blue_cutout_on_a_warm_scene() {
        let person = blue_dark_person();
        let mean = person_mean(person.as_view().unwrap()).unwrap();
        let warm_scene = [225.0, 170.0, 115.0];
        let target = target_colour(warm_scene, &[mean]);
        let g = gains(mean, target, 0.6);
        let after = [mean[0] * g[0], mean[1] * g[1], mean[2] * g[2]];
        assert!(luma(after) > luma(mean) + 10.0, "{mean:?} -> {after:?}");
        assert!(after[0] / after[2] > mean[0] / mean[2] * 1.1, "warmer");
        for c in 0..3 {
            let (lo, hi) = (mean[c].min(target[c]), mean[c].max(target[c]));
            assert!(
                after[c] >= lo - 1e-3 && after[c] <= hi + 1e-3,
                "no overshoot in {c}"
            );
        }
        // Full strength goes further, still without overshooting.
        let full = gains(mean, target, 1.0);
        for c in 0..3 {
            let moved = (mean[c] * full[c] - mean[c]).abs();
            assert!(moved >= (after[c] - mean[c]).abs() - 1e-3);
            assert!(moved <= (target[c] - mean[c]).abs() + 1e-3);
        }
    }

    #[test]
    fn harmonisation_in_the_compositor_pulls_members_together() {
        let dark = blue_dark_person();
        let bright = cutout_with_rect(64, 64, [8, 8, 56, 64], [230, 180, 150]);
        let members = [
            MemberFrame::new(MemberKey(1), view(&dark)),
            MemberFrame::new(MemberKey(2), view(&bright)),
        ];
        let sample = |h: bool| {
            let settings = SceneSettings {
                harmonize: h,
                ..SceneSettings::default()
            };
            let (out, plan) = compose(&settings, &members, 256, 128);
            let at = |k: u64| {
                let p = plan.member(MemberKey(k)).unwrap().placement.unwrap();
                let c = p.map([32.0, 40.0]);
                let v = px(&out, c[0] as u32, c[1] as u32);
                [f32::from(v[0]), f32::from(v[1]), f32::from(v[2])]
            };
            (at(1), at(2), plan)
        };
        let (d0, b0, plan_off) = sample(false);
        let (d1, b1, plan_on) = sample(true);
        assert_eq!(d0, [50.0, 60.0, 105.0]);
        assert!(plan_off.members.iter().all(|m| m.gains == [1.0; 3]));
        assert!(plan_on.members.iter().all(|m| m.gains != [1.0; 3]));
        let dist = |a: [f32; 3], b: [f32; 3]| (0..3).map(|c| (a[c] - b[c]).abs()).sum::<f32>();
        assert!(dist(d1, b1) < 0.6 * dist(d0, b0), "{d1:?} {b1:?}");
        assert!(luma(d1) > luma(d0) && luma(b1) < luma(b0));
    }

    fn test_pattern() -> Rgba8Image {
        let mut d = Vec::new();
        for y in 0..32u32 {
            for x in 0..32u32 {
                d.extend_from_slice(&[(x * 8) as u8, (y * 8) as u8, ((x + y) * 4) as u8, 255]);
            }
        }
        Rgba8Image::new(32, 32, d).unwrap()
    }

    fn channel_sums(img: &Rgba8Image) -> [f64; 3] {
        let mut s = [0.0; 3];
        for p in img.data.chunks_exact(4) {
            for c in 0..3 {
                s[c] += f64::from(p[c]);
            }
        }
        s
    }

    #[test]
    fn filters_do_what_their_names_say() {
        let base = test_pattern();
        let run = |p: FilterPreset| {
            let mut img = base.clone();
            FilterLut::new(p).apply_image(&mut img).unwrap();
            img
        };
        assert_eq!(run(FilterPreset::None), base);
        for p in [FilterPreset::Mono, FilterPreset::Noir] {
            assert!(
                run(p)
                    .data
                    .chunks_exact(4)
                    .all(|q| q[0] == q[1] && q[1] == q[2]),
                "{p:?}"
            );
        }
        let rb = |img: &Rgba8Image| {
            let s = channel_sums(img);
            s[0] / s[2]
        };
        assert!(rb(&run(FilterPreset::Warm)) > rb(&base) * 1.05);
        assert!(rb(&run(FilterPreset::Cool)) < rb(&base) * 0.95);
        // Vivid spreads the channels apart, fade lifts the blacks.
        let spread = |img: &Rgba8Image| {
            img.data
                .chunks_exact(4)
                .map(|q| {
                    i32::from(*q[..3].iter().max().unwrap())
                        - i32::from(*q[..3].iter().min().unwrap())
                })
                .sum::<i32>()
        };
        assert!(spread(&run(FilterPreset::Vivid)) > spread(&base));
        let min = |img: &Rgba8Image| img.data.chunks_exact(4).map(|q| q[0]).min().unwrap();
        assert!(min(&run(FilterPreset::Fade)) > 20);
        // All distinct.
        let outs: Vec<Rgba8Image> = FilterPreset::ALL.iter().map(|&p| run(p)).collect();
        for i in 0..outs.len() {
            for j in i + 1..outs.len() {
                assert_ne!(
                    outs[i],
                    outs[j],
                    "{:?} vs {:?}",
                    FilterPreset::ALL[i],
                    FilterPreset::ALL[j]
                );
            }
        }
    }

    #[test]
    fn compositor_applies_the_filter_to_the_whole_picture() {
        let settings = SceneSettings {
            filter: FilterPreset::Mono,
            ..SceneSettings::default()
        };
        let cut = cutout_with_rect(100, 100, [0, 0, 100, 100], [250, 10, 20]);
        let (out, _) = compose(
            &settings,
            &[MemberFrame::new(MemberKey(1), view(&cut))],
            200,
            100,
        );
        assert!(out
            .data
            .chunks_exact(4)
            .all(|q| q[0] == q[1] && q[1] == q[2]));
    }

    // ------------------------------------------------------------------ backgrounds

    #[test]
    fn backgrounds_are_deterministic_distinct_and_opaque() {
        let mut seen: Vec<Rgba8Image> = Vec::new();
        for p in BackgroundPreset::ALL {
            let bg = Background::Preset(p);
            let a = bg.render(96, 64).unwrap();
            assert_eq!(a, bg.render(96, 64).unwrap(), "{p:?} deterministic");
            assert!(a.data.chunks_exact(4).all(|q| q[3] == 255));
            for s in &seen {
                assert_ne!(&a, s, "{p:?} distinct");
            }
            seen.push(a);
            // Any size.
            assert_eq!(bg.render(1, 1).unwrap().data.len(), 4);
            assert_eq!(bg.render(333, 17).unwrap().data.len(), 333 * 17 * 4);
        }
        assert!(Background::default().render(0, 10).is_err());
    }

    #[test]
    fn procedural_scenes_look_like_their_names() {
        let sunset = Background::Preset(BackgroundPreset::Sunset)
            .render(160, 120)
            .unwrap();
        let top = px(&sunset, 5, 2);
        let sun = px(&sunset, 80, 60);
        assert!(
            top[2] > top[0].saturating_sub(40) && sun[0] > 230,
            "{top:?} {sun:?}"
        );
        let beach = Background::Preset(BackgroundPreset::Beach)
            .render(160, 120)
            .unwrap();
        let (sky, sand) = (px(&beach, 10, 50), px(&beach, 10, 115));
        assert!(sky[2] > sky[0], "blue sky {sky:?}");
        assert!(sand[0] > sand[2], "warm sand {sand:?}");
        // The studio vignette darkens the corners.
        let studio = Background::Preset(BackgroundPreset::Studio)
            .render(160, 120)
            .unwrap();
        assert!(px(&studio, 0, 0)[1] < px(&studio, 80, 50)[1]);
    }

    // ------------------------------------------------------------------ effects

    #[test]
    fn effect_ranges_select_members() {
        let (a, b, c) = (MemberKey(1), MemberKey(2), MemberKey(3));
        let all = EffectRange::AllMembers;
        let some = EffectRange::Selected(BTreeSet::from([a, c]));
        let me = EffectRange::OnlyMe(b);
        assert!([a, b, c].iter().all(|&m| applies_to(&all, m)));
        assert_eq!([a, b, c].map(|m| applies_to(&some, m)), [true, false, true]);
        assert_eq!([a, b, c].map(|m| applies_to(&me, m)), [false, true, false]);
        assert!(!applies_to(&EffectRange::Selected(BTreeSet::new()), a));
    }

    fn placement(scale: f32, mirror: bool) -> Placement {
        Placement {
            src_w: 640,
            src_h: 480,
            scale,
            mirror,
            tx: if mirror { 700.0 } else { 50.0 },
            ty: 10.0,
            clip: Region::canvas(1000, 1000),
        }
    }

    #[test]
    fn effects_follow_the_head() {
        let head = HeadGeometry::from_eyes([300.0, 200.0], [340.0, 200.0]);
        let p = placement(1.0, false);
        let g = place_effect(Effect::Glasses, &head, &p).unwrap();
        assert!(
            (g.center[0] - 370.0).abs() < 1e-3,
            "between the eyes: {g:?}"
        );
        assert!((g.center[1] - 210.0).abs() < 2.0);
        assert_eq!(g.rotation, 0.0);
        let crown = place_effect(Effect::Crown, &head, &p).unwrap();
        assert!(crown.center[1] < 210.0 - 40.0 * 1.8, "above the head");
        assert!((crown.width - 40.0 * Effect::Crown.anchor().width).abs() < 1e-3);

        // Moving the head moves the effect by the same canvas amount.
        let moved = HeadGeometry::from_eyes([330.0, 150.0], [370.0, 150.0]);
        let c2 = place_effect(Effect::Crown, &moved, &p).unwrap();
        assert!((c2.center[0] - crown.center[0] - 30.0).abs() < 1e-3);
        assert!((c2.center[1] - crown.center[1] + 50.0).abs() < 1e-3);

        // Scaling the member scales the effect.
        let big = place_effect(Effect::Crown, &head, &placement(2.0, false)).unwrap();
        assert!((big.width - 2.0 * crown.width).abs() < 1e-3);

        // A tilted head tilts the effect, and the crown moves off the vertical with it.
        let tilted = HeadGeometry::from_eyes([300.0, 200.0], [300.0 + 40.0 * 0.866, 220.0]);
        let t = place_effect(Effect::Crown, &tilted, &p).unwrap();
        assert!((t.rotation.to_degrees() - 30.0).abs() < 0.1);
        let mid = p.map([300.0 + 20.0 * 0.866, 210.0]);
        assert!(
            t.center[0] > mid[0] + 20.0,
            "crown tips the way the head leans: {t:?}"
        );

        // Mirroring flips the tilt and keeps the effect upright.
        let m = place_effect(Effect::Crown, &tilted, &placement(1.0, true)).unwrap();
        assert!((m.rotation + t.rotation).abs() < 1e-4);
        assert!(m.center[1] < p.map([0.0, 210.0])[1] - 40.0);

        assert!(place_effect(
            Effect::Crown,
            &HeadGeometry::from_eyes([1.0, 1.0], [1.0, 1.0]),
            &p
        )
        .is_none());
    }

    #[test]
    fn head_from_a_face_box_matches_its_roll() {
        let b = BBox {
            x0: 100.0,
            y0: 100.0,
            x1: 200.0,
            y1: 220.0,
        };
        let h = HeadGeometry::from_face_box(&b, 20.0);
        let v = [h.eyes[1][0] - h.eyes[0][0], h.eyes[1][1] - h.eyes[0][1]];
        assert!((v[1].atan2(v[0]).to_degrees() - 20.0).abs() < 1e-3);
        assert!((v[0].hypot(v[1]) - 42.0).abs() < 1e-3);
        assert!((h.eye_distance() - 42.0).abs() < 1e-3);
    }

    #[test]
    fn sprites_render_for_every_effect_and_draw_where_placed() {
        let mut seen: Vec<Rgba8Image> = Vec::new();
        for e in Effect::ALL {
            let s = render_sprite(e, 128);
            assert_eq!(s.width, 128);
            assert_eq!(s.height, (128.0 * e.aspect()).round() as u32);
            s.validate().unwrap();
            let opaque = s.data.chunks_exact(4).filter(|p| p[3] > 200).count();
            let clear = s.data.chunks_exact(4).filter(|p| p[3] == 0).count();
            let n = (s.width * s.height) as usize;
            assert!(
                opaque > n / 50 && clear > n / 10,
                "{e:?}: {opaque} opaque, {clear} clear"
            );
            assert!(!seen.contains(&s), "{e:?} distinct");
            assert_eq!(s, render_sprite(e, 128), "{e:?} deterministic");
            seen.push(s);
        }

        let sprite = render_sprite(Effect::Crown, 64);
        let mut canvas = solid(200, 200, CHARCOAL);
        let at = EffectPlacement {
            center: [100.0, 60.0],
            width: 80.0,
            height: 48.0,
            rotation: 0.3,
        };
        draw_sprite(&mut canvas, &sprite, &at).unwrap();
        let changed: Vec<(u32, u32)> = (0..200)
            .flat_map(|y| (0..200).map(move |x| (x, y)))
            .filter(|&(x, y)| px(&canvas, x, y) != CHARCOAL)
            .collect();
        assert!(changed.len() > 500);
        assert!(changed.iter().all(|&(x, y)| {
            let (dx, dy) = (x as f32 - 100.0, y as f32 - 60.0);
            dx.hypot(dy) < 48.0
        }));
        let bad = EffectPlacement {
            width: f32::NAN,
            ..at
        };
        assert!(draw_sprite(&mut canvas, &sprite, &bad).is_err());
    }
}
