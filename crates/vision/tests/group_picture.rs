//! Three real people (the committed public-domain photos with their reference
//! masks) composed into one same-screen picture, as every member's browser will:
//! each person shows at their place, on top where they should be, with the
//! background everywhere else. Writes the picture to
//! `target/group_picture.png` for a look.

mod common;

use common::{data, load_gray, load_rgba};
use huddle_vision::scene::{
    Background, BackgroundPreset, Compositor, LayoutMode, MemberFrame, MemberKey, SceneSettings,
};
use huddle_vision::Rgba8Image;

/// A photo with its mask as alpha, at the mask's size.
fn cut_out(photo: &str, mask: &str) -> Rgba8Image {
    let (mw, mh, alpha) = load_gray(&data(mask));
    let img = load_rgba(&data(photo));
    let img = if (img.width, img.height) == (mw, mh) {
        img
    } else {
        let buf = image::RgbaImage::from_raw(img.width, img.height, img.data).expect("rgba");
        let small = image::imageops::resize(&buf, mw, mh, image::imageops::FilterType::Triangle);
        Rgba8Image::new(mw, mh, small.into_raw()).expect("resized")
    };
    let mut img = img;
    for (px, a) in img.data.chunks_exact_mut(4).zip(&alpha) {
        px[3] = *a;
    }
    img
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

#[test]
fn three_people_stand_together_in_one_picture() {
    let people = [
        cut_out(
            "astronaut.png",
            "astronaut.mediapipe.selfie_segmentation.mask.png",
        ),
        cut_out(
            "grace_hopper.jpg",
            "grace_hopper.mediapipe.selfie_segmentation.mask.png",
        ),
        cut_out(
            "portrait_man_upper_body_suit.jpg",
            "portrait_man_upper_body_suit.mask.png",
        ),
    ];
    let keys = [MemberKey(1), MemberKey(2), MemberKey(3)];
    let members: Vec<MemberFrame<'_>> = keys
        .iter()
        .zip(&people)
        .map(|(k, p)| MemberFrame::new(*k, Some(p.as_view().expect("view"))))
        .collect();
    let settings = SceneSettings {
        mode: LayoutMode::SameScreen,
        ..SceneSettings::default()
    };
    let (w, h) = (1280, 720);
    let background = Background::Preset(BackgroundPreset::Ocean)
        .render(w, h)
        .expect("background");
    let mut out = Rgba8Image::new(w, h, vec![0; (w * h * 4) as usize]).expect("canvas");
    let plan = Compositor::new(Background::Preset(BackgroundPreset::Ocean))
        .compose(&settings, &members, &mut out)
        .expect("compose");
    let _ = image::save_buffer(
        common::manifest().join("../../target/group_picture.png"),
        &out.data,
        w,
        h,
        image::ExtendedColorType::Rgba8,
    );

    // Alpha of member `i` at canvas pixel (x, y): its mask sampled through its placement.
    // `reach` also takes the neighbours a bilinear sample can touch (the maximum).
    let alpha_at = |i: usize, x: u32, y: u32, reach: i32| -> u8 {
        let Some(p) = plan.member(keys[i]).and_then(|m| m.placement) else {
            return 0;
        };
        let [fx, fy] = p.unmap([x as f32 + 0.5, y as f32 + 0.5]);
        let c = &people[i];
        let mut a = 0;
        for dy in -reach..=reach {
            for dx in -reach..=reach {
                let (sx, sy) = (fx as i32 + dx, fy as i32 + dy);
                if sx >= 0 && sy >= 0 && (sx as u32) < c.width && (sy as u32) < c.height {
                    a = a.max(px(c, sx as u32, sy as u32)[3]);
                }
            }
        }
        a
    };
    // Stacking: the earlier joiner is on top, so member i shows where it is opaque
    // and every member before it is transparent.
    let (mut shown, mut right, mut bg_total, mut bg_exact) = ([0u32; 3], [0u32; 3], 0u32, 0u32);
    for y in (0..h).step_by(3) {
        for x in (0..w).step_by(3) {
            let a: Vec<u8> = (0..3).map(|i| alpha_at(i, x, y, 0)).collect();
            let got = px(&out, x, y);
            if (0..3).all(|i| alpha_at(i, x, y, 1) == 0) {
                bg_total += 1;
                bg_exact += u32::from(got == px(&background, x, y));
                continue;
            }
            let Some(top) = (0..3).find(|&i| a[i] >= 250) else {
                continue;
            };
            if a[..top].iter().any(|&v| v > 0) {
                continue;
            }
            shown[top] += 1;
            let p = plan
                .member(keys[top])
                .and_then(|m| m.placement)
                .expect("placed");
            let [fx, fy] = p.unmap([x as f32 + 0.5, y as f32 + 0.5]);
            let want = px(&people[top], fx as u32, fy as u32);
            let close = (0..3).all(|c| got[c].abs_diff(want[c]) <= 48);
            right[top] += u32::from(close);
        }
    }
    for i in 0..3 {
        assert!(
            shown[i] > 2_000,
            "member {i} covers only {} sampled pixels",
            shown[i]
        );
        let share = right[i] as f32 / shown[i] as f32;
        assert!(
            share > 0.95,
            "member {i}: only {share:.3} of its pixels are its own"
        );
    }
    assert!(bg_total > 10_000, "background visible: {bg_total}");
    assert_eq!(
        bg_exact, bg_total,
        "outside every person the background is untouched"
    );

    // Places: left to right in join order.
    let centre = |i: usize| {
        let b = plan
            .member(keys[i])
            .and_then(|m| m.placement)
            .expect("placed")
            .bounds();
        b.x + b.w / 2.0
    };
    assert!(centre(0) < centre(1) && centre(1) < centre(2));
}
