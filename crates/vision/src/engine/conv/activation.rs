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

#[inline(always)]
fn hard_swish(x: f32) -> f32 {
    let r = x * (1.0 / 6.0) + 0.5;
    let r = if r > 0.0 { r } else { 0.0 };
    x * if r < 1.0 { r } else { 1.0 }
}
