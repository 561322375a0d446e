//! Auto-arrange: people sit at different distances from their cameras, so in a
//! shared scene one looks like a giant next to a child. Scale each member so the
//! heads come out the same size, and stand everyone on one floor line.

use crate::image::BBox;

/// Range of the automatic size factor: a member whose face measure is wrong for a
/// frame (a hand in front of the face) must not blow up or vanish.
pub const AUTO_SCALE_RANGE: (f32, f32) = (0.5, 2.0);

/// What auto-arrange needs to know about one member, in its own frame pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArrangeInput {
    /// Any head measure, the same kind for every member (eye span, face box height).
    pub head_size: f32,
    /// The person's bounding box (from the segmentation mask).
    pub person: BBox,
}

impl ArrangeInput {
    fn is_valid(&self) -> bool {
        let b = &self.person;
        self.head_size.is_finite()
            && self.head_size > 0.0
            && [b.x0, b.y0, b.x1, b.y1].iter().all(|v| v.is_finite())
            && b.x1 > b.x0
            && b.y1 > b.y0
    }
}

/// Auto-arrange's result for one member.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrangement {
    /// Multiplies the member's fit scale.
    pub scale: f32,
    /// The frame point (bottom centre of the person box) that is put on the
    /// floor line, at the region's horizontal centre.
    pub anchor: [f32; 2],
}

/// One arrangement per member (`None` where the input is missing or unusable).
/// `base_scale[i]` is member i's canvas pixels per frame pixel before arranging;
/// the common head size is the geometric mean of the members' heads at that
/// scale, so the group as a whole keeps its size.
pub fn auto_arrange(members: &[(Option<ArrangeInput>, f32)]) -> Vec<Option<Arrangement>> {
    let usable = |(input, base): &(Option<ArrangeInput>, f32)| {
        input
            .filter(|i| i.is_valid() && base.is_finite() && *base > 0.0)
            .map(|i| (i, *base))
    };
    let (sum_ln, count) = members
        .iter()
        .filter_map(usable)
        .fold((0.0f32, 0usize), |(s, n), (i, base)| {
            (s + (i.head_size * base).ln(), n + 1)
        });
    if count == 0 {
        return vec![None; members.len()];
    }
    let target = (sum_ln / count as f32).exp();
    members
        .iter()
        .map(|m| {
            usable(m).map(|(i, base)| Arrangement {
                scale: (target / (i.head_size * base))
                    .clamp(AUTO_SCALE_RANGE.0, AUTO_SCALE_RANGE.1),
                anchor: [(i.person.x0 + i.person.x1) * 0.5, i.person.y1],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(head: f32, y1: f32) -> Option<ArrangeInput> {
        Some(ArrangeInput {
            head_size: head,
            person: BBox {
                x0: 100.0,
                y0: 50.0,
                x1: 300.0,
                y1,
            },
        })
    }

    #[test]
    fn heads_come_out_the_same_size() {
        let got = auto_arrange(&[(input(40.0, 480.0), 1.0), (input(80.0, 400.0), 1.0)]);
        let (a, b) = (got[0].unwrap(), got[1].unwrap());
        assert!((40.0 * a.scale - 80.0 * b.scale).abs() < 1e-3);
        // Geometric mean: the pair keeps its overall size.
        assert!((a.scale * b.scale - 1.0).abs() < 1e-4);
        assert_eq!(a.anchor, [200.0, 480.0]);
        assert_eq!(b.anchor, [200.0, 400.0]);
    }

    #[test]
    fn scales_are_clamped_and_bad_input_skipped() {
        let got = auto_arrange(&[
            (input(1.0, 480.0), 1.0),
            (input(1000.0, 480.0), 1.0),
            (input(f32::NAN, 480.0), 1.0),
            (None, 1.0),
        ]);
        assert_eq!(got[0].unwrap().scale, AUTO_SCALE_RANGE.1);
        assert_eq!(got[1].unwrap().scale, AUTO_SCALE_RANGE.0);
        assert_eq!(got[2], None);
        assert_eq!(got[3], None);
        assert_eq!(auto_arrange(&[(None, 1.0)]), vec![None]);
    }
}
