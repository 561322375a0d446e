//! Depthwise convolution on NCHW (batch 1): every channel convolved with its own kh×kw
//! kernel, zero padding, stride 1 or 2, plus bias and a fused activation.
//!
//! Each input plane is first copied into a zero-bordered scratch plane (`padded.rs`), so
//! that every tap of the kernel reads 8 consecutive floats for 8 consecutive outputs: the
//! inner loop has no bounds tests and no gathers, and the 8 accumulators stay in
//! registers over all taps.

use super::activation::Activation;
use super::block::store_row;
use super::padded::{fill_plane, ConvGeometry, PX};

/// `kernel`: `channels · kh · kw` weights; `bias`: one per channel; `x`: the input planes;
/// `y`: the output planes; `scratch`: at least [`ConvGeometry::plane_len`] floats.
pub fn depthwise(
    g: &ConvGeometry,
    kernel: &[f32],
    bias: &[f32],
    x: &[f32],
    act: &Activation,
    y: &mut [f32],
    scratch: &mut [f32],
) {
    let taps = g.kh * g.kw;
    assert!(g.stride == 1 || g.stride == 2);
    assert!(kernel.len() == g.channels * taps && bias.len() == g.channels);
    assert!(x.len() >= g.channels * g.h * g.w && y.len() >= g.channels * g.oh * g.ow);
    let (pw, rows) = (g.phase_width(), g.scratch_rows());
    let phase_len = pw * rows;
    let scratch = &mut scratch[..g.stride * phase_len];
    // Where tap (ky, kx) reads in the scratch, relative to the output's first read.
    let offsets: Vec<usize> = (0..g.kh)
        .flat_map(|ky| (0..g.kw).map(move |kx| (ky, kx)))
        .map(|(ky, kx)| (kx % g.stride) * phase_len + ky * pw + kx / g.stride)
        .collect();
    // The last read of the last step ends inside the scratch (see `phase_width`).
    let last_base = (g.oh - 1) * g.stride * pw + g.ow.div_ceil(PX) * PX - PX;
    let last_offset = offsets.iter().copied().max().unwrap_or(0);
    assert!(last_base + last_offset + PX <= scratch.len());
    for c in 0..g.channels {
        fill_plane(g, &x[c * g.h * g.w..][..g.h * g.w], scratch);
        let k = &kernel[c * taps..][..taps];
        let out = &mut y[c * g.oh * g.ow..][..g.oh * g.ow];
        let src = scratch.as_ptr();
        // SAFETY (all three): every read is below last_base + last_offset + 8, checked
        // above against the scratch length.
        match (g.kh, g.kw, g.stride) {
            (3, 3, 1) => unsafe {
                channel_fixed::<3, 1>(g, src, pw, phase_len, k, bias[c], c, act, out)
            },
            (3, 3, 2) => unsafe {
                channel_fixed::<3, 2>(g, src, pw, phase_len, k, bias[c], c, act, out)
            },
            (5, 5, 1) => unsafe {
                channel_fixed::<5, 1>(g, src, pw, phase_len, k, bias[c], c, act, out)
            },
            (5, 5, 2) => unsafe {
                channel_fixed::<5, 2>(g, src, pw, phase_len, k, bias[c], c, act, out)
            },
            _ => {
                for oy in 0..g.oh {
                    let out_row = &mut out[oy * g.ow..][..g.ow];
                    let mut ox = 0;
                    while ox < g.ow {
                        let base = oy * g.stride * pw + ox;
                        let acc = unsafe { taps_8(src.add(base), k, &offsets, bias[c]) };
                        let n = (g.ow - ox).min(PX);
                        store_row(&acc, &mut out_row[ox..ox + n], None, act, c);
                        ox += PX;
                    }
                }
            }
        }
    }
}

/// One channel with a K×K kernel and stride S known at compile time, so the taps unroll
/// and their offsets fold into the address arithmetic.
///
/// # Safety
/// `src` must hold the filled scratch of `depthwise` for this geometry.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn channel_fixed<const K: usize, const S: usize>(
    g: &ConvGeometry,
    src: *const f32,
    pw: usize,
    phase_len: usize,
    k: &[f32],
    bias: f32,
    c: usize,
    act: &Activation,
    out: &mut [f32],
) {
    let k: &[[f32; K]; K] = &*(k.as_ptr() as *const [[f32; K]; K]);
    for oy in 0..g.oh {
        let out_row = &mut out[oy * g.ow..][..g.ow];
        let row = src.add(oy * S * pw);
        let mut ox = 0;
        while ox < g.ow {
            let acc = taps_fixed::<K, S>(row.add(ox), pw, phase_len, k, bias);
            let n = (g.ow - ox).min(PX);
            store_row(&acc, &mut out_row[ox..ox + n], None, act, c);
            ox += PX;
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
unsafe fn taps_fixed<const K: usize, const S: usize>(
    p: *const f32,
    pw: usize,
    phase_len: usize,
    k: &[[f32; K]; K],
    bias: f32,
) -> [f32; PX] {
    use core::arch::wasm32::*;
    let (mut a0, mut a1) = (f32x4_splat(bias), f32x4_splat(bias));
    for (ky, kr) in k.iter().enumerate() {
        for (kx, &wk) in kr.iter().enumerate() {
            let w = f32x4_splat(wk);
            let q = p.add((kx % S) * phase_len + ky * pw + kx / S);
            a0 = f32x4_add(a0, f32x4_mul(w, v128_load(q as *const v128)));
            a1 = f32x4_add(a1, f32x4_mul(w, v128_load(q.add(4) as *const v128)));
        }
    }
    let mut out = [0f32; PX];
    v128_store(out.as_mut_ptr() as *mut v128, a0);
    v128_store(out.as_mut_ptr().add(4) as *mut v128, a1);
    out
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
unsafe fn taps_fixed<const K: usize, const S: usize>(
    p: *const f32,
    pw: usize,
    phase_len: usize,
    k: &[[f32; K]; K],
    bias: f32,
) -> [f32; PX] {
    let mut acc = [bias; PX];
    for (ky, kr) in k.iter().enumerate() {
        for (kx, &wk) in kr.iter().enumerate() {
            let s = &*(p.add((kx % S) * phase_len + ky * pw + kx / S) as *const [f32; PX]);
            for l in 0..PX {
                acc[l] += wk * s[l];
            }
        }
    }
    acc
}

/// `bias + Σ_t k[t] · src[offsets[t] + l]` for l in 0..8.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
unsafe fn taps_8(src: *const f32, k: &[f32], offsets: &[usize], bias: f32) -> [f32; PX] {
    use core::arch::wasm32::*;
    let (mut a0, mut a1) = (f32x4_splat(bias), f32x4_splat(bias));
    for (&wk, &off) in k.iter().zip(offsets) {
        let w = f32x4_splat(wk);
        let p = src.add(off);
        a0 = f32x4_add(a0, f32x4_mul(w, v128_load(p as *const v128)));
        a1 = f32x4_add(a1, f32x4_mul(w, v128_load(p.add(4) as *const v128)));
    }
    let mut out = [0f32; PX];
    v128_store(out.as_mut_ptr() as *mut v128, a0);
    v128_store(out.as_mut_ptr().add(4) as *mut v128, a1);
    out
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
unsafe fn taps_8(src: *const f32, k: &[f32], offsets: &[usize], bias: f32) -> [f32; PX] {
    let mut acc = [bias; PX];
    for (&wk, &off) in k.iter().zip(offsets) {
        let s = &*(src.add(off) as *const [f32; PX]);
        for l in 0..PX {
            acc[l] += wk * s[l];
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::super::test_values as values;
    use super::*;

    fn naive(g: &ConvGeometry, k: &[f32], b: &[f32], x: &[f32]) -> Vec<f32> {
        let mut y = vec![0f32; g.channels * g.oh * g.ow];
        for c in 0..g.channels {
            for oy in 0..g.oh {
                for ox in 0..g.ow {
                    let mut s = b[c];
                    for ky in 0..g.kh {
                        for kx in 0..g.kw {
                            let iy = (oy * g.stride + ky) as isize - g.pad_top as isize;
                            let ix = (ox * g.stride + kx) as isize - g.pad_left as isize;
                            if iy >= 0 && ix >= 0 && (iy as usize) < g.h && (ix as usize) < g.w {
                                s += k[(c * g.kh + ky) * g.kw + kx]
                                    * x[(c * g.h + iy as usize) * g.w + ix as usize];
                            }
                        }
                    }
                    y[(c * g.oh + oy) * g.ow + ox] = s;
                }
            }
        }
        y
    }

    #[test]
    fn matches_the_definition() {
        // "same" padding at strides 1 and 2 (TensorFlow's: more padding after than before
        // for even sizes), odd sizes, 3×3 and 5×5, and a plane narrower than one step.
        let cases = [
            (3, 3, 1, 1, 1, 12, 13),
            (5, 5, 2, 1, 1, 16, 16),
            (3, 3, 2, 0, 0, 16, 16),
            (5, 5, 1, 2, 2, 9, 7),
            (3, 3, 1, 1, 1, 3, 3),
            (3, 3, 2, 1, 1, 7, 5),
            // not one of the unrolled shapes: the generic tap loop
            (3, 5, 1, 1, 2, 6, 10),
            (3, 5, 2, 0, 1, 6, 10),
        ];
        for &(kh, kw, stride, pad_top, pad_left, h, w) in &cases {
            let pad_bottom = kh - 1 - pad_top;
            let pad_right = kw - 1 - pad_left;
            let g = ConvGeometry {
                channels: 3,
                h,
                w,
                kh,
                kw,
                stride,
                pad_top,
                pad_left,
                oh: (h + pad_top + pad_bottom - kh) / stride + 1,
                ow: (w + pad_left + pad_right - kw) / stride + 1,
            };
            let (k, b, x) = (values(3 * kh * kw, 1), values(3, 2), values(3 * h * w, 3));
            let want = naive(&g, &k, &b, &x);
            let mut got = vec![f32::NAN; want.len()];
            let mut scratch = vec![0f32; g.plane_len()];
            depthwise(
                &g,
                &k,
                &b,
                &x,
                &Activation::Identity,
                &mut got,
                &mut scratch,
            );
            for (i, (a, e)) in got.iter().zip(&want).enumerate() {
                assert!((a - e).abs() < 1e-5, "{g:?} at {i}: {a} vs {e}");
            }
        }
    }
}
