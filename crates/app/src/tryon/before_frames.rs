//! The camera frames behind the made-up ones, for the comparison's "before"
//! side. The made-up picture comes back from the worker a frame or two after
//! the camera took it; drawing the video element as "before" showed a newer
//! frame beside an older one, a seam on a moving face. So while comparing, each
//! frame sent to the worker is copied first, and the copy of the frame on
//! screen is the "before".

use std::collections::VecDeque;

use web_sys::{HtmlCanvasElement, ImageBitmap};

use crate::live::dom::{context_2d, create};

/// Copies kept at the most: the worker holds one frame and has one waiting.
const KEPT: usize = 4;

#[derive(Default)]
pub struct BeforeFrames {
    /// Copies of frames sent to the worker, by request id, oldest first.
    waiting: VecDeque<(u64, HtmlCanvasElement)>,
    /// The copy of the frame whose made-up picture is on screen.
    shown: Option<HtmlCanvasElement>,
    spare: Vec<HtmlCanvasElement>,
}

impl BeforeFrames {
    /// A copy of `bitmap` (which is about to be handed to the worker).
    pub fn copy(&mut self, bitmap: &ImageBitmap) -> Option<HtmlCanvasElement> {
        let canvas = match self.spare.pop() {
            Some(c) => c,
            None => create::<HtmlCanvasElement>("canvas").ok()?,
        };
        let (w, h) = (bitmap.width(), bitmap.height());
        if canvas.width() != w || canvas.height() != h {
            canvas.set_width(w);
            canvas.set_height(h);
        }
        context_2d(&canvas)
            .and_then(|ctx| ctx.draw_image_with_image_bitmap(bitmap, 0.0, 0.0))
            .ok()?;
        Some(canvas)
    }

    /// `copy` went to the worker as request `id`.
    pub fn sent(&mut self, id: u64, copy: HtmlCanvasElement) {
        self.waiting.push_back((id, copy));
        while self.waiting.len() > KEPT {
            if let Some((_, old)) = self.waiting.pop_front() {
                self.spare.push(old);
            }
        }
    }

    /// The made-up picture of request `id` is now on screen: its copy, if one
    /// was made, is the "before" (none: the video is).
    pub fn showing(&mut self, id: u64) {
        while self.waiting.front().is_some_and(|(w, _)| *w < id) {
            if let Some((_, old)) = self.waiting.pop_front() {
                self.spare.push(old);
            }
        }
        let now = match self.waiting.front() {
            Some((w, _)) if *w == id => self.waiting.pop_front().map(|(_, c)| c),
            _ => None,
        };
        if let Some(old) = std::mem::replace(&mut self.shown, now) {
            self.spare.push(old);
        }
    }

    /// The camera frame behind the picture on screen, when it was copied.
    pub fn current(&self) -> Option<&HtmlCanvasElement> {
        self.shown.as_ref()
    }
}
