//! The zero-bordered copy of an input plane that the convolution kernels read from.
//!
//! Column `j` of the padded plane goes to phase `j % stride`, index `j / stride`, so that
//! at stride 2 the inputs of 8 consecutive outputs for one tap are 8 consecutive floats
//! too. Rows stay in order. Each phase is wide enough for the last 8-wide step to read
//! past the plane's right edge into zeros.

/// Outputs per step along a row.
pub const PX: usize = 8;

/// One cache line of floats.
#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct Line([f32; 16]);

/// A zeroed scratch buffer of floats that starts on a cache line. The allocator on wasm32
/// aligns to 8 bytes only, and a 16-byte load from an 8-aligned buffer straddles two cache
/// lines every fourth time. (A precaution: it measured no faster in the worker than plain
/// `Vec`s, but it costs nothing.)
pub struct AlignedBuf {
    lines: Vec<Line>,
    len: usize,
}

impl AlignedBuf {
    pub fn zeroed(len: usize) -> Self {
        Self {
            lines: vec![Line([0.0; 16]); len.div_ceil(16)],
            len,
        }
    }

    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        // SAFETY: `Line` is `repr(C)` around `[f32; 16]`, so the lines are `16 · lines`
        // contiguous, initialised floats, `len` is within them, and the borrow is unique.
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr() as *mut f32, self.len) }
    }
}

/// Geometry of one convolution: input planes, kernel, stride, padding, output planes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvGeometry {
    pub channels: usize,
    pub h: usize,
    pub w: usize,
    pub kh: usize,
    pub kw: usize,
    /// Same stride on both axes: 1 or 2.
    pub stride: usize,
    pub pad_top: usize,
    pub pad_left: usize,
    pub oh: usize,
    pub ow: usize,
}

impl ConvGeometry {
    /// Width of one column phase of the scratch plane (room for the last 8-wide step).
    /// A multiple of 4, so that every row starts 16-byte aligned in an [`AlignedBuf`].
    pub fn phase_width(&self) -> usize {
        (self.ow.div_ceil(PX) * PX + (self.kw - 1) / self.stride + 1).next_multiple_of(4)
    }

    pub fn scratch_rows(&self) -> usize {
        (self.oh - 1) * self.stride + self.kh
    }

    /// Floats of one scratch plane.
    pub fn plane_len(&self) -> usize {
        self.stride * self.phase_width() * self.scratch_rows()
    }
}

/// Copies one input plane into the zero-bordered scratch, column `j` of the padded
/// plane going to phase `j % stride`, index `j / stride`.
pub fn fill_plane(g: &ConvGeometry, plane: &[f32], scratch: &mut [f32]) {
    let (pw, phase_len) = (g.phase_width(), g.phase_width() * g.scratch_rows());
    let scratch = &mut scratch[..g.plane_len()];
    scratch.fill(0.0);
    let rows = g.scratch_rows();
    for iy in 0..g.h {
        let r = iy + g.pad_top;
        if r >= rows {
            break;
        }
        let src = &plane[iy * g.w..][..g.w];
        if g.stride == 1 {
            let cols = g.w.min(pw.saturating_sub(g.pad_left));
            scratch[r * pw + g.pad_left..][..cols].copy_from_slice(&src[..cols]);
        } else {
            // Even inputs land in one phase and odd ones in the other, each run contiguous.
            let (even_phase, even_col) = (g.pad_left % 2, g.pad_left / 2);
            let (odd_phase, odd_col) = ((g.pad_left + 1) % 2, g.pad_left.div_ceil(2));
            let (evens, odds) = (g.w.div_ceil(2), g.w / 2);
            let even_at = even_phase * phase_len + r * pw + even_col;
            let odd_at = odd_phase * phase_len + r * pw + odd_col;
            let (e_n, o_n) = (evens.min(pw - even_col), odds.min(pw - odd_col));
            deinterleave(src, &mut scratch[even_at..][..e_n], Parity::Even);
            deinterleave(src, &mut scratch[odd_at..][..o_n], Parity::Odd);
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Parity {
    Even,
    Odd,
}

/// `dst[m] = src[2m]` (or `src[2m + 1]`) for every m in `dst`.
fn deinterleave(src: &[f32], dst: &mut [f32], parity: Parity) {
    let first = (parity == Parity::Odd) as usize;
    let done = deinterleave_simd(src, dst, first);
    for (m, d) in dst.iter_mut().enumerate().skip(done) {
        *d = src[2 * m + first];
    }
}

/// Four at a time from 8 consecutive inputs. Returns how many it wrote.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn deinterleave_simd(src: &[f32], dst: &mut [f32], first: usize) -> usize {
    use core::arch::wasm32::*;
    let mut m = 0;
    while m + 4 <= dst.len() && 2 * m + 8 <= src.len() {
        // SAFETY: 8 floats from 2m are inside `src`, 4 from m inside `dst` (loop condition).
        unsafe {
            let a = v128_load(src.as_ptr().add(2 * m) as *const v128);
            let b = v128_load(src.as_ptr().add(2 * m + 4) as *const v128);
            let v = if first == 0 {
                i32x4_shuffle::<0, 2, 4, 6>(a, b)
            } else {
                i32x4_shuffle::<1, 3, 5, 7>(a, b)
            };
            v128_store(dst.as_mut_ptr().add(m) as *mut v128, v);
        }
        m += 4;
    }
    m
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn deinterleave_simd(_src: &[f32], _dst: &mut [f32], _first: usize) -> usize {
    0
}
