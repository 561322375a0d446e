//! Where each member stands in the picture: one region per member, in the room's
//! order, and who is drawn on top where regions overlap.
//!
//! * **Grid**: members fill rows of equal height, left to right, top to bottom;
//!   each row is split into equal cells. The number of rows is the one whose cells
//!   are closest to the canvas's own aspect (mean `|ln(cell aspect / canvas aspect)|`
//!   over the cells; ties go to fewer rows), and members are spread over the rows as
//!   evenly as possible with the extra ones in the top rows. That gives
//!   1 → 1, 2 → 2, 3 → 2+1, 4 → 2+2, 5 → 3+2, 6 → 3+3, 7 → 3+2+2, 8 → 3+3+2 cells per
//!   row on any canvas; cells are whole pixels and tile the canvas exactly.
//! * **Same-screen**: the width is cut into `N + 1` equal slots and member `i` gets
//!   slots `i` and `i + 1` at full height, so each region is `2W/(N+1)` wide and
//!   neighbours share one slot: 2 members get the left and right two thirds with
//!   the middle third shared, 1 member the whole canvas.
//!
//! The order is the join order (creator first) unless an explicit order list is
//! given; that list decides both the places (first = left / top-left) and the
//! stacking (first = on top). Stale lists are fine: unknown keys and repeats are
//! ignored and members missing from the list follow in join order.

use super::error::{by_id, SceneError, SceneResult};
use super::region::Region;
use super::{MemberKey, MAX_MEMBERS};

/// Largest canvas side accepted, far above any camera or export size.
pub const MAX_CANVAS_SIDE: u32 = 16_384;

/// How members share the picture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LayoutMode {
    /// Separate, equal cells.
    #[default]
    Grid,
    /// One scene, side by side, overlapping.
    SameScreen,
}

impl LayoutMode {
    pub const ALL: [LayoutMode; 2] = [LayoutMode::Grid, LayoutMode::SameScreen];

    /// Stable id for messages and settings.
    pub fn id(self) -> &'static str {
        match self {
            LayoutMode::Grid => "grid",
            LayoutMode::SameScreen => "same-screen",
        }
    }

    /// Name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            LayoutMode::Grid => "Grid",
            LayoutMode::SameScreen => "Same screen",
        }
    }

    pub fn from_id(id: &str) -> SceneResult<Self> {
        by_id(&Self::ALL, id, "layout", Self::id)
    }
}

/// One member's place in the picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemberSlot {
    pub key: MemberKey,
    /// Canvas pixels.
    pub region: Region,
    /// Place in the picture: 0 is left-most (grid: top-left, reading order).
    pub position: usize,
    /// Stacking: 0 is on top of everyone.
    pub z: usize,
}

/// The regions of all members for one canvas size.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub mode: LayoutMode,
    pub width: u32,
    pub height: u32,
    /// In position order.
    pub slots: Vec<MemberSlot>,
}

impl Layout {
    /// Lays out `join_order` (creator first) on a `width × height` canvas, with
    /// `order` (may be empty) overriding places and stacking.
    pub fn new(
        mode: LayoutMode,
        width: u32,
        height: u32,
        join_order: &[MemberKey],
        order: &[MemberKey],
    ) -> SceneResult<Self> {
        check_canvas(width, height)?;
        if join_order.is_empty() || join_order.len() > MAX_MEMBERS {
            return Err(SceneError::MemberCount {
                got: join_order.len(),
                max: MAX_MEMBERS,
            });
        }
        for (i, k) in join_order.iter().enumerate() {
            if join_order[..i].contains(k) {
                return Err(SceneError::DuplicateMember(*k));
            }
        }
        let keys = effective_order(join_order, order);
        let regions = match mode {
            LayoutMode::Grid => grid_regions(keys.len(), width, height),
            LayoutMode::SameScreen => same_screen_regions(keys.len(), width, height),
        };
        let slots = keys
            .into_iter()
            .zip(regions)
            .enumerate()
            .map(|(position, (key, region))| MemberSlot {
                key,
                region,
                position,
                z: position,
            })
            .collect();
        Ok(Self {
            mode,
            width,
            height,
            slots,
        })
    }

    pub fn slot(&self, key: MemberKey) -> Option<&MemberSlot> {
        self.slots.iter().find(|s| s.key == key)
    }

    /// Slots bottom first, the order to paint them in.
    pub fn draw_order(&self) -> Vec<&MemberSlot> {
        let mut v: Vec<&MemberSlot> = self.slots.iter().collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.z));
        v
    }
}

pub(crate) fn check_canvas(width: u32, height: u32) -> SceneResult<()> {
    if width == 0 || height == 0 || width > MAX_CANVAS_SIDE || height > MAX_CANVAS_SIDE {
        return Err(SceneError::BadCanvas { width, height });
    }
    Ok(())
}

/// The explicit order's known members (first occurrence), then everyone else in
/// join order.
pub fn effective_order(join_order: &[MemberKey], order: &[MemberKey]) -> Vec<MemberKey> {
    let mut out: Vec<MemberKey> = Vec::with_capacity(join_order.len());
    for k in order.iter().chain(join_order) {
        if join_order.contains(k) && !out.contains(k) {
            out.push(*k);
        }
    }
    out
}

/// Members per grid row, top row first (see the module docs for the rule).
pub fn grid_rows(n: usize) -> Vec<usize> {
    let split = |rows: usize| -> Vec<usize> {
        (0..rows)
            .map(|r| n / rows + usize::from(r < n % rows))
            .collect()
    };
    let cost = |counts: &[usize]| -> f32 {
        // Cell aspect over canvas aspect is rows / cells-in-row, whatever the canvas.
        let rows = counts.len() as f32;
        let total: f32 = counts
            .iter()
            .map(|&c| c as f32 * (rows / c as f32).ln().abs())
            .sum();
        total / n as f32
    };
    let mut best = split(1);
    let mut best_cost = cost(&best);
    for rows in 2..=n {
        let counts = split(rows);
        let c = cost(&counts);
        if c < best_cost - 1e-4 {
            best = counts;
            best_cost = c;
        }
    }
    best
}

fn grid_regions(n: usize, width: u32, height: u32) -> Vec<Region> {
    let rows = grid_rows(n);
    let (w, h) = (u64::from(width), u64::from(height));
    let nr = rows.len() as u64;
    let mut out = Vec::with_capacity(n);
    for (r, &cols) in rows.iter().enumerate() {
        let (r, cols) = (r as u64, cols as u64);
        let (y0, y1) = (r * h / nr, (r + 1) * h / nr);
        for c in 0..cols {
            let (x0, x1) = (c * w / cols, (c + 1) * w / cols);
            out.push(Region::new(
                x0 as f32,
                y0 as f32,
                (x1 - x0) as f32,
                (y1 - y0) as f32,
            ));
        }
    }
    out
}

fn same_screen_regions(n: usize, width: u32, height: u32) -> Vec<Region> {
    let slot = f64::from(width) / (n as f64 + 1.0);
    (0..n)
        .map(|i| {
            let x = i as f64 * slot;
            Region::new(x as f32, 0.0, (2.0 * slot) as f32, height as f32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_rows_rule() {
        let got: Vec<Vec<usize>> = (1..=8).map(grid_rows).collect();
        let want: Vec<Vec<usize>> = vec![
            vec![1],
            vec![2],
            vec![2, 1],
            vec![2, 2],
            vec![3, 2],
            vec![3, 3],
            vec![3, 2, 2],
            vec![3, 3, 2],
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn stale_order_lists_are_tolerated() {
        let j = [MemberKey(1), MemberKey(2), MemberKey(3)];
        let o = [MemberKey(9), MemberKey(3), MemberKey(3), MemberKey(1)];
        assert_eq!(
            effective_order(&j, &o),
            vec![MemberKey(3), MemberKey(1), MemberKey(2)]
        );
    }

    #[test]
    fn bad_input_is_an_error() {
        let j = [MemberKey(1)];
        assert!(matches!(
            Layout::new(LayoutMode::Grid, 0, 10, &j, &[]),
            Err(SceneError::BadCanvas { .. })
        ));
        assert!(matches!(
            Layout::new(LayoutMode::Grid, 10, 10, &[], &[]),
            Err(SceneError::MemberCount { got: 0, .. })
        ));
        let nine: Vec<MemberKey> = (0..9).map(MemberKey).collect();
        assert!(Layout::new(LayoutMode::Grid, 10, 10, &nine, &[]).is_err());
        assert_eq!(
            Layout::new(LayoutMode::Grid, 10, 10, &[MemberKey(1), MemberKey(1)], &[]),
            Err(SceneError::DuplicateMember(MemberKey(1)))
        );
        assert_eq!(
            LayoutMode::from_id("same-screen"),
            Ok(LayoutMode::SameScreen)
        );
        assert!(LayoutMode::from_id("mosaic").is_err());
    }
}
