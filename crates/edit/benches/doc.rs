//! Size and speed of the shared edit document (crates/edit) with a busy photo: 1,000 freehand
//! strokes of 30 points, drawn the way the app draws them (one `extend_stroke` per pointer move).
//! Run: `CARGO_TARGET_DIR=/tmp/target-edit cargo bench -p huddle-edit --bench doc`
//! (`BENCH_RUNS=N` changes the number of timed runs, default 20 after 2 warm-ups).

mod common;

use std::time::Instant;

use huddle_edit::{EditDoc, Placement};

const STROKES: usize = 1000;
const POINTS: usize = 30;

fn runs() -> usize {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// Deterministic wobbly line points in 0..1.
struct Pen(u32);

impl Pen {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 % 10_000) as f32 / 10_000.0
    }
    fn stroke(&mut self) -> Vec<[f32; 2]> {
        let (x0, y0) = (self.next(), self.next());
        (0..POINTS)
            .map(|i| {
                let t = i as f32 / POINTS as f32;
                [x0 + 0.2 * t + 0.01 * self.next(), y0 + 0.01 * self.next()]
            })
            .collect()
    }
}

/// Draws `STROKES` strokes into `doc`, broadcasting after every call as the app does, and
/// returns the per-`extend_stroke` times and the update messages.
fn draw(doc: &mut EditDoc, one_point_per_call: bool) -> (Vec<f64>, Vec<Vec<u8>>) {
    let mut pen = Pen(0x1234_5678);
    let mut times = Vec::with_capacity(STROKES * POINTS);
    let mut msgs = Vec::new();
    for _ in 0..STROKES {
        let id = doc.begin_stroke([200, 30, 30, 255], 0.01, false, Placement::default());
        msgs.extend(doc.take_outgoing());
        let pts = pen.stroke();
        let batches: Vec<&[[f32; 2]]> = if one_point_per_call {
            pts.chunks(1).collect()
        } else {
            vec![&pts[..]]
        };
        for b in batches {
            let s = Instant::now();
            doc.extend_stroke(&id, b).expect("own stroke");
            times.push(s.elapsed().as_secs_f64());
            msgs.extend(doc.take_outgoing());
        }
        doc.end_stroke(&id);
    }
    (times, msgs)
}

fn main() {
    println!("document with {STROKES} strokes × {POINTS} points:");
    let mut a = EditDoc::new(1);
    let (extend_times, msgs) = draw(&mut a, true);
    let state = a.encode_state();
    common::size("  encode_state (one point per extend_stroke)", state.len());
    println!(
        "{:<58} {:>10.1} B",
        "  … per point",
        state.len() as f64 / (STROKES * POINTS) as f64
    );
    let mut b = EditDoc::new(2);
    draw(&mut b, false);
    common::size(
        "  encode_state (30 points per extend_stroke)",
        b.encode_state().len(),
    );
    let update_bytes: usize = msgs.iter().map(Vec::len).sum();
    println!(
        "{:<58} {:>10.1} B   ({} messages)",
        "  update message, mean size",
        update_bytes as f64 / msgs.len() as f64,
        msgs.len()
    );

    println!("local edits:");
    common::per_call(
        "  extend_stroke (1 point, doc growing to 1,000 strokes)",
        extend_times,
    );
    let mut pen = Pen(99);
    let mut t_take = Vec::new();
    let id = a.begin_stroke([0, 0, 0, 255], 0.01, false, Placement::default());
    a.take_outgoing();
    for p in pen.stroke() {
        a.extend_stroke(&id, &[p]).expect("stroke");
        let s = Instant::now();
        a.take_outgoing();
        t_take.push(s.elapsed().as_secs_f64());
    }
    a.end_stroke(&id);
    common::per_call("  take_outgoing after one extend_stroke", t_take);

    println!("remote updates:");
    // A peer that already has the first update of each stroke's life applies the rest in order.
    let mut peer = EditDoc::new(3);
    let mut t_apply = Vec::with_capacity(msgs.len());
    for m in &msgs {
        let s = Instant::now();
        peer.handle_sync(m).expect("valid update");
        t_apply.push(s.elapsed().as_secs_f64());
    }
    common::per_call("  handle_sync of one update (all 31,000 in order)", t_apply);
    assert_eq!(peer.snapshot().elements.len(), STROKES);

    println!("late joiner:");
    let joiner = EditDoc::new(4);
    let step1 = joiner.sync_start();
    let step2 = a.handle_sync(&step1).expect("step1").remove(0);
    common::size("  SyncStep2 a late joiner receives", step2.len());
    common::size("  SyncStep1 it sends", step1.len());
    common::time(
        "  answer SyncStep1 (encode the full diff)",
        2,
        runs(),
        || {
            a.handle_sync(&step1).expect("step1");
        },
    );
    common::time(
        "  apply that SyncStep2 into an empty replica",
        2,
        runs(),
        || {
            EditDoc::new(5).handle_sync(&step2).expect("step2");
        },
    );
    let saved = a.encode_state();
    common::time("  from_state (reload)", 2, runs(), || {
        EditDoc::from_state(6, &saved).expect("state");
    });

    println!("reading:");
    common::time("  snapshot() of 1,001 strokes", 2, runs(), || {
        std::hint::black_box(a.snapshot());
    });
}
