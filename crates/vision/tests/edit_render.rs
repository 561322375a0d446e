//! The photo editor's renderer (huddle_vision::edit): known elements land on
//! known pixels, erasers only erase ink below them, crops and turns map points
//! where the view says, and the small view agrees with the full export.

mod common;

use huddle_vision::edit::{
    element_corners, export_size, hit_test, photo_to_view, render_edit, sticker_icon,
    view_to_photo, Element, ElementKind, FontFace, Fonts, PhotoFrame, Placement, StickerPreset,
};
use huddle_vision::Rgba8Image;

const GREY: [u8; 4] = [128, 128, 128, 255];
const RED: [u8; 4] = [230, 20, 20, 255];

fn fonts() -> Fonts {
    common::bundled_fonts()
}

fn flat(w: u32, h: u32, c: [u8; 4]) -> Rgba8Image {
    Rgba8Image::new(w, h, c.repeat((w * h) as usize)).expect("photo")
}

fn px(img: &Rgba8Image, x: u32, y: u32) -> [u8; 4] {
    let i = ((y * img.width + x) * 4) as usize;
    [
        img.data[i],
        img.data[i + 1],
        img.data[i + 2],
        img.data[i + 3],
    ]
}

fn at(x: f32, y: f32) -> Placement {
    Placement {
        x,
        y,
        scale: 1.0,
        rotation: 0.0,
    }
}

/// A straight stroke between two points given in photo shares.
fn line(
    a: [f32; 2],
    b: [f32; 2],
    aspect: f32,
    colour: [u8; 4],
    width: f32,
    eraser: bool,
) -> Element {
    let mid = [(a[0] + b[0]) * 0.5, (a[1] + b[1]) * 0.5];
    let off = |p: [f32; 2]| [(p[0] - mid[0]) * aspect, p[1] - mid[1]];
    Element {
        kind: ElementKind::Stroke {
            points: vec![off(a), off(b)],
            colour,
            width,
            eraser,
        },
        placement: at(mid[0], mid[1]),
    }
}

fn sticker(preset: StickerPreset, x: f32, y: f32, size: f32) -> Element {
    Element {
        kind: ElementKind::Sticker { preset, size },
        placement: at(x, y),
    }
}

fn is_red(p: [u8; 4]) -> bool {
    p[0] > 200 && p[1] < 60 && p[2] < 60
}

#[test]
fn export_renders_a_stroke_to_known_pixels() {
    let photo = flat(640, 360, GREY);
    let aspect = 640.0 / 360.0;
    let red = line([0.2, 0.5], [0.8, 0.5], aspect, RED, 0.02, false);
    let out = render_edit(&photo, &PhotoFrame::default(), &[red], &fonts(), 640);
    assert_eq!((out.width, out.height), (640, 360));
    for x in [140, 200, 320, 450, 500] {
        assert_eq!(px(&out, x, 180), RED, "on the line at x {x}");
        assert_eq!(px(&out, x, 160), GREY, "20 px above the line at x {x}");
        assert_eq!(px(&out, x, 200), GREY, "20 px below the line at x {x}");
    }
    // Round caps: the line ends half its width past its end points.
    assert!(is_red(px(&out, 126, 180)));
    assert_eq!(px(&out, 100, 180), GREY);
    assert_eq!(px(&out, 540, 180), GREY);
    // Anti-aliased: the edge rows are in between.
    let edge = px(&out, 320, 183);
    assert!(edge != GREY && edge != RED, "edge {edge:?}");
}

#[test]
fn erasers_only_erase_ink_below_them() {
    let photo = flat(640, 360, GREY);
    let aspect = 640.0 / 360.0;
    let red = line([0.2, 0.5], [0.8, 0.5], aspect, RED, 0.02, false);
    let eraser = line([0.5, 0.3], [0.5, 0.7], aspect, [0, 0, 0, 255], 0.1, true);
    let fonts = fonts();
    let above = render_edit(
        &photo,
        &PhotoFrame::default(),
        &[red.clone(), eraser.clone()],
        &fonts,
        640,
    );
    assert_eq!(
        px(&above, 320, 180),
        GREY,
        "the middle is erased to the photo"
    );
    assert_eq!(px(&above, 200, 180), RED, "the rest of the line stays");
    assert_eq!(
        px(&above, 320, 130),
        GREY,
        "the eraser paints nothing itself"
    );
    let below = render_edit(
        &photo,
        &PhotoFrame::default(),
        &[eraser.clone(), red.clone()],
        &fonts,
        640,
    );
    assert_eq!(
        px(&below, 320, 180),
        RED,
        "ink drawn after the eraser stays"
    );
    // A sticker between the line and the eraser is not erased, and still covers the line.
    let star = sticker(StickerPreset::Star, 0.5, 0.5, 0.2);
    let with_star = render_edit(
        &photo,
        &PhotoFrame::default(),
        &[red.clone(), star.clone(), eraser.clone()],
        &fonts,
        640,
    );
    let no_eraser = render_edit(&photo, &PhotoFrame::default(), &[red, star], &fonts, 640);
    for (x, y) in [(320, 180), (320, 170), (315, 190)] {
        assert_eq!(
            px(&with_star, x, y),
            px(&no_eraser, x, y),
            "star at {x},{y}"
        );
    }
}

#[test]
fn a_star_lands_centred_where_placed() {
    let photo = flat(640, 360, [40, 40, 60, 255]);
    let size = 0.3;
    let out = render_edit(
        &photo,
        &PhotoFrame::default(),
        &[sticker(StickerPreset::Star, 0.75, 0.5, size)],
        &fonts(),
        640,
    );
    let (mut n, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for y in 0..360 {
        for x in 0..640 {
            let p = px(&out, x, y);
            if p[0] > 200 && p[1] > 150 && p[2] < 120 {
                n += 1.0;
                sx += x as f32 + 0.5;
                sy += y as f32 + 0.5;
            }
        }
    }
    assert!(n > 1000.0, "{n} yellow pixels");
    let (cx, cy) = (sx / n, sy / n);
    assert!((cx - 480.0).abs() < 2.0, "x centroid {cx}");
    // The star's artwork sits 4 % of its height below the sprite's middle
    // (room for the top point), and its orange bottom does not count as yellow.
    let art = 0.04 * size * 360.0;
    assert!((cy - 180.0).abs() < 2.0 + art, "y centroid {cy}");
    // Sized by the photo's height: the star's points span 85 % of the sticker.
    let rows = (0..360)
        .filter(|&y| (0..640).any(|x| px(&out, x, y) != [40, 40, 60, 255]))
        .count() as f32;
    let share = rows / (size * 360.0);
    assert!((0.8..=1.0).contains(&share), "{rows} rows");
}

/// Whether `p` is inside the convex quad `q` (pixels), or within `tol` of it.
fn inside(q: &[[f32; 2]; 4], p: [f32; 2], tol: f32) -> bool {
    (0..4).all(|i| {
        let (a, b) = (q[i], q[(i + 1) % 4]);
        let (ex, ey) = (b[0] - a[0], b[1] - a[1]);
        let len = ex.hypot(ey);
        // Corners go clockwise on screen (y down): inside is to the right.
        let cross = ex * (p[1] - a[1]) - ey * (p[0] - a[0]);
        cross / len >= -tol
    })
}

#[test]
fn text_pixels_fall_inside_its_corners() {
    let photo = flat(640, 360, GREY);
    let fonts = fonts();
    for (font, rotation, outline) in [
        (FontFace::Sans, 0.0, None),
        (FontFace::Serif, 0.4, Some([0, 0, 0, 255])),
        (FontFace::Mono, -2.0, Some([255, 255, 255, 255])),
    ] {
        let e = Element {
            kind: ElementKind::Text {
                content: "Hug jy!\nÅgé".into(),
                font,
                size: 0.12,
                colour: [20, 40, 230, 255],
                outline,
            },
            placement: Placement {
                x: 0.45,
                y: 0.55,
                scale: 1.2,
                rotation,
            },
        };
        let out = render_edit(
            &photo,
            &PhotoFrame::default(),
            std::slice::from_ref(&e),
            &fonts,
            640,
        );
        let corners = element_corners(&e, 640, 360, &fonts).map(|[x, y]| [x * 640.0, y * 360.0]);
        let mut changed = 0;
        let mut blue = 0;
        for y in 0..360 {
            for x in 0..640 {
                let p = px(&out, x, y);
                if p != GREY {
                    changed += 1;
                    assert!(
                        inside(&corners, [x as f32 + 0.5, y as f32 + 0.5], 1.0),
                        "{font:?}: pixel {x},{y} outside {corners:?}"
                    );
                }
                blue += usize::from(p[2] > 200 && p[0] < 60);
            }
        }
        assert!(blue > 800, "{font:?}: {blue} fill pixels");
        // The box is snug: the ink covers a fair share of it.
        let area = {
            let [a, b, _, d] = corners;
            (b[0] - a[0]).hypot(b[1] - a[1]) * (d[0] - a[0]).hypot(d[1] - a[1])
        };
        assert!(changed as f32 > 0.2 * area, "{font:?}: {changed} of {area}");
    }
}

#[test]
fn an_outline_surrounds_the_fill() {
    let photo = flat(640, 360, GREY);
    let e = Element {
        kind: ElementKind::Text {
            content: "I".into(),
            font: FontFace::Sans,
            size: 0.5,
            colour: [255, 255, 255, 255],
            outline: Some([0, 0, 0, 255]),
        },
        placement: at(0.5, 0.5),
    };
    let out = render_edit(&photo, &PhotoFrame::default(), &[e], &fonts(), 640);
    // Walk right from the middle of the I: white, then black (about 8 % of 180 px), then grey.
    let row: Vec<[u8; 4]> = (320..400).map(|x| px(&out, x, 180)).collect();
    let white = row.iter().take_while(|p| p[0] > 240).count();
    let black = row[white..]
        .iter()
        .skip_while(|p| p[0] > 20)
        .take_while(|p| p[0] <= 20)
        .count();
    assert!(white > 5, "{white} white");
    assert!(
        (11..=17).contains(&black),
        "{black} black pixels of outline"
    );
    assert_eq!(px(&out, 395, 180), GREY);
}

#[test]
fn crops_and_turns_map_points_where_the_view_shows_them() {
    let photo = flat(640, 360, GREY);
    let fonts = fonts();
    let target = [0.3, 0.4];
    let dot = Element {
        kind: ElementKind::Stroke {
            points: vec![[0.0, 0.0]],
            colour: RED,
            width: 0.04,
            eraser: false,
        },
        placement: at(target[0], target[1]),
    };
    let crop = [0.1, 0.2, 0.7, 0.9];
    for turns in 0..4u8 {
        let frame = PhotoFrame {
            crop,
            quarter_turns: turns,
        };
        let (w, h) = export_size(640, 360, &frame);
        let expect = if turns % 2 == 0 {
            (384, 252)
        } else {
            (252, 384)
        };
        assert_eq!((w, h), expect, "turns {turns}");
        for p in [[0.0, 0.0], [0.25, 0.75], [1.0, 1.0]] {
            let q = photo_to_view(&frame, view_to_photo(&frame, p));
            assert!((q[0] - p[0]).abs() < 1e-5 && (q[1] - p[1]).abs() < 1e-5);
        }
        // The crop's top-left corner is where the view's top-left is, before turning.
        let corner = photo_to_view(&frame, [0.1, 0.2]);
        let expected_corner = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]][turns as usize];
        assert_eq!(corner, expected_corner, "turns {turns}");

        let out = render_edit(&photo, &frame, std::slice::from_ref(&dot), &fonts, w);
        assert_eq!((out.width, out.height), (w, h));
        let (mut n, mut sx, mut sy) = (0.0, 0.0, 0.0);
        for y in 0..h {
            for x in 0..w {
                if is_red(px(&out, x, y)) {
                    n += 1.0;
                    sx += x as f32 + 0.5;
                    sy += y as f32 + 0.5;
                }
            }
        }
        assert!(n > 50.0, "turns {turns}: {n} marker pixels");
        let v = photo_to_view(&frame, target);
        let (ex, ey) = (v[0] * w as f32, v[1] * h as f32);
        assert!(
            (sx / n - ex).abs() < 1.0 && (sy / n - ey).abs() < 1.0,
            "turns {turns}: marker at {},{} expected {ex},{ey}",
            sx / n,
            sy / n
        );
    }
}

#[test]
fn hit_test_picks_the_topmost() {
    let fonts = fonts();
    let aspect = 640.0 / 360.0;
    let elements = vec![
        line([0.1, 0.2], [0.9, 0.2], aspect, RED, 0.02, false),
        sticker(StickerPreset::Heart, 0.4, 0.5, 0.3),
        sticker(StickerPreset::Cloud, 0.55, 0.5, 0.3),
        // An eraser over the line: never picked, the line under it is.
        line([0.3, 0.1], [0.3, 0.3], aspect, [0, 0, 0, 255], 0.1, true),
        Element {
            kind: ElementKind::Text {
                content: "hi".into(),
                font: FontFace::Sans,
                size: 0.1,
                colour: RED,
                outline: None,
            },
            placement: at(0.2, 0.8),
        },
    ];
    let hit = |p: [f32; 2], slop: f32| hit_test(&elements, 640, 360, &fonts, p, slop);
    assert_eq!(
        hit([0.5, 0.5], 0.0),
        Some(2),
        "the cloud is on top of the heart"
    );
    assert_eq!(
        hit([0.35, 0.5], 0.0),
        Some(1),
        "only the heart reaches there"
    );
    assert_eq!(hit([0.3, 0.2], 0.0), Some(0), "the eraser is skipped");
    assert_eq!(
        hit([0.6, 0.205], 0.0),
        Some(0),
        "within half the line's width"
    );
    assert_eq!(hit([0.6, 0.24], 0.0), None, "off the line");
    assert_eq!(hit([0.6, 0.24], 0.04), Some(0), "within the slop");
    assert_eq!(hit([0.2, 0.8], 0.0), Some(4));
    assert_eq!(hit([0.95, 0.95], 0.0), None);
    assert_eq!(hit([f32::NAN, 0.5], 0.0), None);
}

#[test]
fn rotated_stickers_hit_and_box_by_their_turned_outline() {
    let fonts = fonts();
    let mut cloud = sticker(StickerPreset::Cloud, 0.5, 0.5, 0.2);
    cloud.placement.rotation = std::f32::consts::FRAC_PI_2;
    // A 1.6:1 cloud turned a quarter is tall: 0.32 photo heights tall, 0.2 wide.
    let c = element_corners(&cloud, 360, 360, &fonts);
    let ys: Vec<f32> = c.iter().map(|p| p[1]).collect();
    let span =
        ys.iter().cloned().fold(f32::MIN, f32::max) - ys.iter().cloned().fold(f32::MAX, f32::min);
    assert!((span - 0.32).abs() < 1e-4, "{span}");
    let hit = |p| hit_test(std::slice::from_ref(&cloud), 360, 360, &fonts, p, 0.0);
    assert_eq!(hit([0.5, 0.65]), Some(0));
    assert_eq!(hit([0.65, 0.5]), None);
}

#[test]
fn nonsense_numbers_do_not_panic() {
    let fonts = fonts();
    let photo = flat(64, 48, GREY);
    let weird = [f32::NAN, f32::INFINITY, -f32::INFINITY, 1e30, -1e30, 0.0];
    let mut elements = Vec::new();
    for &v in &weird {
        let placement = Placement {
            x: v,
            y: 0.5,
            scale: v,
            rotation: v,
        };
        elements.push(Element {
            kind: ElementKind::Stroke {
                points: vec![[v, v], [0.1, v], [0.0, 0.0], [v, 0.2]],
                colour: RED,
                width: v,
                eraser: false,
            },
            placement,
        });
        elements.push(Element {
            kind: ElementKind::Stroke {
                points: vec![[0.0, 0.0], [0.1, 0.1]],
                colour: RED,
                width: 0.01,
                eraser: v.is_nan(),
            },
            placement: Placement {
                x: 0.5,
                ..placement
            },
        });
        elements.push(Element {
            kind: ElementKind::Sticker {
                preset: StickerPreset::Crown,
                size: v,
            },
            placement: Placement {
                x: 0.5,
                y: v,
                scale: 1.0,
                rotation: v,
            },
        });
        for content in ["", "\n\n", "\u{0}\u{7}x", "🙂 ok"] {
            elements.push(Element {
                kind: ElementKind::Text {
                    content: content.into(),
                    font: FontFace::Serif,
                    size: v,
                    colour: RED,
                    outline: Some(GREY),
                },
                placement: Placement {
                    x: 0.5,
                    y: 0.5,
                    scale: 1.0,
                    rotation: v,
                },
            });
        }
    }
    elements.push(Element {
        kind: ElementKind::Stroke {
            points: vec![],
            colour: RED,
            width: 0.1,
            eraser: false,
        },
        placement: at(0.5, 0.5),
    });
    elements.push(Element {
        kind: ElementKind::Text {
            content: "big".into(),
            font: FontFace::Sans,
            size: 1e6,
            colour: RED,
            outline: Some(GREY),
        },
        placement: at(0.5, 0.5),
    });
    let frames = [
        PhotoFrame::default(),
        PhotoFrame {
            crop: [0.9, 0.9, 0.1, 0.1],
            quarter_turns: 255,
        },
        PhotoFrame {
            crop: [f32::NAN, -5.0, 1e30, 0.0],
            quarter_turns: 1,
        },
        PhotoFrame {
            crop: [0.5, 0.5, 0.5001, 0.5001],
            quarter_turns: 2,
        },
    ];
    for frame in &frames {
        let (w, h) = export_size(64, 48, frame);
        assert!(w >= 1 && h >= 1);
        for out_w in [0, 1, 7, 64] {
            let out = render_edit(&photo, frame, &elements, &fonts, out_w);
            assert!(out.validate().is_ok());
        }
        let p = view_to_photo(frame, [0.5, 0.5]);
        assert!(p.iter().all(|v| v.is_finite()));
    }
    for e in &elements {
        let c = element_corners(e, 64, 48, &fonts);
        assert!(c.iter().flatten().all(|v| v.is_finite()), "{e:?}");
    }
    for p in [[0.5, 0.5], [f32::NAN, 0.1], [1e30, -1e30]] {
        let _ = hit_test(&elements, 64, 48, &fonts, p, f32::NAN);
    }
    // A photo whose buffer does not match its size renders, transparent.
    let broken = Rgba8Image {
        width: 10,
        height: 10,
        data: vec![1, 2, 3],
    };
    let out = render_edit(&broken, &PhotoFrame::default(), &elements, &fonts, 10);
    assert_eq!((out.width, out.height), (10, 10));
    assert!(
        render_edit(&flat(1, 1, GREY), &PhotoFrame::default(), &[], &fonts, 0)
            .validate()
            .is_ok()
    );
}

/// A smooth test photo: gradients, no detail finer than the small view shows.
fn gradient(w: u32, h: u32) -> Rgba8Image {
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let (u, v) = (x as f32 / w as f32, y as f32 / h as f32);
            data.extend_from_slice(&[
                (40.0 + 180.0 * u) as u8,
                (60.0 + 120.0 * v) as u8,
                (200.0 - 120.0 * u * v) as u8,
                255,
            ]);
        }
    }
    Rgba8Image::new(w, h, data).expect("photo")
}

/// Area-average downscale (each output pixel the mean of the source it covers).
fn shrink(img: &Rgba8Image, w: u32, h: u32) -> Rgba8Image {
    let taps = |n_out: u32, n_in: u32| -> Vec<Vec<(usize, f32)>> {
        let k = n_in as f32 / n_out as f32;
        (0..n_out)
            .map(|i| {
                let (a, b) = (i as f32 * k, (i + 1) as f32 * k);
                (a.floor() as usize..(b.ceil() as usize).min(n_in as usize))
                    .map(|s| {
                        let cover = (b.min(s as f32 + 1.0) - a.max(s as f32)).max(0.0);
                        (s, cover / k)
                    })
                    .collect()
            })
            .collect()
    };
    let (xs, ys) = (taps(w, img.width), taps(h, img.height));
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for ty in &ys {
        for tx in &xs {
            let mut acc = [0.0f32; 4];
            for &(sy, wy) in ty {
                for &(sx, wx) in tx {
                    let p = px(img, sx as u32, sy as u32);
                    for k in 0..4 {
                        acc[k] += f32::from(p[k]) * wx * wy;
                    }
                }
            }
            data.extend(acc.map(|v| (v + 0.5).clamp(0.0, 255.0) as u8));
        }
    }
    Rgba8Image::new(w, h, data).expect("shrunk")
}

/// The bench's scene, a little smaller: strokes, stickers and texts over a photo.
fn busy_scene() -> Vec<Element> {
    let mut elements = Vec::new();
    for (i, preset) in StickerPreset::ALL.into_iter().enumerate() {
        elements.push(Element {
            kind: ElementKind::Sticker { preset, size: 0.18 },
            placement: Placement {
                x: 0.12 + 0.11 * i as f32,
                y: 0.25 + 0.05 * (i % 3) as f32,
                scale: 1.0,
                rotation: 0.3 * i as f32 - 1.0,
            },
        });
    }
    for s in 0..12 {
        let points = (0..30)
            .map(|k| {
                let t = k as f32 / 29.0;
                [0.5 * t, 0.12 * (t * 9.0 + s as f32).sin()]
            })
            .collect();
        elements.push(Element {
            kind: ElementKind::Stroke {
                points,
                colour: [(20 * s) as u8, 200, 255 - (20 * s) as u8, 255],
                width: 0.012 + 0.002 * s as f32,
                eraser: s == 7,
            },
            placement: Placement {
                x: 0.3 + 0.03 * s as f32,
                y: 0.55 + 0.02 * s as f32,
                scale: 1.0 + 0.05 * s as f32,
                rotation: 0.1 * s as f32,
            },
        });
    }
    for (i, font) in FontFace::ALL.into_iter().enumerate() {
        elements.push(Element {
            kind: ElementKind::Text {
                content: "Huddle\nparty!".into(),
                font,
                size: 0.08,
                colour: [255, 255, 255, 255],
                outline: Some([0, 0, 0, 255]),
            },
            placement: Placement {
                x: 0.25 + 0.25 * i as f32,
                y: 0.78,
                scale: 1.0,
                rotation: 0.2 * i as f32 - 0.2,
            },
        });
    }
    elements
}

#[test]
fn the_view_and_the_export_agree() {
    let photo = gradient(1920, 1080);
    let fonts = fonts();
    let elements = busy_scene();
    for frame in [
        PhotoFrame::default(),
        PhotoFrame {
            crop: [0.05, 0.1, 0.95, 0.85],
            quarter_turns: 1,
        },
    ] {
        let (ew, eh) = export_size(1920, 1080, &frame);
        let big = render_edit(&photo, &frame, &elements, &fonts, ew);
        assert_eq!((big.width, big.height), (ew, eh));
        let vw = 800 * ew / ew.max(eh);
        let small = render_edit(&photo, &frame, &elements, &fonts, vw);
        let down = shrink(&big, small.width, small.height);
        let diff: f64 = small
            .data
            .iter()
            .zip(&down.data)
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / small.data.len() as f64;
        // The sticker and stroke pixels differ from the photo a lot; the
        // difference must stay a small fraction of that.
        let changed: f64 = small
            .data
            .iter()
            .zip(&render_edit(&photo, &frame, &[], &fonts, vw).data)
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / small.data.len() as f64;
        assert!(changed > 10.0, "the scene changes the photo ({changed})");
        assert!(
            diff < 2.5,
            "view vs export differ by {diff} (scene changes {changed})"
        );
    }
}

#[test]
fn presets_and_faces_round_trip_their_ids() {
    for p in StickerPreset::ALL {
        assert_eq!(StickerPreset::from_id(p.id()), Some(p));
        assert!(!p.name().is_empty());
        let icon = sticker_icon(p, 48);
        assert_eq!(icon.height, 48);
    }
    assert_eq!(StickerPreset::from_id("crown"), Some(StickerPreset::Crown));
    assert_eq!(StickerPreset::from_id("unicorn"), None);
    for f in FontFace::ALL {
        assert_eq!(FontFace::from_id(f.id()), Some(f));
    }
    assert_eq!(FontFace::Mono.name(), "Mono");
    assert!(Fonts::from_bytes(vec![1, 2, 3], vec![], vec![]).is_err());
}
