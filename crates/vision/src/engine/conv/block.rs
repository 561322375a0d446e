//! The inner product both group-1 kernels share: 4 output channels × 8 pixels.
//!
//! The weights of a block are `wb[t · 4 + j]` for tap `t` and output channel `j`; tap `t`
//! reads 8 consecutive floats at `at(t)`. On wasm it keeps 8 `f32x4` accumulators, each
//! weight loaded once as a splat; 16 (an 8×8 block, as tract's kernel) would not fit x86's
//! registers once V8 compiles it.

use super::activation::{apply8, Activation};
use super::padded::PX;

/// Output channels per block: the weights are stored in blocks of this many.
pub const CO: usize = 4;

/// Weights laid out for the block: `w[(block · taps + t) · 4 + j]` is the weight of tap
/// `t` (an input channel for a 1×1 convolution; an input channel, ky and kx for a k×k
/// one) for output channel `4 · block + j`, zero past the last channel.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockWeights {
    pub cout: usize,
    pub taps: usize,
    packed: Vec<f32>,
    bias: Vec<f32>,
}

// Float parameters compare bit for bit, so the ops holding them can be `Eq` as tract asks.
impl Eq for BlockWeights {}

impl BlockWeights {
    /// `w` in `[cout][taps]` order (OIHW), `bias` one per output channel.
    pub fn new(cout: usize, taps: usize, w: &[f32], bias: &[f32]) -> Self {
        assert_eq!(w.len(), cout * taps);
        assert_eq!(bias.len(), cout);
        let blocks = cout.div_ceil(CO);
        let mut packed = vec![0f32; blocks * taps * CO];
        for o in 0..cout {
            for t in 0..taps {
                packed[((o / CO) * taps + t) * CO + o % CO] = w[o * taps + t];
            }
        }
        let mut b = bias.to_vec();
        b.resize(blocks * CO, 0.0);
        Self {
            cout,
            taps,
            packed,
            bias: b,
        }
    }

    /// Blocks of 4 output channels.
    pub fn blocks(&self) -> usize {
        self.cout.div_ceil(CO)
    }

    /// Block `b`'s weights, its 4 biases, and how many of its 4 channels exist.
    pub fn block(&self, b: usize) -> (&[f32], &[f32; CO], usize) {
        let w = &self.packed[b * self.taps * CO..(b + 1) * self.taps * CO];
        let bias = self.bias[b * CO..][..CO].try_into().unwrap_or(&[0.0; CO]);
        (w, bias, (self.cout - b * CO).min(CO))
    }
}

/// # Safety
/// For every tap `t < wb.len() / 4`, `at(t)` must point at 8 readable floats.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub unsafe fn block_4x8<F: Fn(usize) -> *const f32>(
    wb: &[f32],
    bias: &[f32; CO],
    at: F,
) -> [[f32; PX]; CO] {
    use core::arch::wasm32::*;
    let (mut a00, mut a01) = (f32x4_splat(bias[0]), f32x4_splat(bias[0]));
    let (mut a10, mut a11) = (f32x4_splat(bias[1]), f32x4_splat(bias[1]));
    let (mut a20, mut a21) = (f32x4_splat(bias[2]), f32x4_splat(bias[2]));
    let (mut a30, mut a31) = (f32x4_splat(bias[3]), f32x4_splat(bias[3]));
    let mut wp = wb.as_ptr();
    for t in 0..wb.len() / CO {
        let xp = at(t);
        let x0 = v128_load(xp as *const v128);
        let x1 = v128_load(xp.add(4) as *const v128);
        let w0 = v128_load32_splat(wp as *const u32);
        a00 = f32x4_add(a00, f32x4_mul(w0, x0));
        a01 = f32x4_add(a01, f32x4_mul(w0, x1));
        let w1 = v128_load32_splat(wp.add(1) as *const u32);
        a10 = f32x4_add(a10, f32x4_mul(w1, x0));
        a11 = f32x4_add(a11, f32x4_mul(w1, x1));
        let w2 = v128_load32_splat(wp.add(2) as *const u32);
        a20 = f32x4_add(a20, f32x4_mul(w2, x0));
        a21 = f32x4_add(a21, f32x4_mul(w2, x1));
        let w3 = v128_load32_splat(wp.add(3) as *const u32);
        a30 = f32x4_add(a30, f32x4_mul(w3, x0));
        a31 = f32x4_add(a31, f32x4_mul(w3, x1));
        wp = wp.add(CO);
    }
    let mut out = [[0f32; PX]; CO];
    for (row, (lo, hi)) in out
        .iter_mut()
        .zip([(a00, a01), (a10, a11), (a20, a21), (a30, a31)])
    {
        v128_store(row.as_mut_ptr() as *mut v128, lo);
        v128_store(row.as_mut_ptr().add(4) as *mut v128, hi);
    }
    out
}

/// Elsewhere: plain arrays, which the compiler vectorises.
///
/// # Safety
/// As the wasm version.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
pub unsafe fn block_4x8<F: Fn(usize) -> *const f32>(
    wb: &[f32],
    bias: &[f32; CO],
    at: F,
) -> [[f32; PX]; CO] {
    let mut acc = [[0f32; PX]; CO];
    for (j, row) in acc.iter_mut().enumerate() {
        *row = [bias[j]; PX];
    }
    for (t, wi) in wb.chunks_exact(CO).enumerate() {
        let xs = &*(at(t) as *const [f32; PX]);
        for j in 0..CO {
            for l in 0..PX {
                acc[j][l] += wi[j] * xs[l];
            }
        }
    }
    acc
}

/// Writes `rows` of the block to output channels `o0..`, pixels `p..p + k` of planes of
/// `n` pixels, adding the residual and applying the activation.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn store(
    acc: &[[f32; PX]; CO],
    o0: usize,
    rows: usize,
    n: usize,
    p: usize,
    k: usize,
    residual: Option<&[f32]>,
    act: &Activation,
    y: &mut [f32],
) {
    for (j, row) in acc.iter().enumerate().take(rows) {
        let o = o0 + j;
        let r = residual.map(|r| &r[o * n + p..][..k]);
        store_row(row, &mut y[o * n + p..][..k], r, act, o);
    }
}

/// Stores the first `dst.len()` values of `row`. A full row goes through fixed-size
/// arrays: with a length known at compile time the copy and the activation become a few
/// vector instructions instead of a call to `memcpy` and a scalar loop.
#[inline(always)]
pub fn store_row(
    row: &[f32; PX],
    dst: &mut [f32],
    residual: Option<&[f32]>,
    act: &Activation,
    o: usize,
) {
    if let Ok(full) = <&mut [f32; PX]>::try_from(&mut *dst) {
        *full = *row;
        let r = residual.and_then(|r| <&[f32; PX]>::try_from(r).ok());
        apply8(act, o, full, r);
        return;
    }
    let k = dst.len();
    dst.copy_from_slice(&row[..k]);
    if let Some(r) = residual {
        for (d, r) in dst.iter_mut().zip(r) {
            *d += *r;
        }
    }
    act.apply(o, dst);
}
