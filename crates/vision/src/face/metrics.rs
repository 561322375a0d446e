//! Expression and pose measures derived from the landmarks (pixel coordinates).
//! These are geometric heuristics, not model outputs: calibrated on the reference
//! photos (neutral mouth width ≈ 0.5 of the outer eye-corner distance, broad
//! smiles 0.65–0.85; open-eye aspect ≈ 0.3, closed ≈ 0.05).

use super::topology::*;

/// Head orientation in degrees. yaw > 0: nose towards the image right; pitch > 0:
/// nose up; roll > 0: eye line tilted clockwise on screen.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HeadPose {
    pub yaw: f32,
    pub pitch: f32,
    pub roll: f32,
}

fn dist2(a: [f32; 3], b: [f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Head pose from the head's frame (see [`crate::tryon::hat::head_frame`], which
/// the hat is placed with, so the angles shown and the hat always agree). Zero when
/// the landmarks are missing or degenerate.
pub fn head_pose(lm: &[[f32; 3]]) -> HeadPose {
    crate::tryon::hat::head_frame(lm)
        .map(|f| f.pose())
        .unwrap_or_default()
}

/// Outer eye-corner distance in pixels (the scale for the ratios below).
pub fn eye_span(lm: &[[f32; 3]]) -> f32 {
    if lm.len() < MESH_POINTS {
        return 0.0;
    }
    dist2(lm[LEFT_EYE_OUTER], lm[RIGHT_EYE_OUTER])
}

/// Smile score 0..1: mostly mouth width relative to the eye span, plus how far
/// the mouth corners are lifted above the lip centre (in the face's own frame,
/// so head roll does not count).
pub fn smile_score(lm: &[[f32; 3]]) -> f32 {
    let span = eye_span(lm);
    if span <= 0.0 {
        return 0.0;
    }
    let width = dist2(lm[MOUTH_LEFT], lm[MOUTH_RIGHT]) / span;
    // Unit "down" vector of the face: the eye line rotated by +90°.
    let ex = [
        (lm[RIGHT_EYE_OUTER][0] - lm[LEFT_EYE_OUTER][0]) / span,
        (lm[RIGHT_EYE_OUTER][1] - lm[LEFT_EYE_OUTER][1]) / span,
    ];
    let down = [-ex[1], ex[0]];
    let along = |i: usize| lm[i][0] * down[0] + lm[i][1] * down[1];
    let centre = (along(INNER_LIP_TOP) + along(INNER_LIP_BOTTOM)) / 2.0;
    let corners = (along(MOUTH_LEFT) + along(MOUTH_RIGHT)) / 2.0;
    let lift = (centre - corners) / span;
    let w = ((width - 0.55) / 0.2).clamp(0.0, 1.0);
    let l = (lift / 0.06).clamp(0.0, 1.0);
    0.7 * w + 0.3 * l
}

/// Eye openness 0..1 for (MediaPipe-left, MediaPipe-right) eyes from the eyelid gap
/// over the eye width.
pub fn eye_openness(lm: &[[f32; 3]]) -> [f32; 2] {
    if lm.len() < MESH_POINTS {
        return [0.0; 2];
    }
    let ratio = |top: usize, bottom: usize, a: usize, b: usize| {
        let wdt = dist2(lm[a], lm[b]);
        if wdt <= 0.0 {
            0.0
        } else {
            ((dist2(lm[top], lm[bottom]) / wdt - 0.05) / 0.25).clamp(0.0, 1.0)
        }
    };
    [
        ratio(
            LEFT_EYE_TOP,
            LEFT_EYE_BOTTOM,
            LEFT_EYE_OUTER,
            LEFT_EYE_INNER,
        ),
        ratio(
            RIGHT_EYE_TOP,
            RIGHT_EYE_BOTTOM,
            RIGHT_EYE_INNER,
            RIGHT_EYE_OUTER,
        ),
    ]
}

/// Mouth opening: inner-lip gap over the eye span (0 closed, ≈0.2 wide open).
pub fn mouth_openness(lm: &[[f32; 3]]) -> f32 {
    let span = eye_span(lm);
    if span <= 0.0 {
        return 0.0;
    }
    dist2(lm[INNER_LIP_TOP], lm[INNER_LIP_BOTTOM]) / span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frontal_flat_face_has_zero_pose() {
        let mut lm = vec![[0.0f32; 3]; MESH_POINTS];
        lm[LEFT_EYE_OUTER] = [0.0, 0.0, 0.0];
        lm[RIGHT_EYE_OUTER] = [10.0, 0.0, 0.0];
        lm[FOREHEAD] = [5.0, -5.0, 0.0];
        lm[CHIN] = [5.0, 15.0, 0.0];
        let p = head_pose(&lm);
        assert!(
            p.yaw.abs() < 1e-3 && p.pitch.abs() < 1e-3 && p.roll.abs() < 1e-3,
            "{p:?}"
        );
    }

    #[test]
    fn short_input_is_harmless() {
        assert_eq!(smile_score(&[]), 0.0);
        assert_eq!(eye_openness(&[]), [0.0; 2]);
        assert_eq!(head_pose(&[]), HeadPose::default());
    }
}
