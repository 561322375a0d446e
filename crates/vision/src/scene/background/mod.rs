//! Backgrounds of the group picture: presets rendered procedurally at any size
//! (the same pixels in every browser for the same size), or the room's own photo.

mod paint;
mod presets;

use super::draw::{draw_cutout, DrawScratch};
use super::error::{by_id, SceneResult};
use super::layout::check_canvas;
use super::placement::Placement;
use super::region::Region;
use crate::image::Rgba8Image;
use paint::{rgb, FloatCanvas};

/// The built-in backgrounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BackgroundPreset {
    #[default]
    Studio,
    Paper,
    Charcoal,
    Peach,
    Ocean,
    Spotlight,
    Sunset,
    Beach,
    Bokeh,
}

impl BackgroundPreset {
    pub const ALL: [BackgroundPreset; 9] = [
        BackgroundPreset::Studio,
        BackgroundPreset::Paper,
        BackgroundPreset::Charcoal,
        BackgroundPreset::Peach,
        BackgroundPreset::Ocean,
        BackgroundPreset::Spotlight,
        BackgroundPreset::Sunset,
        BackgroundPreset::Beach,
        BackgroundPreset::Bokeh,
    ];

    /// Stable id for messages and settings.
    pub fn id(self) -> &'static str {
        match self {
            BackgroundPreset::Studio => "studio",
            BackgroundPreset::Paper => "paper",
            BackgroundPreset::Charcoal => "charcoal",
            BackgroundPreset::Peach => "peach",
            BackgroundPreset::Ocean => "ocean",
            BackgroundPreset::Spotlight => "spotlight",
            BackgroundPreset::Sunset => "sunset",
            BackgroundPreset::Beach => "beach",
            BackgroundPreset::Bokeh => "bokeh",
        }
    }

    /// Name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            BackgroundPreset::Studio => "Studio",
            BackgroundPreset::Paper => "Paper white",
            BackgroundPreset::Charcoal => "Charcoal",
            BackgroundPreset::Peach => "Peach",
            BackgroundPreset::Ocean => "Ocean",
            BackgroundPreset::Spotlight => "Spotlight",
            BackgroundPreset::Sunset => "Sunset",
            BackgroundPreset::Beach => "Beach",
            BackgroundPreset::Bokeh => "City lights",
        }
    }

    pub fn from_id(id: &str) -> SceneResult<Self> {
        by_id(&Self::ALL, id, "background", Self::id)
    }

    fn paint(self, w: usize, h: usize) -> FloatCanvas {
        match self {
            BackgroundPreset::Studio => presets::studio(w, h),
            BackgroundPreset::Paper => presets::solid(w, h, rgb(244, 241, 234)),
            BackgroundPreset::Charcoal => presets::solid(w, h, rgb(38, 40, 46)),
            BackgroundPreset::Peach => {
                presets::diagonal(w, h, rgb(255, 214, 186), rgb(246, 160, 150))
            }
            BackgroundPreset::Ocean => presets::diagonal(w, h, rgb(22, 58, 118), rgb(42, 172, 178)),
            BackgroundPreset::Spotlight => presets::spotlight(w, h),
            BackgroundPreset::Sunset => presets::sunset(w, h),
            BackgroundPreset::Beach => presets::beach(w, h),
            BackgroundPreset::Bokeh => presets::bokeh(w, h),
        }
    }
}

/// What is behind the people.
#[derive(Clone, Debug, PartialEq)]
pub enum Background {
    Preset(BackgroundPreset),
    /// A photo someone uploaded, scaled to cover the canvas (centred, cropped).
    Custom(Rgba8Image),
}

impl Default for Background {
    fn default() -> Self {
        Background::Preset(BackgroundPreset::default())
    }
}

/// Colour under a transparent custom photo.
const CUSTOM_UNDERLAY: [u8; 4] = [38, 40, 46, 255];

impl Background {
    /// Renders at `width × height` (opaque).
    pub fn render(&self, width: u32, height: u32) -> SceneResult<Rgba8Image> {
        let mut out = Rgba8Image {
            width,
            height,
            data: Vec::new(),
        };
        self.render_into(&mut out, width, height)?;
        Ok(out)
    }

    /// Renders into `out`, resizing its buffer (reused when the size is unchanged).
    pub fn render_into(&self, out: &mut Rgba8Image, width: u32, height: u32) -> SceneResult<()> {
        check_canvas(width, height)?;
        out.width = width;
        out.height = height;
        out.data.resize(width as usize * height as usize * 4, 0);
        match self {
            Background::Preset(p) => {
                p.paint(width as usize, height as usize)
                    .write_rgba(&mut out.data);
            }
            Background::Custom(img) => {
                let src = img.as_view()?;
                for px in out.data.chunks_exact_mut(4) {
                    px.copy_from_slice(&CUSTOM_UNDERLAY);
                }
                let scale =
                    (width as f32 / img.width as f32).max(height as f32 / img.height as f32);
                let p = Placement {
                    src_w: img.width,
                    src_h: img.height,
                    scale,
                    mirror: false,
                    tx: (width as f32 - img.width as f32 * scale) * 0.5,
                    ty: (height as f32 - img.height as f32 * scale) * 0.5,
                    clip: Region::canvas(width, height),
                };
                draw_cutout(out, src, &p, [1.0; 3], &mut DrawScratch::default())?;
            }
        }
        Ok(())
    }
}

/// Mean colour of an image (every 4th pixel each way; enough for a mean and
/// cheap on a 1080p background).
pub fn mean_colour(img: &Rgba8Image) -> [f32; 3] {
    let (w, h) = (img.width as usize, img.height as usize);
    if img.data.len() != w * h * 4 || w == 0 || h == 0 {
        return [0.0; 3];
    }
    let mut sum = [0.0f64; 3];
    let mut n = 0.0f64;
    for y in (0..h).step_by(4) {
        for x in (0..w).step_by(4) {
            let p = &img.data[(y * w + x) * 4..][..3];
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
            n += 1.0;
        }
    }
    sum.map(|s| (s / n) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for p in BackgroundPreset::ALL {
            assert_eq!(BackgroundPreset::from_id(p.id()), Ok(p));
            assert!(!p.name().is_empty());
        }
        let mut ids: Vec<_> = BackgroundPreset::ALL.iter().map(|p| p.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), BackgroundPreset::ALL.len());
        assert!(BackgroundPreset::from_id("moon").is_err());
    }

    #[test]
    fn solid_is_exact() {
        let img = Background::Preset(BackgroundPreset::Charcoal)
            .render(7, 5)
            .unwrap();
        assert!(img.data.chunks_exact(4).all(|p| p == [38, 40, 46, 255]));
    }

    #[test]
    fn custom_covers_the_canvas_centred() {
        // 6×2 photo, columns green red red blue blue green: on a 4×4 canvas it is
        // scaled ×2 and its middle kept, so the green edges are cropped away.
        let (g, r, b) = ([0, 255, 0, 255], [255, 0, 0, 255], [0, 0, 255, 255]);
        let row: Vec<u8> = [g, r, r, b, b, g].concat();
        let photo = Rgba8Image::new(6, 2, [row.clone(), row].concat()).unwrap();
        let img = Background::Custom(photo).render(4, 4).unwrap();
        for y in 0..4 {
            let px = |x: usize| &img.data[(y * 4 + x) * 4..][..4];
            assert_eq!(px(0), r);
            assert_eq!(px(3), b);
        }
        assert!(img.data.chunks_exact(4).all(|p| p[1] == 0));
        assert!(Background::Custom(Rgba8Image {
            width: 3,
            height: 3,
            data: vec![]
        })
        .render(4, 4)
        .is_err());
    }
}
