//! Undo/redo of this replica's own edits.
//!
//! yrs's `UndoManager` captures a transaction only if its origin is tracked. Every local edit
//! runs with the [`LOCAL`] origin and every applied peer update with [`REMOTE`], and only
//! `LOCAL` (plus the manager's own origin, which redo needs) is tracked, so undo never reverts
//! another member's work, and remote updates leave my redo stack alone.
//!
//! Step boundaries are explicit, not timed: the clock always reads 1 and the capture timeout is
//! `u64::MAX`, so every captured transaction joins the open step until `reset()` closes it
//! (`end_action`, `end_stroke` and every discrete edit call it). That keeps grouping identical on
//! wasm, where `SystemTime::now()` panics and `Options::default()` does not exist, and in tests.

use std::collections::HashSet;
use std::sync::Arc;

use yrs::undo::Options;
use yrs::{Doc, MapRef, UndoManager};

use crate::doc::EditDoc;

/// Origin of this replica's own transactions (tracked by the undo manager, broadcast).
pub(crate) const LOCAL: &str = "huddle-edit/local";
/// Origin of applied peer updates and restored state (not tracked, not broadcast).
pub(crate) const REMOTE: &str = "huddle-edit/remote";

/// The manager scoped to the editable roots, tracking only [`LOCAL`].
/// Opens a transaction (via `expand_scope`): call only while none is alive.
pub(crate) fn manager(doc: &Doc, scope: &[&MapRef]) -> UndoManager {
    let mut undo = UndoManager::with_options(Options {
        capture_timeout_millis: u64::MAX,
        tracked_origins: HashSet::new(),
        capture_transaction: None,
        // Must be > 0: the manager treats a last-change time of 0 as "step closed".
        timestamp: Arc::new(|| 1u64),
        init_undo_stack: Vec::new(),
        init_redo_stack: Vec::new(),
    });
    for root in scope {
        undo.expand_scope(doc, *root);
    }
    undo.include_origin(LOCAL);
    undo
}

impl EditDoc {
    /// Closes the current undo step (call at the end of a drag / gesture). Discrete ops
    /// (`add_*`, `set_text`, `reorder`, `delete`, `set_frame`, `end_stroke`) close their own step.
    pub fn end_action(&mut self) {
        self.undo.reset();
    }

    /// Reverts my most recent step (on every replica, through `take_outgoing`). `false` when
    /// there was nothing to undo that still changes the document.
    pub fn undo(&mut self) -> bool {
        self.undo.reset();
        self.undo.undo_blocking()
    }

    /// Re-applies my most recently undone step. New local edits clear the redo stack; peers'
    /// edits do not.
    pub fn redo(&mut self) -> bool {
        self.undo.reset();
        self.undo.redo_blocking()
    }

    pub fn can_undo(&self) -> bool {
        self.undo.can_undo()
    }

    pub fn can_redo(&self) -> bool {
        self.undo.can_redo()
    }
}
