//! Frame rate and time per stage on the lab page.

use leptos::prelude::*;

use crate::vision::messages::FrameResult;

/// Smoothed per-stage times (ms) and counters.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    pub fps: f64,
    pub read: f64,
    pub segment: f64,
    pub faces_ms: f64,
    pub compose: f64,
    pub worker: f64,
    pub round_trip: f64,
    pub frames: u64,
    pub dropped: u64,
    pub faces: usize,
    pub coverage: f32,
    pub smile: f32,
}

/// Exponential smoothing so the numbers are readable at 30 updates a second.
fn ema(old: f64, new: f64, first: bool) -> f64 {
    if first {
        new
    } else {
        old * 0.8 + new * 0.2
    }
}

impl Stats {
    pub fn record(&mut self, r: &FrameResult, round_trip: Option<f64>, fps: f64, dropped: u64) {
        let first = self.frames == 0;
        let t = r.timings;
        self.read = ema(self.read, t.read, first);
        self.segment = ema(self.segment, t.segment, first);
        self.faces_ms = ema(self.faces_ms, t.faces, first);
        self.compose = ema(self.compose, t.compose, first);
        self.worker = ema(self.worker, t.total, first);
        if let Some(rt) = round_trip {
            self.round_trip = ema(self.round_trip, rt, first);
        }
        self.fps = fps;
        self.frames += 1;
        self.dropped = dropped;
        self.faces = r.faces.len();
        self.coverage = r.coverage;
        self.smile = r.faces.first().map(|f| f.smile).unwrap_or(0.0);
    }

    /// One sentence for screen readers.
    pub fn describe(&self) -> String {
        if self.frames == 0 {
            return "Camera preview, waiting for the first picture".into();
        }
        let people = if self.coverage > 0.02 {
            "a person"
        } else {
            "nobody"
        };
        let faces = match self.faces {
            0 => "no face".to_string(),
            1 => "1 face".to_string(),
            n => format!("{n} faces"),
        };
        format!("Camera preview showing {people}, {faces}")
    }
}

#[component]
pub fn LabStats(stats: RwSignal<Stats>) -> impl IntoView {
    let row = move |label: &'static str, value: Signal<String>| {
        view! { <div class="stat"><dt>{label}</dt><dd>{value}</dd></div> }
    };
    let ms = move |f: fn(&Stats) -> f64| Signal::derive(move || format!("{:.1} ms", stats.with(f)));
    view! {
        <dl class="lab-stats card" aria-label="Performance">
            {row("Frames per second", Signal::derive(move || format!("{:.0}", stats.with(|s| s.fps))))}
            {row("Read pixels", ms(|s| s.read))}
            {row("Person mask", ms(|s| s.segment))}
            {row("Face points", ms(|s| s.faces_ms))}
            {row("Compose", ms(|s| s.compose))}
            {row("Worker total", ms(|s| s.worker))}
            {row("Round trip", ms(|s| s.round_trip))}
            {row("Faces", Signal::derive(move || stats.with(|s| s.faces.to_string())))}
            {row("Smile", Signal::derive(move || format!("{:.2}", stats.with(|s| s.smile))))}
            {row("Frames skipped", Signal::derive(move || stats.with(|s| s.dropped.to_string())))}
        </dl>
    }
}
