//! Group-1 convolution with a k×k kernel on NCHW (batch 1), for layers with few input
//! channels such as each model's first (3 channels, 3×3 or 5×5, stride 2).
//!
//! tract gathers these through a lazy im2col into its matrix product. Here every input
//! plane is copied once into the zero-bordered scratch (`padded.rs`), and each tap
//! (input channel, ky, kx) is a fixed offset into it; the 4×8 block of `block.rs` then
//! runs over the taps as the pointwise kernel runs over input channels.

use super::activation::Activation;
use super::block::{self, store, BlockWeights, CO};
use super::padded::{fill_plane, AlignedBuf, ConvGeometry, PX};

/// `g.channels` input planes in `x`, `w.cout` output planes into `y`.
pub fn direct(g: &ConvGeometry, w: &BlockWeights, x: &[f32], act: &Activation, y: &mut [f32]) {
    let (cin, cout) = (g.channels, w.cout);
    assert_eq!(w.taps, cin * g.kh * g.kw);
    assert!(g.stride == 1 || g.stride == 2);
    assert!(x.len() >= cin * g.h * g.w && y.len() >= cout * g.oh * g.ow);
    let plane = g.plane_len();
    let mut buf = AlignedBuf::zeroed(cin * plane);
    let scratch = buf.as_mut_slice();
    for (c, s) in scratch.chunks_exact_mut(plane).enumerate() {
        fill_plane(g, &x[c * g.h * g.w..][..g.h * g.w], s);
    }
    let (pw, phase_len) = (g.phase_width(), g.phase_width() * g.scratch_rows());
    let offsets: Vec<usize> = (0..cin)
        .flat_map(|c| (0..g.kh).map(move |ky| (c, ky)))
        .flat_map(|(c, ky)| (0..g.kw).map(move |kx| (c, ky, kx)))
        .map(|(c, ky, kx)| c * plane + (kx % g.stride) * phase_len + ky * pw + kx / g.stride)
        .collect();
    // The last step's reads end inside the scratch (see `ConvGeometry::phase_width`).
    let last_base = (g.oh - 1) * g.stride * pw + g.ow.div_ceil(PX) * PX - PX;
    assert!(last_base + offsets.iter().copied().max().unwrap_or(0) + PX <= scratch.len());
    let src = scratch.as_ptr();
    let out_plane = g.oh * g.ow;
    // Rows outermost: the scratch rows one output row reads stay in the L1 cache while
    // every block of output channels passes over them.
    for oy in 0..g.oh {
        for b in 0..w.blocks() {
            let (wb, bias, rows) = w.block(b);
            for ox in (0..g.ow).step_by(PX) {
                let base = oy * g.stride * pw + ox;
                // SAFETY: base ≤ last_base and every offset ≤ their maximum, checked above.
                let acc = unsafe { block::block_4x8(wb, bias, |t| src.add(base + offsets[t])) };
                let k = (g.ow - ox).min(PX);
                store(
                    &acc,
                    b * CO,
                    rows,
                    out_plane,
                    oy * g.ow + ox,
                    k,
                    None,
                    act,
                    y,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_values as values;
    use super::*;

    #[test]
    fn matches_the_definition() {
        // (cin, cout, k, stride, pad, h, w): the models' first layers, and odd sizes.
        for &(cin, cout, k, stride, pad, h, w) in &[
            (3usize, 16usize, 3usize, 2usize, 0usize, 16usize, 16usize),
            (3, 24, 5, 2, 1, 12, 12),
            (3, 5, 3, 1, 1, 7, 9),
            (2, 6, 2, 2, 0, 6, 6),
        ] {
            let pad_after = (k - 1).saturating_sub(pad);
            let g = ConvGeometry {
                channels: cin,
                h,
                w,
                kh: k,
                kw: k,
                stride,
                pad_top: pad,
                pad_left: pad,
                oh: (h + pad + pad_after - k) / stride + 1,
                ow: (w + pad + pad_after - k) / stride + 1,
            };
            let taps = cin * k * k;
            let (wt, b, x) = (
                values(cout * taps, 1),
                values(cout, 2),
                values(cin * h * w, 3),
            );
            let mut got = vec![f32::NAN; cout * g.oh * g.ow];
            direct(
                &g,
                &BlockWeights::new(cout, taps, &wt, &b),
                &x,
                &Activation::Identity,
                &mut got,
            );
            for o in 0..cout {
                for oy in 0..g.oh {
                    for ox in 0..g.ow {
                        let mut s = b[o];
                        for c in 0..cin {
                            for ky in 0..k {
                                for kx in 0..k {
                                    let iy = (oy * stride + ky) as isize - pad as isize;
                                    let ix = (ox * stride + kx) as isize - pad as isize;
                                    if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w
                                    {
                                        s += wt[o * taps + (c * k + ky) * k + kx]
                                            * x[(c * h + iy as usize) * w + ix as usize];
                                    }
                                }
                            }
                        }
                        let v = got[(o * g.oh + oy) * g.ow + ox];
                        assert!(
                            (v - s).abs() < 1e-4,
                            "{cin}x{cout} k{k} s{stride} at {o},{oy},{ox}: {v} vs {s}"
                        );
                    }
                }
            }
        }
    }
}
