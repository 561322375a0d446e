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
    /// Smoothed brightness of the person (0..1), when there is one.
    pub brightness: Option<f32>,
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
        self.brightness = match (self.brightness, r.brightness) {
            (Some(old), Some(new)) => Some(old * 0.8 + new * 0.2),
            (_, new) => new,
        };
    }

    /// A sentence about the light when it is worth changing, for the person.
    pub fn light_hint(&self) -> Option<&'static str> {
        match self.brightness? {
            b if b < 0.22 => Some("It is quite dark: face a window or a lamp for cleaner edges."),
            b if b > 0.85 => {
                Some("Very bright light on you: the edges may wash out. Step back from the light.")
            }
            _ => None,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vision::messages::StageTimings;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn result(brightness: Option<f32>, coverage: f32) -> FrameResult {
        FrameResult {
            id: 1,
            width: 4,
            height: 4,
            person: None,
            coverage,
            brightness,
            faces: Vec::new(),
            timings: StageTimings {
                segment: 10.0,
                ..Default::default()
            },
        }
    }

    #[wasm_bindgen_test]
    fn light_hints_follow_the_smoothed_brightness() {
        let mut s = Stats::default();
        s.record(&result(Some(0.1), 0.4), Some(12.0), 20.0, 0);
        assert!(s.light_hint().unwrap().contains("dark"));
        // One bright frame does not flip the hint at once (smoothing).
        s.record(&result(Some(0.5), 0.4), None, 20.0, 0);
        assert!(s.light_hint().is_some());
        for _ in 0..20 {
            s.record(&result(Some(0.5), 0.4), None, 20.0, 0);
        }
        assert_eq!(s.light_hint(), None);
        s.record(&result(None, 0.0), None, 20.0, 0);
        assert_eq!(s.light_hint(), None, "no person, no hint");
    }

    #[wasm_bindgen_test]
    fn first_frame_sets_times_and_later_ones_smooth_them() {
        let mut s = Stats::default();
        s.record(&result(None, 0.0), Some(12.0), 1.0, 0);
        assert_eq!(s.segment, 10.0);
        assert_eq!(s.round_trip, 12.0);
        s.record(&result(None, 0.0), Some(22.0), 2.0, 3);
        assert!((s.round_trip - 14.0).abs() < 1e-9);
        assert_eq!((s.frames, s.dropped), (2, 3));
        assert_eq!(s.describe(), "Camera preview showing nobody, no face");
    }
}
