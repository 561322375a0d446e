//! A tiny in-memory mesh for the tests: replicas and per-link message queues.

#![allow(dead_code)]

use huddle_edit::{EditDoc, Placement, TextStyle};

pub fn at(x: f32, y: f32) -> Placement {
    Placement {
        x,
        y,
        scale: 1.0,
        rotation: 0.0,
    }
}

pub fn style() -> TextStyle {
    TextStyle {
        font: "serif".into(),
        size: 0.08,
        colour: [255, 255, 255, 255],
        outline: Some([0, 0, 0, 255]),
    }
}

/// Sends everything `from` has to broadcast straight to `to` (and answers nothing else).
pub fn push(from: &mut EditDoc, to: &mut EditDoc) {
    for m in from.take_outgoing() {
        assert!(to.handle_sync(&m).expect("update applies").is_empty());
    }
}

/// The two sync steps in both directions, as when a link opens.
pub fn sync_pair(a: &mut EditDoc, b: &mut EditDoc) {
    fn one_way(x: &mut EditDoc, y: &mut EditDoc) {
        let step1 = x.sync_start();
        for reply in y.handle_sync(&step1).expect("step1") {
            assert!(x.handle_sync(&reply).expect("step2").is_empty());
        }
    }
    one_way(a, b);
    one_way(b, a);
}

/// Replicas with a queue per directed link (`queues[from][to]`), delivered on demand.
pub struct Mesh {
    pub docs: Vec<EditDoc>,
    pub queues: Vec<Vec<Vec<Vec<u8>>>>,
}

impl Mesh {
    pub fn new(n: usize) -> Self {
        Mesh {
            docs: (0..n).map(|i| EditDoc::new(1000 + i as u64)).collect(),
            queues: vec![vec![Vec::new(); n]; n],
        }
    }

    /// Queues replica `r`'s outgoing updates to every other replica.
    pub fn broadcast(&mut self, r: usize) {
        let out = self.docs[r].take_outgoing();
        for to in 0..self.docs.len() {
            if to != r {
                self.queues[r][to].extend(out.iter().cloned());
            }
        }
    }

    /// Delivers message `k` (mod queue length) of link `from → to`; keeps it queued for a later
    /// duplicate delivery when `dup`. Replies are queued on the way back.
    pub fn deliver(&mut self, from: usize, to: usize, k: usize, dup: bool) {
        let q = &mut self.queues[from][to];
        if q.is_empty() {
            return;
        }
        let k = k % q.len();
        let msg = if dup { q[k].clone() } else { q.remove(k) };
        let replies = self.docs[to].handle_sync(&msg).expect("valid message");
        self.queues[to][from].extend(replies);
    }

    /// Queues a SyncStep1 from `from` to `to` (as when a link reopens).
    pub fn start(&mut self, from: usize, to: usize) {
        let s = self.docs[from].sync_start();
        self.queues[from][to].push(s);
    }

    /// Delivers everything in flight, then runs the sync steps on every link until quiet.
    pub fn settle(&mut self) {
        let n = self.docs.len();
        for r in 0..n {
            self.broadcast(r);
        }
        loop {
            let mut any = false;
            for from in 0..n {
                for to in 0..n {
                    while !self.queues[from][to].is_empty() {
                        self.deliver(from, to, 0, false);
                        any = true;
                    }
                }
            }
            if !any {
                break;
            }
        }
        for a in 0..n {
            for b in 0..n {
                if a != b {
                    let (x, y) = pair(&mut self.docs, a, b);
                    sync_pair(x, y);
                }
            }
        }
        for r in 0..n {
            assert!(
                self.docs[r].take_outgoing().is_empty(),
                "applied remote changes must not be re-broadcast"
            );
            assert_eq!(
                self.docs[r].held_updates(),
                0,
                "nothing waits after a full sync"
            );
        }
    }
}

pub fn pair(docs: &mut [EditDoc], a: usize, b: usize) -> (&mut EditDoc, &mut EditDoc) {
    assert_ne!(a, b);
    if a < b {
        let (l, r) = docs.split_at_mut(b);
        (&mut l[a], &mut r[0])
    } else {
        let (l, r) = docs.split_at_mut(a);
        (&mut r[0], &mut l[b])
    }
}
