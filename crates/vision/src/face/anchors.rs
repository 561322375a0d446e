//! SSD anchors of the short-range face detector (MediaPipe `SsdAnchorsCalculator`
//! with `face_detection_short_range.pbtxt` options). With `fixed_anchor_size` every
//! anchor is `(cx, cy, 1, 1)`, so only the centres are kept.

/// Anchor centres in 0..1 input coordinates: 16×16×2 then 8×8×6 = 896.
pub fn short_range_anchors() -> Vec<[f32; 2]> {
    const INPUT: usize = 128;
    const STRIDES: [usize; 4] = [8, 16, 16, 16];
    // Per layer: 1 aspect ratio + 1 interpolated scale = 2 anchors per cell.
    // Consecutive layers with the same stride share the grid.
    let mut anchors = Vec::with_capacity(896);
    let mut layer = 0;
    while layer < STRIDES.len() {
        let mut last = layer;
        while last < STRIDES.len() && STRIDES[last] == STRIDES[layer] {
            last += 1;
        }
        let per_cell = 2 * (last - layer);
        let fm = INPUT.div_ceil(STRIDES[layer]);
        for y in 0..fm {
            for x in 0..fm {
                let c = [(x as f32 + 0.5) / fm as f32, (y as f32 + 0.5) / fm as f32];
                anchors.extend(std::iter::repeat_n(c, per_cell));
            }
        }
        layer = last;
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_and_first_layers() {
        let a = short_range_anchors();
        assert_eq!(a.len(), 896);
        assert_eq!(a[0], [1.0 / 32.0, 1.0 / 32.0]);
        assert_eq!(a[1], a[0]);
        assert_eq!(a[512], [1.0 / 16.0, 1.0 / 16.0]);
        assert_eq!(a[517], a[512]);
        assert_eq!(a[518], [3.0 / 16.0, 1.0 / 16.0]);
    }
}
