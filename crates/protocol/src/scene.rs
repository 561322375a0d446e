//! The room-wide look of the live picture (layout, background, filter, effects,
//! members' drag/scale/mirror, scene stickers), shared on the data channels.
//!
//! Every setting is a last-writer-wins register ([`Stamped`]): a change carries
//! a Lamport clock and its author, and merging keeps the higher `(clock, by)`.
//! Merge is commutative, associative and idempotent, so members that saw the
//! same changes in any order hold the same state, with no server involved. A
//! text CRDT (yrs) is for the photo editor; these are single values, where a
//! register is the whole algorithm.
//!
//! Preset ids are strings chosen by the app's scene presets; a member on an
//! older version that does not know an id keeps its previous choice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::MemberId;

/// One last-writer-wins value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamped<T> {
    pub value: T,
    /// Lamport clock of the change; 0 for the room's defaults.
    pub clock: u64,
    /// Who made the change; breaks ties between changes with the same clock.
    pub by: MemberId,
}

impl<T: Clone + PartialEq> Stamped<T> {
    /// A default nobody set: any change wins over it.
    pub fn initial(value: T) -> Self {
        Self {
            value,
            clock: 0,
            by: MemberId(0),
        }
    }

    fn wins_over(&self, other: &Self) -> bool {
        (self.clock, self.by) > (other.clock, other.by)
    }

    /// Takes `other` if it is newer; true when the value changed.
    pub fn merge(&mut self, other: &Self) -> bool {
        if other.wins_over(self) {
            let changed = other.value != self.value;
            *self = other.clone();
            changed
        } else {
            false
        }
    }
}

/// Who an effect is shown on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "range", rename_all = "snake_case")]
pub enum EffectTarget {
    AllMembers,
    SelectedMembers {
        members: Vec<MemberId>,
    },
    /// The member who chose it, and nobody else.
    OnlyMe {
        member: MemberId,
    },
}

/// A member's own placement in same-screen mode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MemberPose {
    /// Drag as a fraction of the picture's width and height.
    pub offset: [f32; 2],
    pub scale: f32,
    pub mirror: bool,
}

impl Default for MemberPose {
    fn default() -> Self {
        Self {
            offset: [0.0, 0.0],
            scale: 1.0,
            mirror: false,
        }
    }
}

/// A sticker placed on the picture. Positions and sizes are shares of the
/// picture, so the 800×450 preview and the 1920×1080 shot agree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StickerPose {
    /// Sticker id from the app's sticker set.
    pub kind: String,
    /// Centre, as a share of the picture's width and height.
    pub center: [f32; 2],
    /// Height as a share of the picture's height.
    pub size: f32,
    /// Clockwise, in radians.
    pub rotation: f32,
    /// The clock when it was placed: later stickers lie on top.
    pub placed: u64,
}

/// The most stickers a picture shows; the app refuses to add more.
pub const MAX_STICKERS: usize = 24;

/// Layout ids (the app's scene module defines the same two).
pub const LAYOUT_GRID: &str = "grid";
pub const LAYOUT_SAME_SCREEN: &str = "same_screen";

/// The room's picture settings. Missing fields (an older peer) take defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SceneState {
    pub layout: Stamped<String>,
    pub background: Stamped<String>,
    pub filter: Stamped<String>,
    /// Skin smoothing, 0 (off) to 1.
    pub beauty: Stamped<f32>,
    /// Same-screen: equal head sizes on one floor line.
    pub auto_arrange: Stamped<bool>,
    /// Cut-outs' exposure and white balance moved toward the scene.
    pub harmonize: Stamped<bool>,
    /// Effect id → who wears it (`None`: off).
    pub effects: BTreeMap<String, Stamped<Option<EffectTarget>>>,
    /// Each member's drag, scale and mirror; on the wire a list of
    /// `[member, stamped pose]` pairs (JSON object keys are strings, and serde
    /// cannot read numeric keys back inside a tagged message).
    #[serde(with = "pose_entries")]
    pub poses: BTreeMap<MemberId, Stamped<MemberPose>>,
    /// Scene stickers by id (`"<member>-<clock>"`, unique per author). A
    /// deleted sticker stays as `None`, so a late move cannot bring it back.
    pub stickers: BTreeMap<String, Stamped<Option<StickerPose>>>,
}

mod pose_entries {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{MemberPose, Stamped};
    use crate::MemberId;

    type Poses = BTreeMap<MemberId, Stamped<MemberPose>>;

    pub fn serialize<S: Serializer>(poses: &Poses, s: S) -> Result<S::Ok, S::Error> {
        let entries: Vec<(&MemberId, &Stamped<MemberPose>)> = poses.iter().collect();
        entries.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Poses, D::Error> {
        let entries = Vec::<(MemberId, Stamped<MemberPose>)>::deserialize(d)?;
        Ok(entries.into_iter().collect())
    }
}

impl Default for SceneState {
    fn default() -> Self {
        Self {
            layout: Stamped::initial(LAYOUT_GRID.to_owned()),
            background: Stamped::initial("studio".to_owned()),
            filter: Stamped::initial("none".to_owned()),
            beauty: Stamped::initial(0.0),
            auto_arrange: Stamped::initial(false),
            harmonize: Stamped::initial(false),
            effects: BTreeMap::new(),
            poses: BTreeMap::new(),
            stickers: BTreeMap::new(),
        }
    }
}

fn merge_map<K: Ord + Clone, T: Clone + PartialEq>(
    mine: &mut BTreeMap<K, Stamped<T>>,
    theirs: &BTreeMap<K, Stamped<T>>,
) -> bool {
    let mut changed = false;
    for (key, value) in theirs {
        match mine.get_mut(key) {
            Some(current) => changed |= current.merge(value),
            None => {
                mine.insert(key.clone(), value.clone());
                changed = true;
            }
        }
    }
    changed
}

impl SceneState {
    /// Folds in another member's state; true when anything visible changed.
    pub fn merge(&mut self, other: &SceneState) -> bool {
        let mut changed = self.layout.merge(&other.layout);
        changed |= self.background.merge(&other.background);
        changed |= self.filter.merge(&other.filter);
        changed |= self.beauty.merge(&other.beauty);
        changed |= self.auto_arrange.merge(&other.auto_arrange);
        changed |= self.harmonize.merge(&other.harmonize);
        changed |= merge_map(&mut self.effects, &other.effects);
        changed |= merge_map(&mut self.poses, &other.poses);
        changed |= merge_map(&mut self.stickers, &other.stickers);
        changed
    }

    /// The highest clock any change carries.
    pub fn clock(&self) -> u64 {
        [
            self.layout.clock,
            self.background.clock,
            self.filter.clock,
            self.beauty.clock,
            self.auto_arrange.clock,
            self.harmonize.clock,
        ]
        .into_iter()
        .chain(self.effects.values().map(|s| s.clock))
        .chain(self.poses.values().map(|s| s.clock))
        .chain(self.stickers.values().map(|s| s.clock))
        .max()
        .unwrap_or(0)
    }

    /// A new change by `by`: stamped after everything this member has seen.
    pub fn stamp<T>(&self, value: T, by: MemberId) -> Stamped<T> {
        Stamped {
            value,
            clock: self.clock() + 1,
            by,
        }
    }

    /// The pose of `member` (identity when never set).
    pub fn pose(&self, member: MemberId) -> MemberPose {
        self.poses.get(&member).map(|s| s.value).unwrap_or_default()
    }

    /// The stickers on the picture, bottom first (in the order they were placed).
    pub fn stickers(&self) -> Vec<(&str, &StickerPose)> {
        let mut live: Vec<(&str, &StickerPose)> = self
            .stickers
            .iter()
            .filter_map(|(id, s)| s.value.as_ref().map(|p| (id.as_str(), p)))
            .collect();
        live.sort_by(|a, b| (a.1.placed, a.0).cmp(&(b.1.placed, b.0)));
        live
    }

    /// Places a new sticker by `by` on top of the others; `None` when the
    /// picture already holds [`MAX_STICKERS`].
    pub fn add_sticker(&mut self, mut pose: StickerPose, by: MemberId) -> Option<String> {
        if self.stickers().len() >= MAX_STICKERS {
            return None;
        }
        let stamped = self.stamp((), by);
        let id = format!("{}-{}", by.0, stamped.clock);
        pose.placed = stamped.clock;
        self.stickers.insert(
            id.clone(),
            Stamped {
                value: Some(pose),
                clock: stamped.clock,
                by,
            },
        );
        Some(id)
    }

    /// Effects shown on `member`, in id order.
    pub fn effects_on(&self, member: MemberId) -> Vec<&str> {
        self.effects
            .iter()
            .filter(|(_, s)| match &s.value {
                None => false,
                Some(EffectTarget::AllMembers) => true,
                Some(EffectTarget::SelectedMembers { members }) => members.contains(&member),
                Some(EffectTarget::OnlyMe { member: m }) => *m == member,
            })
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// Whether the picture follows `member`'s head frame by frame: an effect sits on
    /// it, or auto-arrange sizes and places members by their heads. Otherwise the
    /// head only feeds the smile shot, which needs a few looks a second.
    pub fn follows_head_of(&self, member: MemberId) -> bool {
        self.auto_arrange.value || !self.effects_on(member).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_filter(s: &mut SceneState, f: &str, by: u64) {
        s.filter = s.stamp(f.to_owned(), MemberId(by));
    }

    #[test]
    fn a_head_is_followed_when_an_effect_sits_on_it_or_members_are_arranged() {
        let (me, other) = (MemberId(1), MemberId(2));
        let mut s = SceneState::default();
        assert!(!s.follows_head_of(me));
        s.effects.insert(
            "crown".into(),
            s.stamp(Some(EffectTarget::OnlyMe { member: other }), other),
        );
        assert!(!s.follows_head_of(me), "an effect on someone else only");
        assert!(s.follows_head_of(other));
        s.effects.insert(
            "stars".into(),
            s.stamp(
                Some(EffectTarget::SelectedMembers { members: vec![me] }),
                other,
            ),
        );
        assert!(s.follows_head_of(me));
        s.effects.clear();
        s.auto_arrange = s.stamp(true, other);
        assert!(s.follows_head_of(me) && s.follows_head_of(other));
    }

    #[test]
    fn the_later_change_wins_whatever_the_order() {
        let mut a = SceneState::default();
        let mut b = SceneState::default();
        set_filter(&mut a, "warm", 1);
        b.merge(&a);
        set_filter(&mut b, "mono", 2); // saw "warm", so it is later
        let (mut x, mut y) = (a.clone(), b.clone());
        x.merge(&b);
        y.merge(&a);
        assert_eq!(x, y);
        assert_eq!(x.filter.value, "mono");
    }

    #[test]
    fn concurrent_changes_agree_by_member_id() {
        let mut a = SceneState::default();
        let mut b = SceneState::default();
        set_filter(&mut a, "warm", 1);
        set_filter(&mut b, "cool", 2);
        let (mut x, mut y) = (a.clone(), b.clone());
        assert!(x.merge(&b));
        assert!(!y.merge(&a));
        assert_eq!(x, y);
        assert_eq!(x.filter.value, "cool");
    }

    #[test]
    fn merging_twice_changes_nothing() {
        let mut a = SceneState::default();
        a.layout = a.stamp(LAYOUT_SAME_SCREEN.into(), MemberId(3));
        a.effects.insert(
            "crown".into(),
            a.stamp(Some(EffectTarget::AllMembers), MemberId(3)),
        );
        let mut b = SceneState::default();
        assert!(b.merge(&a));
        assert!(!b.merge(&a));
        assert_eq!(a, b);
    }

    #[test]
    fn effects_follow_their_range() {
        let mut s = SceneState::default();
        let only_me = s.stamp(
            Some(EffectTarget::OnlyMe {
                member: MemberId(2),
            }),
            MemberId(2),
        );
        s.effects.insert("hearts".into(), only_me);
        let picked = s.stamp(
            Some(EffectTarget::SelectedMembers {
                members: vec![MemberId(1), MemberId(3)],
            }),
            MemberId(1),
        );
        s.effects.insert("crown".into(), picked);
        s.effects.insert("stars".into(), s.stamp(None, MemberId(1)));
        assert_eq!(s.effects_on(MemberId(1)), vec!["crown"]);
        assert_eq!(s.effects_on(MemberId(2)), vec!["hearts"]);
        assert_eq!(s.effects_on(MemberId(3)), vec!["crown"]);
    }

    #[test]
    fn poses_round_trip_with_member_keys() {
        let mut s = SceneState::default();
        let pose = MemberPose {
            offset: [0.1, -0.2],
            scale: 1.5,
            mirror: true,
        };
        s.poses.insert(MemberId(7), s.stamp(pose, MemberId(7)));
        let text = serde_json::to_string(&s).unwrap();
        let back: SceneState = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
        // Inside a tagged peer message too.
        let msg = crate::PeerMessage::Scene {
            state: Box::new(s.clone()),
        };
        let echoed: crate::PeerMessage = crate::decode(&crate::encode(&msg)).unwrap();
        assert_eq!(echoed, msg);
        assert_eq!(back.pose(MemberId(7)), pose);
        assert_eq!(back.pose(MemberId(8)), MemberPose::default());
    }

    fn star(center: [f32; 2]) -> StickerPose {
        StickerPose {
            kind: "star".into(),
            center,
            size: 0.2,
            rotation: 0.0,
            placed: 0,
        }
    }

    #[test]
    fn stickers_stack_in_the_order_they_were_placed() {
        let mut s = SceneState::default();
        let a = s.add_sticker(star([0.2, 0.2]), MemberId(5)).unwrap();
        let b = s.add_sticker(star([0.8, 0.2]), MemberId(1)).unwrap();
        assert_ne!(a, b);
        let order: Vec<&str> = s.stickers().iter().map(|(id, _)| *id).collect();
        assert_eq!(order, vec![a.as_str(), b.as_str()]);
        // Moving the lower one does not lift it.
        let mut moved = star([0.3, 0.3]);
        moved.placed = s.stickers[&a].value.as_ref().unwrap().placed;
        s.stickers
            .insert(a.clone(), s.stamp(Some(moved), MemberId(5)));
        assert_eq!(s.stickers()[0].0, a);
        assert_eq!(s.stickers()[0].1.center, [0.3, 0.3]);
    }

    #[test]
    fn a_deleted_sticker_stays_deleted_against_an_older_move() {
        let mut ann = SceneState::default();
        let id = ann.add_sticker(star([0.5, 0.5]), MemberId(1)).unwrap();
        let mut grace = ann.clone();
        // Grace deletes it after seeing it; Ann's older state still has it.
        grace
            .stickers
            .insert(id.clone(), grace.stamp(None, MemberId(2)));
        assert!(ann.merge(&grace));
        assert!(ann.stickers().is_empty());
        let old = SceneState {
            stickers: [(
                id.clone(),
                Stamped {
                    value: Some(star([0.1, 0.1])),
                    clock: 1,
                    by: MemberId(1),
                },
            )]
            .into(),
            ..SceneState::default()
        };
        assert!(!ann.merge(&old));
        assert!(ann.stickers().is_empty());
        // And it round-trips on the wire.
        let text = serde_json::to_string(&ann).unwrap();
        assert_eq!(serde_json::from_str::<SceneState>(&text).unwrap(), ann);
    }

    #[test]
    fn the_picture_holds_a_bounded_number_of_stickers() {
        let mut s = SceneState::default();
        for i in 0..MAX_STICKERS {
            assert!(s
                .add_sticker(star([0.5, 0.5]), MemberId(i as u64 % 3))
                .is_some());
        }
        assert_eq!(s.add_sticker(star([0.5, 0.5]), MemberId(1)), None);
        let first = s.stickers()[0].0.to_owned();
        s.stickers.insert(first, s.stamp(None, MemberId(1)));
        assert!(s.add_sticker(star([0.5, 0.5]), MemberId(1)).is_some());
    }

    #[test]
    fn an_older_peer_missing_fields_still_decodes() {
        let s: SceneState =
            serde_json::from_str(r#"{"filter":{"value":"warm","clock":4,"by":2}}"#).unwrap();
        assert_eq!(s.filter.value, "warm");
        assert_eq!(s.layout.value, LAYOUT_GRID);
    }
}
