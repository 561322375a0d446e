//! How often the live preview may start a frame: at most [`FramePace::PER_SECOND`]
//! on average, with a little credit for a frame that could not start the moment
//! it was due.
//!
//! The preview never waits for a frame with a timer (on a busy page timers fire
//! late, and a late frame is a lost one); it asks again on the next picture or
//! animation frame. Those come at uneven times, so a frame due in between starts
//! late; the credit (a few frames' worth) lets the frames after it catch up, and
//! the preview keeps its rate instead of falling to what the askers allow.
//!
//! A token bucket in a few lines over the page's own clock, rather than a rate
//! limiting crate built around `std::time`, which the browser does not have.

/// Frames a preview may start; `now` is in ms.
#[derive(Clone, Debug)]
pub struct FramePace {
    /// Frames that may start now (fractions accrue between asks).
    credit: f64,
    last_ms: Option<f64>,
}

impl Default for FramePace {
    fn default() -> Self {
        Self {
            credit: Self::CREDIT,
            last_ms: None,
        }
    }
}

impl FramePace {
    /// Beyond about 30 frames a second a smoother preview is hardly seen, but it
    /// takes the cores from the work every member's picture goes through on its
    /// way (vision, codecs, channels): with four members on two cores, previews ran
    /// at 26–40 a second while a camera frame took over 150 ms to reach the others.
    pub const PER_SECOND: f64 = 30.0;
    /// Frames that may start back to back after a pause.
    const CREDIT: f64 = 3.0;

    /// Whether a frame may start at `now_ms`.
    pub fn may_start(&mut self, now_ms: f64) -> bool {
        let since = self.last_ms.map_or(0.0, |last| (now_ms - last).max(0.0));
        self.last_ms = Some(now_ms);
        self.credit = (self.credit + since * Self::PER_SECOND / 1000.0).min(Self::CREDIT);
        self.credit >= 1.0
    }

    /// A frame started (after [`Self::may_start`] said it may).
    pub fn started(&mut self) {
        self.credit = (self.credit - 1.0).max(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::FramePace;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The times frames started when asked at `asks` (ms).
    fn started(asks: impl IntoIterator<Item = f64>) -> Vec<f64> {
        let mut pace = FramePace::default();
        asks.into_iter()
            .filter(|&t| {
                let go = pace.may_start(t);
                if go {
                    pace.started();
                }
                go
            })
            .collect()
    }

    #[wasm_bindgen_test]
    fn asked_often_about_30_start_each_second_evenly() {
        let went = started((0..3000).map(|ms| f64::from(ms) * 1.0));
        // Three seconds at 30, and the first few on credit.
        assert!((90..=93).contains(&went.len()), "{} frames", went.len());
        let gaps: Vec<f64> = went[4..].windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.iter().all(|&g| (33.0..=34.0).contains(&g)), "{gaps:?}");
    }

    #[wasm_bindgen_test]
    fn asked_at_uneven_times_the_credit_keeps_the_rate() {
        // Asked every 25 or 45 ms in turn (28.6 asks a second, some just after a
        // frame was due): nearly every ask starts a frame.
        let asks: Vec<f64> = (0..200)
            .scan(0.0, |t, i| {
                *t += if i % 2 == 0 { 25.0 } else { 45.0 };
                Some(*t)
            })
            .collect();
        let went = started(asks.iter().copied());
        assert!(went.len() >= 196, "{} of {} asks", went.len(), asks.len());
    }

    #[wasm_bindgen_test]
    fn asking_without_starting_costs_nothing() {
        // The animation frames between pictures find nothing new to paint.
        let mut pace = FramePace::default();
        assert!((0..100).all(|i| pace.may_start(f64::from(i))));
    }

    #[wasm_bindgen_test]
    fn slower_previews_are_untouched_and_no_second_has_more_than_its_share() {
        let asks: Vec<f64> = (0..100).map(|i| f64::from(i) * 40.0).collect();
        assert_eq!(started(asks.iter().copied()), asks);
        let went = started((0..5000).map(|ms| f64::from(ms) * 2.0));
        for (i, &t) in went.iter().enumerate() {
            let in_second = went[i..].iter().take_while(|&&u| u - t < 1000.0).count();
            assert!(
                in_second <= 33,
                "{in_second} frames in the second from {t} ms"
            );
        }
    }
}
