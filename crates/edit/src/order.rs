//! Stacking order as fractional z keys.
//!
//! yrs 0.28 has no array move, and delete + re-insert in a shared list duplicates an element
//! when two members move it at once. Instead each element carries an LWW `z: f64`; moving it
//! writes one new number between its new neighbours, so concurrent reorders simply resolve to
//! one of the writes. When the gap between neighbours runs out of f64 precision (or z grows
//! absurdly large), the mover renumbers everything to 0, 1, 2, … in the same transaction.

use crate::types::Reorder;

/// Beyond this magnitude z is renumbered, long before `+ 1` stops changing the value.
pub(crate) const Z_LIMIT: f64 = 1e12;

#[derive(Debug, PartialEq)]
pub(crate) enum Plan {
    /// Already where it should go.
    Keep,
    /// Write this z.
    Set(f64),
    /// No usable gap: renumber all elements to their index, then plan again.
    Renumber,
}

fn usable(z: f64, above: Option<f64>, below: Option<f64>) -> Plan {
    let ok = z.is_finite()
        && z.abs() < Z_LIMIT
        && above.is_none_or(|a| z < a)
        && below.is_none_or(|b| z > b);
    if ok {
        Plan::Set(z)
    } else {
        Plan::Renumber
    }
}

/// `zs` are the z values sorted bottom → top (by `(z, id)`), `i` the element being moved.
pub(crate) fn plan(zs: &[f64], i: usize, how: Reorder) -> Plan {
    let n = zs.len();
    if i >= n {
        return Plan::Keep;
    }
    let top = i + 1 == n;
    let bottom = i == 0;
    match how {
        Reorder::Forward | Reorder::ToFront if top => Plan::Keep,
        Reorder::Backward | Reorder::ToBack if bottom => Plan::Keep,
        Reorder::Forward => {
            let a = zs[i + 1];
            match zs.get(i + 2) {
                Some(&b) => usable(a + (b - a) / 2.0, Some(b), Some(a)),
                None => usable(a + 1.0, None, Some(a)),
            }
        }
        Reorder::Backward => {
            let a = zs[i - 1];
            match i.checked_sub(2).map(|j| zs[j]) {
                Some(b) => usable(b + (a - b) / 2.0, Some(a), Some(b)),
                None => usable(a - 1.0, Some(a), None),
            }
        }
        Reorder::ToFront => usable(zs[n - 1] + 1.0, None, Some(zs[n - 1])),
        Reorder::ToBack => usable(zs[0] - 1.0, Some(zs[0]), None),
    }
}

/// z for a new element: on top of everything.
pub(crate) fn top(zs_max: Option<f64>) -> Plan {
    match zs_max {
        None => Plan::Set(0.0),
        Some(m) => usable(m + 1.0, None, Some(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_between_neighbours() {
        let zs = [0.0, 1.0, 2.0, 3.0];
        assert_eq!(plan(&zs, 0, Reorder::Forward), Plan::Set(1.5));
        assert_eq!(plan(&zs, 2, Reorder::Forward), Plan::Set(4.0));
        assert_eq!(plan(&zs, 3, Reorder::Forward), Plan::Keep);
        assert_eq!(plan(&zs, 3, Reorder::Backward), Plan::Set(1.5));
        assert_eq!(plan(&zs, 1, Reorder::Backward), Plan::Set(-1.0));
        assert_eq!(plan(&zs, 0, Reorder::ToBack), Plan::Keep);
        assert_eq!(plan(&zs, 1, Reorder::ToFront), Plan::Set(4.0));
        assert_eq!(plan(&zs, 2, Reorder::ToBack), Plan::Set(-1.0));
    }

    #[test]
    fn exhausted_gaps_renumber() {
        let zs = [0.0, 1.0, 1.0 + f64::EPSILON];
        assert_eq!(plan(&zs, 0, Reorder::Forward), Plan::Renumber);
        // Ties cannot be split by a midpoint either.
        assert_eq!(plan(&[1.0, 1.0, 1.0], 0, Reorder::Forward), Plan::Renumber);
        assert_eq!(top(Some(2e12)), Plan::Renumber);
        assert_eq!(top(None), Plan::Set(0.0));
    }
}
