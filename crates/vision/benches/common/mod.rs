//! Timing shared by the benches: median and min of repeated calls.

use std::time::Instant;

/// Prints the median and min in ms of `runs` calls of `f` after `warmups` calls.
pub fn time(label: &str, warmups: usize, runs: usize, mut f: impl FnMut()) {
    for _ in 0..warmups {
        f();
    }
    let mut t: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    println!(
        "{label:<58} median {:>7.2} ms   min {:>7.2} ms",
        t[t.len() / 2],
        t[0]
    );
}
