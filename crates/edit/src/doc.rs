//! The replica: the yrs document, its roots, the undo manager and the outbox, and the edits.
//!
//! Every method opens at most one transaction and drops it before returning or before the undo
//! manager runs. That matters on wasm, where yrs panics (instead of blocking) when a second
//! transaction is opened while one is alive. The `Doc` never leaves this struct, so nothing
//! else can hold a transaction open across these calls.

use std::sync::{Arc, Mutex, MutexGuard};

use yrs::updates::decoder::Decode;
use yrs::{Array, Doc, Map, MapRef, Origin, Out, ReadTxn, Transact, TransactionMut, Update};

use crate::error::EditError;
use crate::limits::{self, MAX_ELEMENTS, MAX_STROKE_POINTS};
use crate::order::{self, Plan};
use crate::schema::{self, ELEMENTS, FRAME};
use crate::types::{
    DocSnapshot, ElementId, ElementKind, ElementSnapshot, Frame, Placement, Reorder, TextStyle,
};
use crate::undo::{self, LOCAL, REMOTE};

/// Key of the update observer (observers are keyed in yrs 0.28).
const OUTBOX_OBSERVER: &str = "huddle-edit/outbox";
/// yrs client ids are 53-bit (they must survive a JS number).
const CLIENT_ID_MASK: u64 = (1 << 53) - 1;

/// One member's replica of the shared edit document of one photo.
///
/// Not `Send` (the undo manager holds non-`Send` callbacks unless yrs's `sync` feature is on):
/// keep it in an `Rc<RefCell<_>>` / `StoredValue::new_local`, and push [`DocSnapshot`]s into
/// signals.
pub struct EditDoc {
    pub(crate) doc: Doc,
    elements: MapRef,
    frame: MapRef,
    pub(crate) undo: yrs::UndoManager,
    /// v1 updates of local transactions, filled by the doc's update observer. A Mutex rather than
    /// a RefCell so the crate also compiles if something turns on yrs's `sync` feature (which
    /// demands `Send + Sync` callbacks); it is never contended.
    outbox: Arc<Mutex<Vec<Vec<u8>>>>,
    client_id: u64,
    next_counter: u64,
    /// Peer updates whose causal dependencies have not all arrived (see `sync.rs`).
    pub(crate) held: crate::sync::Held,
    /// My own clock when [`EditDoc::take_outgoing`] last ran: where the next batch starts.
    pub(crate) sent_clock: u32,
}

impl EditDoc {
    /// A new, empty replica. `client_id` must be random per page load and below 2^53 (higher
    /// bits are dropped): yrs corrupts documents when two live replicas share an id, so never
    /// derive it from a member id or reuse one after a reload.
    pub fn new(client_id: u64) -> Self {
        let client_id = client_id & CLIENT_ID_MASK;
        let doc = Doc::with_client_id(client_id);
        // Roots exist before any transaction, on every replica (creating them opens one).
        let elements = doc.get_or_insert_map(ELEMENTS);
        let frame = doc.get_or_insert_map(FRAME);
        let undo = undo::manager(&doc, &[&elements, &frame]);
        let outbox: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let sink = outbox.clone();
        let remote = Origin::from(REMOTE);
        // Cannot fail: no transaction is alive yet.
        let _ = doc.observe_update_v1(OUTBOX_OBSERVER, move |txn, e| {
            // Runs inside the commit: only copy the bytes out, never touch the doc.
            if txn.origin() != Some(&remote) {
                lock(&sink).push(e.update.clone());
            }
        });
        EditDoc {
            doc,
            elements,
            frame,
            undo,
            outbox,
            client_id,
            next_counter: 0,
            held: crate::sync::Held::default(),
            sent_clock: 0,
        }
    }

    pub fn client_id(&self) -> u64 {
        self.client_id
    }

    /// Loads a saved state (from [`EditDoc::encode_state`]) into a NEW replica with this client
    /// id (used after a reload). The restored content is not in the undo history and not in
    /// `take_outgoing`: peers get whatever they lack through the sync steps.
    pub fn from_state(client_id: u64, state: &[u8]) -> Result<Self, EditError> {
        let update = Update::decode_v1(state)?;
        let me = Self::new(client_id);
        me.doc.transact_mut_with(REMOTE).apply_update(update)?;
        Ok(me)
    }

    /// The whole document as one v1 update (for storage). Peer updates still held for their
    /// predecessors are not in it; the sync steps after a reload fetch them again.
    pub fn encode_state(&self) -> Vec<u8> {
        self.doc
            .transact()
            .encode_state_as_update_v1(&yrs::StateVector::default())
    }

    pub(crate) fn outbox(&self) -> MutexGuard<'_, Vec<Vec<u8>>> {
        lock(&self.outbox)
    }

    fn local_txn(&self) -> TransactionMut<'_> {
        self.doc.transact_mut_with(LOCAL)
    }

    // ---- reading ----

    pub fn snapshot(&self) -> DocSnapshot {
        let txn = self.doc.transact();
        DocSnapshot {
            frame: schema::read_frame(&txn, &self.frame),
            elements: schema::read_elements(&txn, &self.elements),
        }
    }

    pub fn element(&self, id: &ElementId) -> Option<ElementSnapshot> {
        let txn = self.doc.transact();
        let map = schema::element_map(&txn, &self.elements, id)?;
        schema::read_element(&txn, &id.0, &map)
    }

    /// Number of entries in the elements map (including any malformed ones a peer wrote).
    pub fn element_count(&self) -> usize {
        self.elements.len(&self.doc.transact()) as usize
    }

    /// True when [`MAX_ELEMENTS`] is reached: `add_*` then add nothing (the returned id names
    /// no element), so the UI should disable its tools.
    pub fn is_full(&self) -> bool {
        self.element_count() >= MAX_ELEMENTS
    }

    pub fn frame(&self) -> Frame {
        schema::read_frame(&self.doc.transact(), &self.frame)
    }

    // ---- edits ----

    /// Places a sticker on top (max z + 1).
    pub fn add_sticker(&mut self, preset: &str, size: f32, at: Placement) -> ElementId {
        let kind = ElementKind::Sticker {
            preset: limits::preset(preset),
            size: limits::size(size, 1.0),
        };
        let id = self.add(&kind, at);
        self.undo.reset();
        id
    }

    /// Places a text element on top. Text longer than [`limits::MAX_TEXT_CHARS`] is cut.
    pub fn add_text(&mut self, content: &str, style: TextStyle, at: Placement) -> ElementId {
        let kind = ElementKind::Text {
            content: limits::text(content),
            style: limits::style(&style),
        };
        let id = self.add(&kind, at);
        self.undo.reset();
        id
    }

    /// Starts a stroke on top. Its points come with [`EditDoc::extend_stroke`]; the undo step
    /// stays open until [`EditDoc::end_stroke`], so the whole stroke undoes at once.
    pub fn begin_stroke(
        &mut self,
        colour: [u8; 4],
        width: f32,
        eraser: bool,
        at: Placement,
    ) -> ElementId {
        let kind = ElementKind::Stroke {
            points: Vec::new(),
            colour,
            width: limits::size(width, 0.01),
            eraser,
        };
        self.add(&kind, at)
    }

    /// Appends points to a stroke (a yrs array append, so peers see the stroke grow as the
    /// updates arrive). Points are in the app's frame (photo shares or offsets from `at`).
    /// Non-finite points are dropped, coordinates are clamped to ±[`limits::POINT_LIMIT`], and
    /// points past [`MAX_STROKE_POINTS`] are dropped silently. Joins the open undo step.
    pub fn extend_stroke(&mut self, id: &ElementId, points: &[[f32; 2]]) -> Result<(), EditError> {
        let mut txn = self.local_txn();
        let map = self.existing(&txn, id)?;
        let arr = match schema::kind_of(&txn, &map).as_deref() {
            Some(schema::STROKE) => schema::points_array(&txn, &map),
            _ => None,
        }
        .ok_or_else(|| EditError::WrongKind {
            id: id.clone(),
            expected: "stroke",
        })?;
        let len = arr.len(&txn);
        let room = MAX_STROKE_POINTS.saturating_sub(len as usize / 2);
        let coords: Vec<f32> = points
            .iter()
            .filter_map(|&[x, y]| Some([limits::point(x)?, limits::point(y)?]))
            .take(room)
            .flatten()
            .collect();
        if !coords.is_empty() {
            arr.insert_range(&mut txn, len, coords);
        }
        Ok(())
    }

    /// Ends the stroke's undo step. The id is not needed for that; it is taken so call sites
    /// read naturally.
    pub fn end_stroke(&mut self, _id: &ElementId) {
        self.undo.reset();
    }

    /// Moves / scales / rotates an element. Continuous (a drag calls it per frame): joins the open
    /// undo step until [`EditDoc::end_action`]. Writes only when the value changed.
    pub fn set_placement(&mut self, id: &ElementId, at: Placement) -> Result<(), EditError> {
        let mut txn = self.local_txn();
        let map = self.existing(&txn, id)?;
        map.try_update(
            &mut txn,
            schema::PLACE,
            schema::place_any(limits::placement(at)),
        );
        Ok(())
    }

    /// Replaces a text element's content and style (one undo step). Each field is its own
    /// last-writer-wins key, so one member recolouring while another retypes keeps both.
    pub fn set_text(
        &mut self,
        id: &ElementId,
        content: &str,
        style: TextStyle,
    ) -> Result<(), EditError> {
        self.undo.reset();
        let result = (|| {
            let mut txn = self.local_txn();
            let map = self.existing(&txn, id)?;
            if schema::kind_of(&txn, &map).as_deref() != Some(schema::TEXT_KIND) {
                return Err(EditError::WrongKind {
                    id: id.clone(),
                    expected: "text",
                });
            }
            let style = limits::style(&style);
            let t = &mut txn;
            map.try_update(t, schema::TEXT, limits::text(content));
            map.try_update(t, schema::FONT, style.font);
            map.try_update(t, schema::SIZE, style.size);
            map.try_update(t, schema::COLOUR, schema::colour_any(style.colour));
            map.try_update(t, schema::OUTLINE, schema::outline_any(style.outline));
            Ok(())
        })();
        self.undo.reset();
        result
    }

    /// Changes the stacking order by writing a fractional z between the new neighbours
    /// (see `order.rs`). One undo step; no-op when already in place.
    pub fn reorder(&mut self, id: &ElementId, how: Reorder) -> Result<(), EditError> {
        self.undo.reset();
        let result = (|| {
            let mut txn = self.local_txn();
            let map = self.existing(&txn, id)?;
            let mut stack = self.stack(&txn);
            let Some(i) = stack.iter().position(|(_, eid, _)| eid == id) else {
                // Present but malformed (never shown): nothing to order.
                return Ok(());
            };
            let mut plan = order::plan(&zs(&stack), i, how);
            if plan == Plan::Renumber {
                renumber(&mut txn, &mut stack);
                plan = order::plan(&zs(&stack), i, how);
            }
            if let Plan::Set(z) = plan {
                map.insert(&mut txn, schema::Z, z);
            }
            Ok(())
        })();
        self.undo.reset();
        result
    }

    /// Removes an element (one undo step; undo brings it back). Removing its nested map means a
    /// peer's concurrent edits inside it are dropped on merge instead of reviving it.
    pub fn delete(&mut self, id: &ElementId) -> Result<(), EditError> {
        self.undo.reset();
        let result = (|| {
            let mut txn = self.local_txn();
            self.existing(&txn, id)?;
            self.elements.remove(&mut txn, &id.0);
            Ok(())
        })();
        self.undo.reset();
        result
    }

    /// Sets the photo's crop and rotation (sanitised: see [`Frame`]); one undo step.
    pub fn set_frame(&mut self, frame: Frame) {
        self.undo.reset();
        {
            let f = limits::frame(frame);
            let mut txn = self.local_txn();
            self.frame
                .try_update(&mut txn, schema::CROP, schema::quad(f.crop));
            self.frame
                .try_update(&mut txn, schema::TURNS, i64::from(f.quarter_turns));
        }
        self.undo.reset();
    }

    // ---- helpers ----

    /// Adds an element on top, in one transaction; leaves the undo step open for the caller.
    fn add(&mut self, kind: &ElementKind, at: Placement) -> ElementId {
        // A new element never joins a step that was left open (e.g. a drag without end_action).
        self.undo.reset();
        let at = limits::placement(at);
        let mut txn = self.doc.transact_mut_with(LOCAL);
        let id = loop {
            let id = ElementId::new(self.client_id, self.next_counter);
            self.next_counter += 1;
            // Only a restored state from an earlier replica with the same id could hold it.
            if !self.elements.contains_key(&txn, &id.0) {
                break id;
            }
        };
        if self.elements.len(&txn) as usize >= MAX_ELEMENTS {
            return id;
        }
        let mut stack = self.stack(&txn);
        let mut plan = order::top(stack.last().map(|(z, _, _)| *z));
        if plan == Plan::Renumber {
            renumber(&mut txn, &mut stack);
            plan = order::top(stack.last().map(|(z, _, _)| *z));
        }
        let z = match plan {
            Plan::Set(z) => z,
            _ => stack.len() as f64,
        };
        self.elements
            .insert(&mut txn, id.0.clone(), schema::new_element(kind, z, at));
        id
    }

    fn existing<T: ReadTxn>(&self, txn: &T, id: &ElementId) -> Result<MapRef, EditError> {
        schema::element_map(txn, &self.elements, id)
            .ok_or_else(|| EditError::UnknownElement(id.clone()))
    }

    /// The shown elements bottom → top by `(z, id)`, as `snapshot` orders them.
    fn stack<T: ReadTxn>(&self, txn: &T) -> Vec<(f64, ElementId, MapRef)> {
        let mut v: Vec<(f64, ElementId, MapRef)> = self
            .elements
            .iter(txn)
            .filter_map(|(id, out)| {
                let Out::YMap(m) = out else { return None };
                let id = ElementId(id.to_string());
                id.author()?;
                matches!(
                    schema::kind_of(txn, &m).as_deref(),
                    Some(schema::STICKER | schema::STROKE | schema::TEXT_KIND)
                )
                .then(|| (schema::z_of(txn, &m), id, m))
            })
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        v
    }
}

fn zs(stack: &[(f64, ElementId, MapRef)]) -> Vec<f64> {
    stack.iter().map(|(z, _, _)| *z).collect()
}

/// z := index for every element, keeping the current order; only changed values are written.
fn renumber(txn: &mut TransactionMut, stack: &mut [(f64, ElementId, MapRef)]) {
    for (i, (z, _, map)) in stack.iter_mut().enumerate() {
        *z = i as f64;
        map.try_update(txn, schema::Z, *z);
    }
}

fn lock(m: &Mutex<Vec<Vec<u8>>>) -> MutexGuard<'_, Vec<Vec<u8>>> {
    // A panic while holding it would have aborted the app anyway; the data is still valid.
    m.lock().unwrap_or_else(|e| e.into_inner())
}
