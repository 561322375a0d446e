//! Undo and redo touch only the replica's own steps, and a step is what the user sees as one.

mod common;

use common::{at, push, style, sync_pair};
use huddle_edit::{EditDoc, ElementKind, Frame, Reorder};

#[test]
fn undo_touches_only_local_changes() {
    let mut a = EditDoc::new(1);
    let mut b = EditDoc::new(2);
    let sticker = a.add_sticker("star", 0.2, at(0.2, 0.2));
    let stroke = b.begin_stroke([0, 0, 255, 255], 0.01, false, at(0.0, 0.0));
    b.extend_stroke(&stroke, &[[0.1, 0.1], [0.2, 0.2]]).unwrap();
    b.end_stroke(&stroke);
    // B also draws and undoes a second stroke, so it has something on its redo stack.
    let redo_me = b.begin_stroke([0, 255, 0, 255], 0.02, false, at(0.0, 0.0));
    b.extend_stroke(&redo_me, &[[0.5, 0.5]]).unwrap();
    b.end_stroke(&redo_me);
    assert!(b.undo());
    assert!(b.can_redo());
    push(&mut a, &mut b);
    push(&mut b, &mut a);
    assert_eq!(a.snapshot(), b.snapshot());

    assert!(a.undo());
    assert!(!a.can_undo(), "B's stroke is not in A's history");
    push(&mut a, &mut b);
    for doc in [&a, &b] {
        assert!(
            doc.element(&sticker).is_none(),
            "A's sticker gone everywhere"
        );
        assert!(doc.element(&stroke).is_some(), "B's stroke stays");
        assert!(doc.element(&redo_me).is_none());
    }
    assert!(
        b.can_redo(),
        "A's undo arriving at B leaves B's redo stack alone"
    );
    assert!(b.redo());
    push(&mut b, &mut a);
    assert!(a.element(&redo_me).is_some());
    assert!(!a.undo(), "nothing of A's left to undo");
    assert_eq!(a.snapshot(), b.snapshot());
    assert_eq!(a.snapshot().elements.len(), 2);
}

#[test]
fn stroke_is_one_undo_step() {
    let mut a = EditDoc::new(1);
    let before = a.add_sticker("sun", 0.3, at(0.5, 0.5));
    let id = a.begin_stroke([0, 0, 0, 255], 0.01, false, at(0.0, 0.0));
    for i in 0..50 {
        a.extend_stroke(&id, &[[i as f32 / 50.0, 0.5], [i as f32 / 50.0, 0.6]])
            .unwrap();
    }
    a.end_stroke(&id);
    match a.element(&id).unwrap().kind {
        ElementKind::Stroke { points, .. } => assert_eq!(points.len(), 100),
        k => panic!("not a stroke: {k:?}"),
    }
    assert!(a.undo());
    assert!(a.element(&id).is_none(), "the whole stroke goes at once");
    assert!(a.element(&before).is_some(), "and nothing before it");
    assert!(a.redo());
    match a.element(&id).unwrap().kind {
        ElementKind::Stroke { points, .. } => assert_eq!(points.len(), 100),
        k => panic!("not a stroke: {k:?}"),
    }
}

#[test]
fn drag_is_one_step_until_end_action() {
    let mut a = EditDoc::new(1);
    let id = a.add_sticker("sun", 0.3, at(0.1, 0.1));
    for i in 1..=20 {
        a.set_placement(&id, at(0.1 + i as f32 * 0.01, 0.1))
            .unwrap();
    }
    a.end_action();
    a.set_placement(&id, at(0.9, 0.9)).unwrap();
    a.end_action();
    assert!(a.undo());
    assert_eq!(
        a.element(&id).unwrap().placement,
        at(0.1 + 20.0 * 0.01, 0.1)
    );
    assert!(a.undo());
    assert_eq!(a.element(&id).unwrap().placement, at(0.1, 0.1));
    assert!(a.undo());
    assert!(a.element(&id).is_none());
}

#[test]
fn undo_my_move_of_anothers_sticker_restores_it() {
    let mut a = EditDoc::new(1);
    let mut b = EditDoc::new(2);
    let id = b.add_sticker("cat", 0.2, at(0.2, 0.2));
    push(&mut b, &mut a);
    a.set_placement(&id, at(0.7, 0.7)).unwrap();
    a.end_action();
    push(&mut a, &mut b);
    assert_eq!(b.element(&id).unwrap().placement, at(0.7, 0.7));
    assert!(a.undo());
    push(&mut a, &mut b);
    for doc in [&a, &b] {
        let e = doc.element(&id).expect("B's sticker survives A's undo");
        assert_eq!(e.placement, at(0.2, 0.2));
        assert_eq!(e.author, 2);
    }
    assert!(!a.can_undo());
}

#[test]
fn undo_my_add_removes_it_even_after_anothers_move() {
    let mut a = EditDoc::new(1);
    let mut b = EditDoc::new(2);
    let id = a.add_sticker("dog", 0.2, at(0.2, 0.2));
    push(&mut a, &mut b);
    b.set_placement(&id, at(0.6, 0.6)).unwrap();
    b.end_action();
    push(&mut b, &mut a);
    assert!(a.undo());
    push(&mut a, &mut b);
    assert!(a.element(&id).is_none());
    assert!(b.element(&id).is_none());
}

#[test]
fn undo_delete_reorder_text_and_frame() {
    let mut a = EditDoc::new(1);
    let mut b = EditDoc::new(2);
    let t = a.add_text("hello", style(), at(0.5, 0.5));
    let s = a.add_sticker("x", 0.1, at(0.4, 0.4));
    sync_pair(&mut a, &mut b);
    let snap0 = a.snapshot();
    a.set_text(&t, "bye", style()).unwrap();
    a.reorder(&t, Reorder::ToFront).unwrap();
    a.delete(&s).unwrap();
    a.set_frame(Frame {
        crop: [0.1, 0.1, 0.9, 0.9],
        quarter_turns: 1,
    });
    assert_eq!(a.snapshot().frame.quarter_turns, 1);
    for _ in 0..4 {
        assert!(a.undo());
    }
    assert_eq!(a.snapshot(), snap0);
    push(&mut a, &mut b);
    assert_eq!(b.snapshot(), snap0);
    for _ in 0..4 {
        assert!(a.redo());
    }
    push(&mut a, &mut b);
    let s1 = b.snapshot();
    assert_eq!(s1.elements.len(), 1);
    assert_eq!(s1.frame.crop, [0.1, 0.1, 0.9, 0.9]);
    match &s1.elements[0].kind {
        ElementKind::Text { content, .. } => assert_eq!(content, "bye"),
        k => panic!("{k:?}"),
    }
}

#[test]
fn new_local_edit_clears_redo_but_remote_does_not() {
    let mut a = EditDoc::new(1);
    let mut b = EditDoc::new(2);
    a.add_sticker("a", 0.1, at(0.1, 0.1));
    assert!(a.undo());
    b.add_sticker("b", 0.1, at(0.2, 0.2));
    push(&mut b, &mut a);
    assert!(a.can_redo());
    a.add_sticker("c", 0.1, at(0.3, 0.3));
    assert!(!a.can_redo());
}
