//! One member's newest live picture that the preview has not composed yet. The
//! producer (a member's video decoder, or my cut-out sender) puts each new
//! `VideoFrame` in; the preview takes it when it gathers a frame of the group
//! picture, and tells the compose worker "same as before" when there is none.
//! A frame replaced before anyone took it is closed: only the newest matters.
//! The camera's frames wait for the vision workers the same way
//! (`live::camera_frames`), with the time each was put in.

use std::cell::RefCell;
use std::rc::Rc;

use super::picture::Picture;

#[derive(Default)]
struct Slot {
    /// The picture and when it was put in or taken (wall-clock ms).
    newest: Option<(Picture, f64)>,
    /// Told after each new picture, so the taker need not wait for its next
    /// animation frame to look.
    on_put: Option<Rc<dyn Fn()>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((p, _)) = self.newest.take() {
            p.close();
        }
    }
}

/// Cheap to clone: clones share the slot.
#[derive(Clone, Default)]
pub struct LiveFeed {
    slot: Rc<RefCell<Slot>>,
}

impl std::fmt::Debug for LiveFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let waiting = self.slot.try_borrow().is_ok_and(|s| s.newest.is_some());
        f.debug_struct("LiveFeed")
            .field("waiting", &waiting)
            .finish()
    }
}

impl LiveFeed {
    /// Offers a new picture, closing one still waiting.
    pub fn put(&self, picture: Picture) {
        self.put_taken(picture, js_sys::Date::now());
    }

    /// [`Self::put`] a picture whose camera frame was taken at `taken_ms` (wall
    /// clock): [`Self::take_timed`] gives that time instead of now.
    pub fn put_taken(&self, picture: Picture, taken_ms: f64) {
        let (old, wake) = {
            let mut slot = self.slot.borrow_mut();
            (
                slot.newest.replace((picture, taken_ms)),
                slot.on_put.clone(),
            )
        };
        if let Some((old, _)) = old {
            old.close();
        }
        // With the slot released: the taker may take the picture at once.
        if let Some(wake) = wake {
            wake();
        }
    }

    /// Calls `wake` after every new picture (replacing an earlier `wake`). Give it
    /// weak references: the feed lives as long as its producer.
    pub fn on_put(&self, wake: impl Fn() + 'static) {
        self.slot.borrow_mut().on_put = Some(Rc::new(wake));
    }

    /// The newest picture not taken yet; the caller owns it (and closes it).
    pub fn take(&self) -> Option<Picture> {
        self.take_timed().map(|(p, _)| p)
    }

    /// [`Self::take`], with the wall-clock ms it was put in (or its camera frame
    /// taken, when it was put with [`Self::put_taken`]).
    pub fn take_timed(&self) -> Option<(Picture, f64)> {
        self.slot.borrow_mut().newest.take()
    }

    /// Closes the picture waiting, if any.
    pub fn clear(&self) {
        if let Some(p) = self.take() {
            p.close();
        }
    }

    /// Whether both handles share one slot.
    pub fn same_as(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.slot, &other.slot)
    }
}

#[cfg(test)]
mod tests {
    use super::LiveFeed;
    use crate::compose::picture::Picture;
    use wasm_bindgen_futures::JsFuture;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::{ImageBitmap, ImageData};

    async fn bitmap(width: u32) -> ImageBitmap {
        let data = ImageData::new_with_sw(width, 2).expect("data");
        let promise = web_sys::window()
            .expect("window")
            .create_image_bitmap_with_image_data(&data)
            .expect("createImageBitmap");
        wasm_bindgen::JsCast::unchecked_into(JsFuture::from(promise).await.expect("bitmap"))
    }

    #[wasm_bindgen_test]
    async fn only_the_newest_waits_and_the_replaced_one_is_freed() {
        let feed = LiveFeed::default();
        assert!(feed.take().is_none());
        let (old, new) = (bitmap(3).await, bitmap(5).await);
        feed.put(Picture::from(old.clone()));
        feed.clone().put(Picture::from(new.clone()));
        assert_eq!(old.width(), 0, "the replaced picture is closed");
        let taken = feed.take().expect("the newest");
        assert_eq!(taken.size(), (5, 2));
        assert!(feed.take().is_none(), "taken once");
        // Whatever waits when the last handle goes is freed with it.
        let last = bitmap(7).await;
        feed.put(Picture::from(last.clone()));
        drop(feed);
        assert_eq!(last.width(), 0);
    }

    #[wasm_bindgen_test]
    async fn a_picture_put_with_its_camera_time_is_taken_with_it() {
        let feed = LiveFeed::default();
        feed.put_taken(Picture::from(bitmap(3).await), 1234.5);
        let (picture, taken) = feed.take_timed().expect("waiting");
        assert_eq!(taken, 1234.5);
        picture.close();
        let before = js_sys::Date::now();
        feed.put(Picture::from(bitmap(3).await));
        let (picture, put) = feed.take_timed().expect("waiting");
        assert!(put >= before, "a plain put is timed when put");
        picture.close();
    }

    #[wasm_bindgen_test]
    async fn the_taker_is_woken_by_each_new_picture_and_can_take_it_then() {
        let feed = LiveFeed::default();
        let taken = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let (taker, seen) = (feed.clone(), taken.clone());
        feed.on_put(move || {
            if let Some(p) = taker.take() {
                seen.borrow_mut().push(p.size().0);
                p.close();
            }
        });
        feed.put(Picture::from(bitmap(3).await));
        feed.put_taken(Picture::from(bitmap(5).await), 1.0);
        assert_eq!(*taken.borrow(), vec![3, 5]);
        assert!(feed.take().is_none());
        // The waker held the feed: let it go.
        feed.on_put(|| {});
    }
}
