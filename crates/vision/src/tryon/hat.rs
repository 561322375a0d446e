//! Where a hat sits on a head, from face-mesh landmarks (pixels, z in the same
//! scale as x, as the tracker gives them).
//!
//! The renderer (WebGL in the app) only multiplies by the matrix built here, so
//! everything that decides whether a hat looks worn (how the head is turned, how
//! high the crown sits, how wide the brim is) lives in pure Rust and is tested
//! natively against real faces.
//!
//! The head's axes come from four left/right landmark pairs (eye corners, cheeks,
//! mouth corners) for "right" and the forehead-to-chin line for "down": averaging
//! pairs keeps one noisy eye corner from tilting the hat, and every pair is
//! symmetric so a smile or a raised brow does not turn the head.

use crate::face::metrics::HeadPose;
use crate::face::topology::{CHIN, FOREHEAD, MESH_POINTS};

/// Left/right landmark pairs (MediaPipe's left is on the image's left for a
/// mirrored selfie): outer eye corners, inner eye corners, cheek edges, mouth corners.
const PAIRS: [(usize, usize); 4] = [(33, 263), (133, 362), (234, 454), (61, 291)];
/// Nose bridge between the eyes.
const NOSE_BRIDGE: usize = 168;

/// The head's orientation and size in frame pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadFrame {
    /// Unit axes, as columns of the head's rotation: `x` towards the face's right
    /// on the image (ear to ear), `y` from forehead to chin, `z = x × y` into the
    /// screen (from the face towards the back of the head).
    pub x: [f32; 3],
    pub y: [f32; 3],
    pub z: [f32; 3],
    /// The forehead's top (landmark 10), in pixels.
    pub forehead: [f32; 3],
    /// Cheek-to-cheek width, in pixels.
    pub face_width: f32,
    /// Forehead-to-chin height, in pixels.
    pub face_height: f32,
}

/// Where the hat goes: a model whose brim is the unit disc in its x/z plane and
/// whose crown rises along −y is drawn with `model_to_frame`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HatPlacement {
    /// Column-major 4×4 matrix from hat model units to frame pixels (x right,
    /// y down, z into the screen), for a vertex shader.
    pub model_to_frame: [f32; 16],
    /// Brim centre in pixels.
    pub centre: [f32; 3],
    /// Brim radius in pixels.
    pub radius: f32,
}

fn sub(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn add(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}
fn scale(a: [f32; 3], s: f32) -> [f32; 3] {
    [a[0] * s, a[1] * s, a[2] * s]
}
fn dot(a: [f32; 3], b: [f32; 3]) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn cross(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn unit(a: [f32; 3]) -> Option<[f32; 3]> {
    let n = dot(a, a).sqrt();
    (n.is_finite() && n > 1e-6).then(|| scale(a, 1.0 / n))
}
fn length(a: [f32; 3]) -> f32 {
    dot(a, a).sqrt()
}

/// The head's frame, or `None` when there are too few landmarks or they are
/// degenerate (all on one point, or not finite).
pub fn head_frame(lm: &[[f32; 3]]) -> Option<HeadFrame> {
    if lm.len() < MESH_POINTS {
        return None;
    }
    let across = PAIRS
        .iter()
        .fold([0.0; 3], |acc, &(l, r)| add(acc, sub(lm[r], lm[l])));
    let x = unit(across)?;
    // Down: forehead to chin, and the nose bridge to the chin (less hair-dependent).
    let down = add(sub(lm[CHIN], lm[FOREHEAD]), sub(lm[CHIN], lm[NOSE_BRIDGE]));
    let y = unit(sub(down, scale(x, dot(down, x))))?;
    let z = cross(x, y);
    let face_width = length(sub(lm[454], lm[234]));
    let face_height = length(sub(lm[CHIN], lm[FOREHEAD]));
    if !(face_width.is_finite() && face_height.is_finite()) || face_width < 1.0 {
        return None;
    }
    Some(HeadFrame {
        x,
        y,
        z,
        forehead: lm[FOREHEAD],
        face_width,
        face_height,
    })
}

impl HeadFrame {
    /// The same angles as [`crate::face::metrics::head_pose`]: yaw > 0 turns the
    /// nose to the image's right, pitch > 0 lifts it, roll > 0 tilts the eye line
    /// clockwise on screen. Decomposed as `R = Rz(roll) · Rx(pitch) · Ry(yaw)`
    /// applied to a frontal head, exactly (no small-angle shortcut).
    pub fn pose(&self) -> HeadPose {
        // R's columns are x, y, z. With R = Rz(c)·Rx(b)·Ry(a):
        // R[2][0] = -cos b sin a, R[2][2] = cos b cos a, R[2][1] = sin b,
        // R[0][1] = -sin c cos b, R[1][1] = cos c cos b.
        let (r20, r21, r22) = (self.x[2], self.y[2], self.z[2]);
        let (r01, r11) = (self.y[0], self.y[1]);
        let pitch = r21.clamp(-1.0, 1.0).asin();
        let yaw = (-r20).atan2(r22);
        let roll = (-r01).atan2(r11);
        HeadPose {
            yaw: -yaw.to_degrees(),
            pitch: -pitch.to_degrees(),
            roll: roll.to_degrees(),
        }
    }

    /// Where the hat goes. The brim rests just below the forehead's top (a hat
    /// sits on the hairline, not above the hair) and is centred over the skull,
    /// half a face width behind the face's surface; its radius grows with the
    /// face so the hat fits every head size.
    pub fn hat(&self) -> HatPlacement {
        let radius = 0.85 * self.face_width;
        let centre = add(
            add(self.forehead, scale(self.y, 0.03 * self.face_height)),
            scale(self.z, 0.45 * self.face_width),
        );
        let (x, y, z) = (
            scale(self.x, radius),
            scale(self.y, radius),
            scale(self.z, radius),
        );
        HatPlacement {
            model_to_frame: [
                x[0], x[1], x[2], 0.0, //
                y[0], y[1], y[2], 0.0, //
                z[0], z[1], z[2], 0.0, //
                centre[0], centre[1], centre[2], 1.0,
            ],
            centre,
            radius,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flat, frontal "face" with the landmarks the frame reads.
    fn frontal() -> Vec<[f32; 3]> {
        let mut lm = vec![[50.0, 60.0, 0.0]; MESH_POINTS];
        for (i, &(l, r)) in PAIRS.iter().enumerate() {
            let y = 40.0 + 10.0 * i as f32;
            lm[l] = [30.0, y, 0.0];
            lm[r] = [70.0, y, 0.0];
        }
        lm[FOREHEAD] = [50.0, 10.0, 0.0];
        lm[NOSE_BRIDGE] = [50.0, 40.0, 0.0];
        lm[CHIN] = [50.0, 100.0, 0.0];
        lm
    }

    #[test]
    fn frontal_face_has_identity_axes_and_a_hat_above_the_forehead() {
        let f = head_frame(&frontal()).expect("frame");
        assert_eq!(
            (f.x, f.y, f.z),
            ([1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0])
        );
        let p = f.pose();
        assert!(p.yaw.abs() < 1e-4 && p.pitch.abs() < 1e-4 && p.roll.abs() < 1e-4);
        let hat = f.hat();
        // On the hairline (forehead top y = 10, eyes y = 40, chin y = 100).
        assert!(
            (10.0..20.0).contains(&hat.centre[1]),
            "brim on the forehead's top: {:?}",
            hat.centre
        );
        assert!((hat.radius - 0.85 * 40.0).abs() < 1e-3);
        // The model's +y (crown up is −y) maps to the head's down axis, scaled.
        assert_eq!(hat.model_to_frame[5], hat.radius);
    }

    #[test]
    fn missing_or_degenerate_landmarks_give_none() {
        assert!(head_frame(&[]).is_none());
        assert!(head_frame(&vec![[1.0, 1.0, 1.0]; MESH_POINTS]).is_none());
        let mut lm = frontal();
        lm[33] = [f32::NAN, 0.0, 0.0];
        assert!(head_frame(&lm).is_none());
    }
}
