//! 1×1 convolution on NCHW (batch 1): `y[o][p] = act(b[o] + Σ_i w[o][i] · x[i][p])`.
//!
//! tract runs these as a matrix product that packs the activations on every call, with an
//! 8×8 kernel whose 16 accumulators do not fit wasm's registers on x86. Here the
//! activations are copied once, a chunk of pixels at a time that stays in the L1 cache
//! while every block of output channels passes over it. Each step of the inner loop loads
//! 8 consecutive pixels of one input channel and multiplies them with 4 output channels'
//! weights: 8 accumulators in all (`block.rs`).

use super::activation::Activation;
use super::block::{self, store, BlockWeights, CO};
use super::padded::{AlignedBuf, PX};

/// Floats of input per chunk (16 kB), and the most pixels in one.
const CHUNK_FLOATS: usize = 4096;
const MAX_CHUNK: usize = 256;

/// `x`: `cin` planes of `n` pixels; `y`: `cout` planes of `n` pixels. With `residual`,
/// `r` (shaped as `y`) is added before the activation.
pub fn pointwise(
    w: &BlockWeights,
    x: &[f32],
    residual: Option<&[f32]>,
    n: usize,
    act: &Activation,
    y: &mut [f32],
) {
    let (cin, cout) = (w.taps, w.cout);
    assert!(x.len() >= cin * n && y.len() >= cout * n);
    if let Some(r) = residual {
        assert!(r.len() >= cout * n);
    }
    // Each chunk of pixels is first copied out of the planes into a small buffer, rows
    // back to back. Reading the planes in place means `cin` streams one plane apart, and
    // with planes of 64×64 or 128×128 floats these all fall in the same L1 cache set.
    let cols = (CHUNK_FLOATS / cin.max(1) / PX * PX).clamp(PX, MAX_CHUNK);
    let mut buf = AlignedBuf::zeroed(cin * cols);
    let chunk = buf.as_mut_slice();
    let mut start = 0;
    while start < n {
        let len = (n - start).min(cols);
        let stride = len.div_ceil(PX) * PX;
        for (i, row) in chunk.chunks_exact_mut(stride).take(cin).enumerate() {
            row[..len].copy_from_slice(&x[i * n + start..][..len]);
            row[len..].fill(0.0);
        }
        let chunk = &chunk[..cin * stride];
        for block in 0..w.blocks() {
            let (wb, bias, rows) = w.block(block);
            for p in (0..len).step_by(PX) {
                let acc = block_4x8(wb, bias, chunk, stride, p);
                store(
                    &acc,
                    block * CO,
                    rows,
                    n,
                    start + p,
                    (len - p).min(PX),
                    residual,
                    act,
                    y,
                );
            }
        }
        start += len;
    }
}

#[inline(always)]
fn block_4x8(wb: &[f32], bias: &[f32; CO], x: &[f32], n: usize, p: usize) -> [[f32; PX]; CO] {
    let cin = wb.len() / CO;
    assert!(cin == 0 || (cin - 1) * n + p + PX <= x.len());
    let x = x.as_ptr();
    // SAFETY: every read is of input row i < cin at columns p..p + 8, inside `x` as
    // checked above, and of weights inside `wb`.
    unsafe { block::block_4x8(wb, bias, |i| x.add(i * n + p)) }
}

#[cfg(test)]
mod tests {
    use super::super::test_values as values;
    use super::*;

    fn naive(cin: usize, cout: usize, w: &[f32], b: &[f32], x: &[f32], n: usize) -> Vec<f32> {
        let mut y = vec![0f32; cout * n];
        for o in 0..cout {
            for p in 0..n {
                let mut s = b[o];
                for i in 0..cin {
                    s += w[o * cin + i] * x[i * n + p];
                }
                y[o * n + p] = s;
            }
        }
        y
    }

    #[test]
    fn matches_the_definition_for_awkward_sizes() {
        // Channel counts that are not multiples of 4, pixel counts that are not
        // multiples of 8 or of the cache chunk, and a single pixel (squeeze-excite).
        for &(cin, cout, n) in &[
            (3, 5, 1),
            (16, 16, 9216),
            (28, 42, 1024),
            (7, 1, 37),
            (96, 24, 300),
        ] {
            let (w, b, x) = (values(cin * cout, 1), values(cout, 2), values(cin * n, 3));
            let want = naive(cin, cout, &w, &b, &x, n);
            let mut got = vec![f32::NAN; cout * n];
            pointwise(
                &BlockWeights::new(cout, cin, &w, &b),
                &x,
                None,
                n,
                &Activation::Identity,
                &mut got,
            );
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() <= 1e-4 * (1.0 + w.abs()),
                    "{cin}x{cout}x{n}: {g} vs {w}"
                );
            }
        }
    }

    #[test]
    fn adds_the_residual_before_the_activation() {
        let (cin, cout, n) = (5, 6, 19);
        let (w, b, x, r) = (
            values(cin * cout, 4),
            values(cout, 5),
            values(cin * n, 6),
            values(cout * n, 7),
        );
        let slopes: Vec<f32> = (0..cout).map(|c| c as f32 * 0.1 - 0.2).collect();
        let mut got = vec![0f32; cout * n];
        let weights = BlockWeights::new(cout, cin, &w, &b);
        pointwise(
            &weights,
            &x,
            Some(&r),
            n,
            &Activation::PRelu(slopes.clone()),
            &mut got,
        );
        let plain = naive(cin, cout, &w, &b, &x, n);
        for o in 0..cout {
            for p in 0..n {
                let v = plain[o * n + p] + r[o * n + p];
                let want = if v > 0.0 { v } else { v * slopes[o] };
                assert!((got[o * n + p] - want).abs() < 1e-5);
            }
        }
    }
}
