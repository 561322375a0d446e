//! What a convolution applies to each output value before storing it, so the graph's
//! activation (and a residual `Add` before it) costs no extra pass over the tensor.

/// The activation fused into a convolution's store.
#[derive(Debug, Clone, PartialEq)]
pub enum Activation {
    /// `x`
    Identity,
    /// `max(x, 0)`
    Relu,
    /// `x · clamp(x / 6 + 0.5, 0, 1)`, as tract's `HardSwish` computes it.
    HardSwish,
    /// `x > 0 ? x : s[c] · x`, one slope per output channel.
    PRelu(Vec<f32>),
}

impl Activation {
    /// Applies the activation for output channel `c` to `v` in place.
    #[inline(always)]
    pub fn apply(&self, c: usize, v: &mut [f32]) {
        match self {
            Activation::Identity => {}
            Activation::Relu => v
                .iter_mut()
                .for_each(|x| *x = if *x > 0.0 { *x } else { 0.0 }),
            Activation::HardSwish => v.iter_mut().for_each(|x| *x = hard_swish(*x)),
            Activation::PRelu(slopes) => {
                let s = slopes[c];
                v.iter_mut()
                    .for_each(|x| *x = if *x > 0.0 { *x } else { *x * s })
            }
        }
    }
}

/// 8 values at once, with explicit SIMD on wasm: the worker's link-time optimisation runs
/// at the size level, which does not vectorise plain loops, and this runs on every output.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub fn apply8(act: &Activation, c: usize, v: &mut [f32; 8], residual: Option<&[f32; 8]>) {
    use core::arch::wasm32::*;
    let p = v.as_mut_ptr() as *mut v128;
    // SAFETY: `v` holds 8 floats: two unaligned v128 loads and stores.
    let (mut a, mut b) = unsafe { (v128_load(p), v128_load(p.add(1))) };
    if let Some(r) = residual {
        let q = r.as_ptr() as *const v128;
        // SAFETY: `r` holds 8 floats.
        unsafe {
            a = f32x4_add(a, v128_load(q));
            b = f32x4_add(b, v128_load(q.add(1)));
        }
    }
    let (a, b) = match act {
        Activation::Identity => (a, b),
        Activation::Relu => {
            let z = f32x4_splat(0.0);
            (f32x4_pmax(z, a), f32x4_pmax(z, b))
        }
        Activation::HardSwish => {
            let (sixth, half) = (f32x4_splat(1.0 / 6.0), f32x4_splat(0.5));
            let (zero, one) = (f32x4_splat(0.0), f32x4_splat(1.0));
            let hs = |x: v128| {
                let r = f32x4_add(f32x4_mul(x, sixth), half);
                f32x4_mul(x, f32x4_pmin(one, f32x4_pmax(zero, r)))
            };
            (hs(a), hs(b))
        }
        Activation::PRelu(slopes) => {
            let (s, zero) = (f32x4_splat(slopes[c]), f32x4_splat(0.0));
            let pr = |x: v128| v128_bitselect(x, f32x4_mul(x, s), f32x4_gt(x, zero));
            (pr(a), pr(b))
        }
    };
    // SAFETY: as above.
    unsafe {
        v128_store(p, a);
        v128_store(p.add(1), b);
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
pub fn apply8(act: &Activation, c: usize, v: &mut [f32; 8], residual: Option<&[f32; 8]>) {
    if let Some(r) = residual {
        for (x, r) in v.iter_mut().zip(r) {
            *x += *r;
        }
    }
    act.apply(c, v);
}

#[inline(always)]
fn hard_swish(x: f32) -> f32 {
    let r = x * (1.0 / 6.0) + 0.5;
    let r = if r > 0.0 { r } else { 0.0 };
    x * if r < 1.0 { r } else { 1.0 }
}
