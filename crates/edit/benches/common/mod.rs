//! Timing helpers for the benches: median and min of repeated calls.

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

/// Prints the median and mean in µs of per-call durations (seconds) measured by the caller,
/// for operations too entangled with their setup to be timed by [`time`].
pub fn per_call(label: &str, mut secs: Vec<f64>) {
    secs.sort_by(f64::total_cmp);
    let mean = secs.iter().sum::<f64>() / secs.len().max(1) as f64;
    println!(
        "{label:<58} median {:>7.1} µs   mean {:>7.1} µs   (n = {})",
        secs[secs.len() / 2] * 1e6,
        mean * 1e6,
        secs.len()
    );
}

/// Prints a size in bytes, with KiB for readability.
pub fn size(label: &str, bytes: usize) {
    println!(
        "{label:<58} {bytes:>10} B   {:>9.1} KiB",
        bytes as f64 / 1024.0
    );
}
