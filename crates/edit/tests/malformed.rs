//! Whatever a peer sends, `handle_sync` returns an error or applies it; it never panics.

mod common;

use common::{at, style};
use huddle_edit::EditDoc;
use proptest::prelude::*;

fn sample_messages() -> Vec<Vec<u8>> {
    let mut a = EditDoc::new(5);
    let mut msgs = vec![a.sync_start()];
    a.add_sticker("heart", 0.2, at(0.1, 0.2));
    let k = a.begin_stroke([1, 2, 3, 4], 0.01, false, at(0.0, 0.0));
    a.extend_stroke(&k, &[[0.1, 0.1], [0.2, 0.2]]).unwrap();
    a.end_stroke(&k);
    a.add_text("hi", style(), at(0.5, 0.5));
    msgs.extend(a.take_outgoing());
    let fresh = EditDoc::new(6);
    msgs.extend(a.handle_sync(&fresh.sync_start()).unwrap());
    msgs
}

#[test]
fn malformed_payloads_are_errors() {
    let mut b = EditDoc::new(7);
    let good = sample_messages();
    assert!(b.handle_sync(&[]).is_err(), "empty");
    assert!(b.handle_sync(&[0xff; 16]).is_err(), "garbage");
    assert!(b.handle_sync(&[0, 7, 1, 0]).is_err(), "unknown sync step");
    assert!(b.handle_sync(&[0, 2, 200]).is_err(), "length past the end");
    assert!(b.handle_sync(&[9, 0]).is_err(), "unknown message type");
    for m in &good {
        let cut = &m[..m.len() - 1];
        assert!(b.handle_sync(cut).is_err(), "truncated message");
    }
    // A valid message followed by junk is rejected whole, and nothing of it applied.
    let mut joined = good[1].clone();
    joined.extend_from_slice(&[0, 2]);
    assert!(b.handle_sync(&joined).is_err());
    assert!(b.snapshot().elements.is_empty());
    assert!(EditDoc::from_state(8, &[1, 2, 3]).is_err());
    // Several good messages in one payload are fine.
    let all: Vec<u8> = good.concat();
    let replies = b.handle_sync(&all).unwrap();
    assert_eq!(replies.len(), 1, "one SyncStep2 for the SyncStep1");
    assert_eq!(b.snapshot().elements.len(), 3);
}

/// Runs `f`, which must not panic. yrs is built without its debug assertions and overflow
/// checks even in test builds (see the workspace `Cargo.toml`), as it is in the app, so this
/// checks what a hostile peer can do to a real page.
fn must_not_panic(f: impl FnOnce() + std::panic::UnwindSafe) {
    if let Err(payload) = std::panic::catch_unwind(f) {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        panic!("panicked on remote input: {msg}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Bit flips, cuts and splices of real messages.
    #[test]
    fn mutated_messages_never_panic(
        which in any::<usize>(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<Option<usize>>(),
    ) {
        let msgs = sample_messages();
        let mut m = msgs[which % msgs.len()].clone();
        for (pos, x) in flips {
            let i = pos % m.len();
            m[i] ^= x;
        }
        if let Some(c) = cut {
            m.truncate(c % (m.len() + 1));
        }
        must_not_panic(|| {
            let mut b = EditDoc::new(9);
            let _ = b.handle_sync(&m);
            let _ = b.snapshot();
            let _ = b.add_sticker("after", 0.1, at(0.5, 0.5));
            let _ = EditDoc::from_state(10, &m).map(|d| d.snapshot());
        });
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        must_not_panic(|| {
            let mut b = EditDoc::new(9);
            let _ = b.handle_sync(&bytes);
            let _ = EditDoc::from_state(10, &bytes);
        });
    }
}
