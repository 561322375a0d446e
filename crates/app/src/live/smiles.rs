//! The smile shot's rule: who is smiling now, and whether that is enough.

use std::collections::BTreeMap;

use huddle_protocol::MemberId;

/// A face tracker smile score at or above this counts as a smile (a neutral
/// mouth scores about 0, a broad smile 0.65 and up).
pub const SMILE_AT: f32 = 0.5;

/// Members of `members` whose newest smile score counts as a smile.
pub fn smiling(members: &[MemberId], smiles: &BTreeMap<MemberId, f32>) -> usize {
    members
        .iter()
        .filter(|m| smiles.get(m).is_some_and(|&s| s >= SMILE_AT))
        .count()
}

/// Smiles the shot waits for: `wanted` members (`None`: everyone), never more
/// than are in the room, and at least one.
pub fn needed(wanted: Option<usize>, members: usize) -> usize {
    wanted.unwrap_or(members).min(members).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn counts_smiles_of_present_members_only() {
        let members = [MemberId(1), MemberId(2), MemberId(3)];
        let smiles = BTreeMap::from([
            (MemberId(1), 0.8),
            (MemberId(2), 0.2),
            (MemberId(3), SMILE_AT),
            // Gone from the room: does not count.
            (MemberId(9), 0.9),
        ]);
        assert_eq!(smiling(&members, &smiles), 2);
        assert_eq!(smiling(&members[1..2], &smiles), 0);
    }

    #[wasm_bindgen_test]
    fn needed_defaults_to_everyone_and_shrinks_with_the_room() {
        assert_eq!(needed(None, 3), 3);
        assert_eq!(needed(Some(2), 3), 2);
        assert_eq!(needed(Some(4), 3), 3);
        assert_eq!(needed(Some(0), 3), 1);
        assert_eq!(needed(None, 0), 1);
    }
}
