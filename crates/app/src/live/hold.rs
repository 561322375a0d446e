//! The shutter's pause. Every member takes a shot at the same instant, and then
//! every page encodes its part, decodes the others', composes a full-HD photo and
//! encodes it. The live preview and my cut-out going out would take the same
//! cores meanwhile (in a test room, four browsers share two), so they stand still
//! on the frame of the shot until the photo is shown, as a camera's viewfinder
//! does, and for at most [`MAX_HOLD_MS`] whatever happens. The same when a video
//! stops: its encoder finishes the frames it has queued.

use std::cell::Cell;
use std::rc::Rc;

use super::dom::now;

/// Longest the live picture stands still for one shot.
pub const MAX_HOLD_MS: f64 = 3_000.0;

/// Shared by the shots (which hold and release) and the live loops (which look).
#[derive(Clone, Default)]
pub struct LiveHold(Rc<Cell<f64>>);

impl LiveHold {
    /// Holds from now for [`MAX_HOLD_MS`] (a later shot extends it).
    pub fn hold(&self) {
        self.0.set(now() + MAX_HOLD_MS);
    }

    pub fn release(&self) {
        self.0.set(0.0);
    }

    pub fn is_held(&self) -> bool {
        now() < self.0.get()
    }
}

#[cfg(test)]
mod tests {
    use super::LiveHold;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn holds_until_released() {
        let hold = LiveHold::default();
        assert!(!hold.is_held());
        let shared = hold.clone();
        hold.hold();
        assert!(shared.is_held(), "every clone sees the hold");
        shared.release();
        assert!(!hold.is_held());
    }
}
