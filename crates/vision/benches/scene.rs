//! Per-frame costs of the group picture (crates/vision/src/scene), single thread.
//! Run: `CARGO_TARGET_DIR=/tmp/target-vision cargo bench -p huddle-vision --bench scene`
//! (`BENCH_RUNS=N` changes the number of timed runs, default 30 after 3 warm-ups).

mod common;

use huddle_vision::scene::{
    render_sprite, smooth_skin, Background, BackgroundPreset, BeautyScratch, Compositor, Effect,
    FilterLut, FilterPreset, LayoutMode, MemberFrame, MemberKey, SceneSettings,
};
use huddle_vision::Rgba8Image;

fn runs() -> usize {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
}

/// Median and min in ms over `runs()` calls after 3 warm-ups.
fn time(label: &str, f: impl FnMut()) {
    common::time(label, 3, runs(), f);
}

/// A webcam-like cut-out: noisy skin-ish colours, an upper-body ellipse of
/// opaque alpha with a soft edge, transparent around it.
fn cutout(w: u32, h: u32, seed: u32) -> Rgba8Image {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let n = (state % 24) as u8;
            let dx = (x as f32 - w as f32 * 0.5) / (w as f32 * 0.3);
            let dy = (y as f32 - h as f32 * 0.95) / (h as f32 * 0.75);
            let d = (dx * dx + dy * dy).sqrt();
            let a = ((1.05 - d) * 10.0).clamp(0.0, 1.0);
            data.extend_from_slice(&[200 + n / 2, 150 + n, 120 + n, (a * 255.0) as u8]);
        }
    }
    Rgba8Image {
        width: w,
        height: h,
        data,
    }
}

fn compose(label: &str, canvas: (u32, u32), frame: (u32, u32), mode: LayoutMode, harmonize: bool) {
    let cuts: Vec<Rgba8Image> = (0..4).map(|i| cutout(frame.0, frame.1, i + 1)).collect();
    let members: Vec<MemberFrame<'_>> = cuts
        .iter()
        .enumerate()
        .map(|(i, c)| MemberFrame::new(MemberKey(i as u64), Some(c.as_view().expect("cut-out"))))
        .collect();
    let settings = SceneSettings {
        mode,
        filter: FilterPreset::Film,
        harmonize,
        ..SceneSettings::default()
    };
    let mut compositor = Compositor::new(Background::Preset(BackgroundPreset::Sunset));
    let mut out = Rgba8Image {
        width: canvas.0,
        height: canvas.1,
        data: vec![0; (canvas.0 * canvas.1 * 4) as usize],
    };
    time(label, || {
        compositor
            .compose(&settings, &members, &mut out)
            .expect("compose");
    });
}

fn main() {
    println!("compose (background copy + 4 cut-outs + film filter):");
    for (mode, name) in [
        (LayoutMode::SameScreen, "same-screen"),
        (LayoutMode::Grid, "grid"),
    ] {
        compose(
            &format!("  {name} 640x480, 4 × 640x480"),
            (640, 480),
            (640, 480),
            mode,
            false,
        );
        compose(
            &format!("  {name} 1920x1080, 4 × 1280x720"),
            (1920, 1080),
            (1280, 720),
            mode,
            false,
        );
    }
    compose(
        "  same-screen 640x480, 4 × 640x480, harmonised",
        (640, 480),
        (640, 480),
        LayoutMode::SameScreen,
        true,
    );

    println!("filters:");
    for (w, h) in [(640, 480), (1920, 1080)] {
        let base = Background::Preset(BackgroundPreset::Beach)
            .render(w, h)
            .expect("background");
        for p in FilterPreset::ALL {
            let lut = FilterLut::new(p);
            let mut img = base.clone();
            time(&format!("  {} {w}x{h}", p.id()), || {
                lut.apply(&mut img.data)
            });
        }
    }

    println!("beauty:");
    let cut = cutout(640, 480, 9);
    let mut scratch = BeautyScratch::default();
    for strength in [0.5, 1.0] {
        let mut img = cut.clone();
        time(
            &format!("  smooth_skin 640x480 strength {strength}"),
            || {
                img.data.copy_from_slice(&cut.data);
                smooth_skin(&mut img, strength, &mut scratch).expect("beauty");
            },
        );
    }

    println!("backgrounds (rendered once per size and cached by the compositor):");
    for (w, h) in [(640, 480), (1920, 1080)] {
        for p in BackgroundPreset::ALL {
            let bg = Background::Preset(p);
            time(&format!("  {} {w}x{h}", p.id()), || {
                bg.render(w, h).expect("background");
            });
        }
    }
    let photo = cutout(1600, 1200, 3);
    let custom = Background::Custom(Rgba8Image {
        data: photo.data.iter().map(|_| 200).collect(),
        ..photo
    });
    time("  custom photo 1600x1200 -> 1920x1080", || {
        custom.render(1920, 1080).expect("custom");
    });

    println!("effect sprites:");
    for e in Effect::ALL {
        time(&format!("  {} 256 px", e.id()), || {
            render_sprite(e, 256);
        });
    }
}
