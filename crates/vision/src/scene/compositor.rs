//! One frame of the group picture: plan (layout, placements, colour gains), then
//! paint (background, members bottom to top, whole-picture filter). The plan is
//! public so the app can draw placeholders and anchor effects with the same
//! numbers the pixels were drawn with.

use super::arrange::{auto_arrange, ArrangeInput};
use super::background::{mean_colour, Background};
use super::draw::{draw_cutout, DrawScratch};
use super::error::SceneResult;
use super::filter::{FilterLut, FilterPreset};
use super::harmonize::{gains, person_mean, target_colour, DEFAULT_STRENGTH};
use super::layout::{check_canvas, Layout, LayoutMode, MemberSlot};
use super::placeholder::draw_placeholder;
use super::placement::{fit_scale, place, Placement};
use super::transform::MemberTransform;
use super::MemberKey;
use crate::image::{Rgba8Image, RgbaView};

/// The room-wide choices, the same in every browser.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneSettings {
    pub mode: LayoutMode,
    pub filter: FilterPreset,
    /// Same-screen only: equal head sizes, one floor line.
    pub auto_arrange: bool,
    pub harmonize: bool,
    /// 0..1, how far each member's colour moves toward the common target.
    pub harmonize_strength: f32,
    /// Explicit member order (places and stacking); empty = join order.
    pub order: Vec<MemberKey>,
}

impl Default for SceneSettings {
    fn default() -> Self {
        Self {
            mode: LayoutMode::Grid,
            filter: FilterPreset::None,
            auto_arrange: false,
            harmonize: false,
            harmonize_strength: DEFAULT_STRENGTH,
            order: Vec::new(),
        }
    }
}

/// One member's input for a frame.
#[derive(Clone, Copy, Debug)]
pub struct MemberFrame<'a> {
    pub key: MemberKey,
    /// The person cut-out (straight alpha), live or an uploaded still; `None`
    /// for a member without a picture (the app draws a placeholder in its region).
    pub cutout: Option<RgbaView<'a>>,
    pub transform: MemberTransform,
    /// Head size and person box, for auto-arrange.
    pub arrange: Option<ArrangeInput>,
}

impl<'a> MemberFrame<'a> {
    /// A member with a picture and no adjustments.
    pub fn new(key: MemberKey, cutout: Option<RgbaView<'a>>) -> Self {
        Self {
            key,
            cutout,
            transform: MemberTransform::IDENTITY,
            arrange: None,
        }
    }
}

/// How one member is drawn this frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemberPlan {
    pub slot: MemberSlot,
    /// `None` without a cut-out (draw a placeholder in `slot.region`).
    pub placement: Option<Placement>,
    /// Per-channel colour gains (harmonisation), `[1.0; 3]` when off.
    pub gains: [f32; 3],
}

/// Everything decided for a frame before any pixel is touched.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenePlan {
    pub layout: Layout,
    /// Bottom first (paint order).
    pub members: Vec<MemberPlan>,
}

impl ScenePlan {
    /// Plans `members` (join order, creator first) on a `width × height` canvas
    /// whose background has mean colour `background_mean`.
    pub fn new(
        settings: &SceneSettings,
        members: &[MemberFrame<'_>],
        width: u32,
        height: u32,
        background_mean: [f32; 3],
    ) -> SceneResult<Self> {
        let keys: Vec<MemberKey> = members.iter().map(|m| m.key).collect();
        let layout = Layout::new(settings.mode, width, height, &keys, &settings.order)?;
        let mode = settings.mode;
        // Members in layout (position) order; keys are unique, so `find` is exact.
        let frames: Vec<&MemberFrame<'_>> = layout
            .slots
            .iter()
            .filter_map(|s| members.iter().find(|m| m.key == s.key))
            .collect();
        let size = |f: &MemberFrame<'_>| f.cutout.map(|c| (c.width as u32, c.height as u32));

        let arrangements = if settings.auto_arrange && mode == LayoutMode::SameScreen {
            let inputs: Vec<_> = frames
                .iter()
                .zip(&layout.slots)
                .map(|(f, s)| match size(f) {
                    Some((fw, fh)) => (f.arrange, fit_scale(mode, &s.region, fw, fh)),
                    None => (None, 0.0),
                })
                .collect();
            auto_arrange(&inputs)
        } else {
            vec![None; frames.len()]
        };

        let means: Vec<Option<[f32; 3]>> = frames
            .iter()
            .map(|f| {
                f.cutout
                    .filter(|_| settings.harmonize)
                    .and_then(person_mean)
            })
            .collect();
        let present: Vec<[f32; 3]> = means.iter().flatten().copied().collect();
        let target = target_colour(background_mean, &present);

        let mut plans: Vec<MemberPlan> = frames
            .iter()
            .zip(&layout.slots)
            .zip(arrangements.iter().zip(&means))
            .map(|((f, slot), (arr, mean))| MemberPlan {
                slot: *slot,
                placement: size(f).and_then(|fs| {
                    place(
                        mode,
                        &slot.region,
                        (width, height),
                        fs,
                        &f.transform,
                        arr.as_ref(),
                    )
                }),
                gains: mean.map_or([1.0; 3], |m| gains(m, target, settings.harmonize_strength)),
            })
            .collect();
        plans.sort_by_key(|m| std::cmp::Reverse(m.slot.z));
        Ok(Self {
            layout,
            members: plans,
        })
    }

    pub fn member(&self, key: MemberKey) -> Option<&MemberPlan> {
        self.members.iter().find(|m| m.slot.key == key)
    }
}

/// Paints group pictures, keeping the rendered background, the filter tables and
/// scratch buffers between frames.
#[derive(Debug)]
pub struct Compositor {
    background: Background,
    /// Rendered backgrounds and their mean colours, most recent first: two sizes,
    /// so the live preview and a full-size shot do not re-render each other's.
    cache: Vec<(Rgba8Image, [f32; 3])>,
    filter: FilterLut,
    scratch: DrawScratch,
}

const CACHED_SIZES: usize = 2;

impl Default for Compositor {
    fn default() -> Self {
        Self::new(Background::default())
    }
}

impl Compositor {
    pub fn new(background: Background) -> Self {
        Self {
            background,
            cache: Vec::new(),
            filter: FilterLut::new(FilterPreset::None),
            scratch: DrawScratch::default(),
        }
    }

    pub fn background(&self) -> &Background {
        &self.background
    }

    pub fn set_background(&mut self, background: Background) {
        if background != self.background {
            self.background = background;
            self.cache.clear();
        }
    }

    /// The background at `width × height` (rendered once per size) and its mean colour.
    pub fn background_at(
        &mut self,
        width: u32,
        height: u32,
    ) -> SceneResult<(&Rgba8Image, [f32; 3])> {
        check_canvas(width, height)?;
        match self
            .cache
            .iter()
            .position(|(img, _)| img.width == width && img.height == height)
        {
            Some(i) => self.cache[..=i].rotate_right(1),
            None => {
                let img = self.background.render(width, height)?;
                let mean = mean_colour(&img);
                self.cache.insert(0, (img, mean));
                self.cache.truncate(CACHED_SIZES);
            }
        }
        let (img, mean) = &self.cache[0];
        Ok((img, *mean))
    }

    /// Paints the picture into `out` (its size is the canvas size) and returns
    /// the plan it followed. Effects are drawn after this, over the filtered
    /// picture, so stickers keep their own colours.
    pub fn compose(
        &mut self,
        settings: &SceneSettings,
        members: &[MemberFrame<'_>],
        out: &mut Rgba8Image,
    ) -> SceneResult<ScenePlan> {
        check_canvas(out.width, out.height)?;
        out.validate()?;
        let (bg, mean) = self.background_at(out.width, out.height)?;
        out.data.copy_from_slice(&bg.data);
        let plan = ScenePlan::new(settings, members, out.width, out.height, mean)?;
        for m in &plan.members {
            let frame = members.iter().find(|f| f.key == m.slot.key);
            match (m.placement, frame.and_then(|f| f.cutout)) {
                (Some(p), Some(cut)) => draw_cutout(out, cut, &p, m.gains, &mut self.scratch)?,
                _ => draw_placeholder(out, &m.slot.region),
            }
        }
        if self.filter.preset() != settings.filter {
            self.filter = FilterLut::new(settings.filter);
        }
        self.filter.apply(&mut out.data);
        Ok(plan)
    }
}
