//! Saving and reloading, late joiners, and concurrent delete vs move.

mod common;

use common::{at, push, style, sync_pair};
use huddle_edit::{EditDoc, Frame, Reorder};

fn busy_doc() -> EditDoc {
    let mut a = EditDoc::new(11);
    let s = a.add_sticker("heart", 0.2, at(0.3, 0.3));
    a.add_text("hello", style(), at(0.5, 0.9));
    let k = a.begin_stroke([10, 20, 30, 255], 0.02, false, at(0.0, 0.0));
    a.extend_stroke(&k, &[[0.1, 0.1], [0.2, 0.3], [0.4, 0.4]])
        .unwrap();
    a.end_stroke(&k);
    a.reorder(&s, Reorder::ToFront).unwrap();
    a.set_frame(Frame {
        crop: [0.0, 0.1, 1.0, 0.9],
        quarter_turns: 3,
    });
    a
}

#[test]
fn from_state_round_trip() {
    let a = busy_doc();
    let b = EditDoc::from_state(12, &a.encode_state()).unwrap();
    assert_eq!(b.client_id(), 12);
    assert_eq!(a.snapshot(), b.snapshot());
    assert!(
        !b.can_undo(),
        "restored content is not the new replica's history"
    );
    assert_eq!(
        b.encode_state(),
        EditDoc::from_state(13, &b.encode_state())
            .unwrap()
            .encode_state()
    );
}

#[test]
fn reloaded_replica_syncs_full_state() {
    let mut a = busy_doc();
    let mut b = EditDoc::new(20);
    sync_pair(&mut a, &mut b);
    // B reloads: new client id, saved bytes. Meanwhile A keeps editing.
    let saved = b.encode_state();
    drop(b);
    let later = a.add_sticker("late", 0.1, at(0.9, 0.1));
    let _ = a.take_outgoing(); // the reloading B misses this broadcast
    let mut b2 = EditDoc::from_state(21, &saved).unwrap();
    assert!(b2.element(&later).is_none());
    // A brand-new member with nothing joins too.
    let mut c = EditDoc::new(30);
    sync_pair(&mut b2, &mut a);
    sync_pair(&mut c, &mut a);
    assert_eq!(b2.snapshot(), a.snapshot());
    assert_eq!(c.snapshot(), a.snapshot());
    // The reloaded replica's own ids do not collide with the old ones.
    let mine = b2.add_sticker("new", 0.1, at(0.5, 0.5));
    assert_eq!(mine.author(), Some(21));
    push(&mut b2, &mut a);
    assert!(a.element(&mine).is_some());
}

#[test]
fn delete_beats_concurrent_move() {
    let mut a = EditDoc::new(1);
    let mut b = EditDoc::new(2);
    let id = a.add_sticker("star", 0.2, at(0.2, 0.2));
    push(&mut a, &mut b);
    // Concurrently: A deletes, B drags.
    a.delete(&id).unwrap();
    for i in 0..5 {
        b.set_placement(&id, at(0.3 + i as f32 * 0.1, 0.5)).unwrap();
    }
    b.end_action();
    let from_a = a.take_outgoing();
    let from_b = b.take_outgoing();
    // Both delivery orders.
    for m in &from_b {
        a.handle_sync(m).unwrap();
    }
    for m in &from_a {
        b.handle_sync(m).unwrap();
    }
    assert!(a.element(&id).is_none());
    assert!(b.element(&id).is_none());
    assert_eq!(a.snapshot(), b.snapshot());
    // A later move by B errors instead of reviving it.
    assert!(b.set_placement(&id, at(0.1, 0.1)).is_err());
    sync_pair(&mut a, &mut b);
    assert!(a.element(&id).is_none());
}

#[test]
fn concurrent_reorders_converge() {
    let mut a = EditDoc::new(1);
    let mut b = EditDoc::new(2);
    let ids: Vec<_> = (0..4)
        .map(|i| a.add_sticker("s", 0.1, at(i as f32 / 4.0, 0.5)))
        .collect();
    push(&mut a, &mut b);
    a.reorder(&ids[0], Reorder::ToFront).unwrap();
    b.reorder(&ids[0], Reorder::Forward).unwrap();
    b.reorder(&ids[3], Reorder::ToBack).unwrap();
    push(&mut a, &mut b);
    push(&mut b, &mut a);
    let s = a.snapshot();
    assert_eq!(s, b.snapshot());
    assert_eq!(s.elements.len(), 4);
}

#[test]
fn many_reorders_renumber_without_losing_order() {
    let mut a = EditDoc::new(1);
    let x = a.add_sticker("x", 0.1, at(0.1, 0.1));
    let y = a.add_sticker("y", 0.1, at(0.2, 0.2));
    let z = a.add_sticker("z", 0.1, at(0.3, 0.3));
    // Repeatedly squeezing between the same neighbours halves the gap every time.
    for _ in 0..200 {
        a.reorder(&x, Reorder::Forward).unwrap();
        a.reorder(&x, Reorder::Backward).unwrap();
    }
    a.reorder(&z, Reorder::Backward).unwrap();
    let order: Vec<_> = a.snapshot().elements.into_iter().map(|e| e.id).collect();
    assert_eq!(order, vec![x, z, y]);
}

#[test]
fn limits_are_enforced() {
    use huddle_edit::limits::{MAX_STROKE_POINTS, MAX_TEXT_CHARS};
    use huddle_edit::ElementKind;
    let mut a = EditDoc::new(1);
    let k = a.begin_stroke([0; 4], f32::NAN, false, at(f32::NAN, f32::INFINITY));
    let pts: Vec<[f32; 2]> = (0..MAX_STROKE_POINTS + 100)
        .map(|i| [i as f32 * 1e-4, 0.5])
        .collect();
    a.extend_stroke(&k, &[[f32::NAN, 0.1], [f32::INFINITY, 0.1], [50.0, -50.0]])
        .unwrap();
    a.extend_stroke(&k, &pts).unwrap();
    a.end_stroke(&k);
    let e = a.element(&k).unwrap();
    assert_eq!((e.placement.x, e.placement.y), (0.5, 0.5));
    match e.kind {
        ElementKind::Stroke { points, width, .. } => {
            assert_eq!(points.len(), MAX_STROKE_POINTS);
            assert_eq!(points[0], [16.0, -16.0], "clamped, NaN/inf points dropped");
            assert!(width.is_finite());
        }
        k => panic!("{k:?}"),
    }
    let long = "x".repeat(MAX_TEXT_CHARS * 2);
    let t = a.add_text(&long, style(), at(0.5, 0.5));
    match a.element(&t).unwrap().kind {
        ElementKind::Text { content, .. } => assert_eq!(content.len(), MAX_TEXT_CHARS),
        k => panic!("{k:?}"),
    }
    assert!(matches!(
        a.extend_stroke(&t, &[[0.1, 0.1]]),
        Err(huddle_edit::EditError::WrongKind { .. })
    ));
}

#[test]
fn element_cap() {
    use huddle_edit::limits::MAX_ELEMENTS;
    let mut a = EditDoc::new(1);
    for _ in 0..MAX_ELEMENTS {
        a.add_sticker("s", 0.1, at(0.5, 0.5));
    }
    assert!(a.is_full());
    let extra = a.add_sticker("s", 0.1, at(0.5, 0.5));
    assert!(a.element(&extra).is_none());
    assert_eq!(a.snapshot().elements.len(), MAX_ELEMENTS);
}
