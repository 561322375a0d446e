//! Costs of rendering an edited photo (crates/vision/src/edit), single thread:
//! the live editor view (redrawn on every change) and the full-resolution export.
//! Run: `CARGO_TARGET_DIR=/tmp/target-vision cargo bench -p huddle-vision --bench edit`
//! (`BENCH_RUNS=N` changes the number of timed runs, default 30 after 3 warm-ups).

mod common;

use huddle_vision::edit::{
    render_edit, Element, ElementKind, FontFace, Fonts, PhotoFrame, Placement, StickerPreset,
};
use huddle_vision::Rgba8Image;

fn runs() -> usize {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
}

fn time(label: &str, f: impl FnMut()) {
    common::time(label, 3, runs(), f);
}

fn fonts() -> Fonts {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../public/fonts/");
    let read = |name: &str| std::fs::read(format!("{dir}{name}")).expect("bundled font");
    Fonts::from_bytes(
        read("DejaVuSans-Bold.ttf"),
        read("DejaVuSerif-Bold.ttf"),
        read("DejaVuSansMono-Bold.ttf"),
    )
    .expect("fonts parse")
}

/// A noisy photo-like picture.
fn photo(w: u32, h: u32) -> Rgba8Image {
    let mut state = 0x9e37_79b9u32;
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let n = (state % 16) as u8;
            data.extend_from_slice(&[
                (x * 200 / w) as u8 + n,
                (y * 200 / h) as u8 + n,
                120 + n,
                255,
            ]);
        }
    }
    Rgba8Image {
        width: w,
        height: h,
        data,
    }
}

/// 100 strokes of 40 points (a few of them erasers), 5 stickers, 2 outlined texts.
fn scene() -> Vec<Element> {
    let mut elements = Vec::new();
    let mut state = 12345u32;
    let mut rnd = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state % 10_000) as f32 / 10_000.0
    };
    for s in 0..100 {
        // A wandering hand-drawn line about a fifth of the photo across.
        let (mut x, mut y, mut a) = (0.0f32, 0.0f32, rnd() * std::f32::consts::TAU);
        let points = (0..40)
            .map(|_| {
                a += (rnd() - 0.5) * 0.8;
                x += 0.006 * a.cos();
                y += 0.006 * a.sin();
                [x, y]
            })
            .collect();
        elements.push(Element {
            kind: ElementKind::Stroke {
                points,
                colour: [(rnd() * 255.0) as u8, (rnd() * 255.0) as u8, 200, 255],
                width: 0.005 + 0.015 * rnd(),
                eraser: s % 25 == 24,
            },
            placement: Placement {
                x: 0.1 + 0.8 * rnd(),
                y: 0.1 + 0.8 * rnd(),
                scale: 1.0,
                rotation: 0.0,
            },
        });
    }
    for (i, preset) in [
        StickerPreset::Star,
        StickerPreset::Heart,
        StickerPreset::Crown,
        StickerPreset::Sparkles,
        StickerPreset::Cloud,
    ]
    .into_iter()
    .enumerate()
    {
        elements.push(Element {
            kind: ElementKind::Sticker { preset, size: 0.2 },
            placement: Placement {
                x: 0.15 + 0.17 * i as f32,
                y: 0.3,
                scale: 1.0,
                rotation: 0.2 * i as f32,
            },
        });
    }
    for (i, font) in [FontFace::Sans, FontFace::Serif].into_iter().enumerate() {
        elements.push(Element {
            kind: ElementKind::Text {
                content: "Happy birthday\nfrom all of us!".into(),
                font,
                size: 0.08,
                colour: [255, 255, 255, 255],
                outline: Some([0, 0, 0, 255]),
            },
            placement: Placement {
                x: 0.5,
                y: 0.6 + 0.2 * i as f32,
                scale: 1.0,
                rotation: 0.15 * i as f32,
            },
        });
    }
    elements
}

fn main() {
    let fonts = fonts();
    let elements = scene();
    let full = photo(1920, 1080);
    let small = photo(800, 450);
    let turned = PhotoFrame {
        crop: [0.1, 0.05, 0.9, 0.95],
        quarter_turns: 1,
    };
    println!("edited photo (100 strokes of 40 points, 5 stickers, 2 outlined texts):");
    for (label, photo, frame, width) in [
        (
            "view 800x450 from an 800x450 photo",
            &small,
            PhotoFrame::default(),
            800,
        ),
        (
            "view 800x450 from a 1920x1080 photo",
            &full,
            PhotoFrame::default(),
            800,
        ),
        ("view 800 wide, cropped + quarter turn", &full, turned, 800),
        ("export 1920x1080", &full, PhotoFrame::default(), 1920),
    ] {
        time(label, || {
            std::hint::black_box(render_edit(photo, &frame, &elements, &fonts, width));
        });
    }
    // Where the time goes, by kind of element.
    let only = |f: fn(&ElementKind) -> bool| -> Vec<Element> {
        elements.iter().filter(|e| f(&e.kind)).cloned().collect()
    };
    let parts = [
        ("strokes", only(|k| matches!(k, ElementKind::Stroke { .. }))),
        (
            "stickers",
            only(|k| matches!(k, ElementKind::Sticker { .. })),
        ),
        ("texts", only(|k| matches!(k, ElementKind::Text { .. }))),
    ];
    for (name, part) in &parts {
        for (size, width) in [("view 800x450", 800), ("export 1920x1080", 1920)] {
            time(&format!("{size}, {name} only"), || {
                std::hint::black_box(render_edit(
                    &full,
                    &PhotoFrame::default(),
                    part,
                    &fonts,
                    width,
                ));
            });
        }
    }
    time("view 800x450, photo only", || {
        std::hint::black_box(render_edit(&full, &PhotoFrame::default(), &[], &fonts, 800));
    });
    time("export 1920x1080, photo only", || {
        std::hint::black_box(render_edit(
            &full,
            &PhotoFrame::default(),
            &[],
            &fonts,
            1920,
        ));
    });
}
