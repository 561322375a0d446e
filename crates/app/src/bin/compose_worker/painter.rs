//! One frame of the group picture: read every member's packed cut-out, smooth
//! skin if the room asked for it, compose with the room's settings, put the head
//! effects and the scene stickers on, and hand the picture back as a bitmap. Every buffer (cut-outs,
//! the picture, scratch, sprites, rendered backgrounds) is kept for the next frame.

use std::collections::BTreeMap;

use huddle_app::compose::messages::{ComposeRequest, ComposeTimings, MemberPicture, PlacedMember};
use huddle_app::compose::picture::Picture;
use huddle_app::compose::settings::{
    background_preset, beauty_strength, member_key, scene_settings, transform_of,
};
use huddle_protocol::{MemberId, SceneState};
use huddle_vision::scene::packed::unpack;
use huddle_vision::scene::{
    smooth_skin, ArrangeInput, Background, BackgroundPreset, BeautyScratch, Compositor,
    HeadGeometry, MemberFrame, Region, SceneError, MAX_MEMBERS,
};
use huddle_vision::{BBox, Rgba8Image};
use web_sys::ImageBitmap;

use crate::canvas::{Reader, Writer};
use crate::effects::EffectPainter;
use crate::error::ComposeError;
use crate::reply::now;

/// Which background the compositor holds, so the (possibly large) custom photo
/// is not compared pixel by pixel every frame.
#[derive(Clone, Copy, Debug, PartialEq)]
enum BackgroundChoice {
    Preset(BackgroundPreset),
    /// The custom photo of this generation (bumped by every upload).
    Custom(u64),
}

/// A member's picture as last read, kept for the frames that bring nothing new.
struct Cutout {
    image: Rgba8Image,
    person: Option<BBox>,
    /// Skin smoothing is done once per picture read, not again on every frame
    /// that reuses it.
    smoothed: bool,
}

/// A member as read this frame.
struct Input {
    id: MemberId,
    has_picture: bool,
    person: Option<BBox>,
    eyes: Option<[[f32; 2]; 2]>,
}

/// The painted picture and what the UI needs to label it.
pub struct Painted {
    pub bitmap: ImageBitmap,
    pub members: Vec<PlacedMember>,
    pub timings: ComposeTimings,
}

fn empty_image() -> Rgba8Image {
    Rgba8Image {
        width: 0,
        height: 0,
        data: Vec::new(),
    }
}

fn rect(r: &Region) -> [f32; 4] {
    [r.x, r.y, r.w, r.h]
}

pub struct Painter {
    reader: Reader,
    writer: Writer,
    compositor: Compositor,
    background: BackgroundChoice,
    custom: Option<(u64, Rgba8Image)>,
    cutouts: BTreeMap<MemberId, Cutout>,
    beauty: BeautyScratch,
    out: Rgba8Image,
    effects: EffectPainter,
}

impl Default for Painter {
    fn default() -> Self {
        Self {
            reader: Reader::default(),
            writer: Writer::default(),
            compositor: Compositor::default(),
            background: BackgroundChoice::Preset(BackgroundPreset::default()),
            custom: None,
            cutouts: BTreeMap::new(),
            beauty: BeautyScratch::default(),
            out: empty_image(),
            effects: EffectPainter::default(),
        }
    }
}

impl Painter {
    /// The room's own photo (RGBA), used while the background id is `custom`.
    pub fn set_custom_background(
        &mut self,
        width: u32,
        height: u32,
        pixels: Vec<u8>,
    ) -> Result<(), ComposeError> {
        let img = Rgba8Image::new(width, height, pixels).map_err(SceneError::from)?;
        let generation = self.custom.as_ref().map_or(1, |(g, _)| g + 1);
        self.custom = Some((generation, img));
        Ok(())
    }

    /// Paints `req`; `pictures` are the message's pictures, all closed here once read.
    pub fn frame(
        &mut self,
        req: &ComposeRequest,
        pictures: &[Option<Picture>],
    ) -> Result<Painted, ComposeError> {
        let t0 = now();
        let inputs = self.read(req, pictures);
        // Closed at once, read or not: each holds a decoded video frame.
        for p in pictures.iter().flatten() {
            p.close();
        }
        let inputs = inputs?;
        let t_read = now();

        let strength = beauty_strength(&req.scene);
        if strength > 0.0 {
            for input in inputs.iter().filter(|i| i.has_picture) {
                if let Some(cut) = self.cutouts.get_mut(&input.id).filter(|c| !c.smoothed) {
                    smooth_skin(&mut cut.image, strength, &mut self.beauty)?;
                    cut.smoothed = true;
                }
            }
        }

        self.choose_background(&req.scene);
        let ids: Vec<MemberId> = inputs.iter().map(|i| i.id).collect();
        let settings = scene_settings(&req.scene, &ids);
        let mut frames = Vec::with_capacity(inputs.len());
        for input in &inputs {
            let cutout = match self.cutouts.get(&input.id) {
                Some(cut) if input.has_picture => {
                    Some(cut.image.as_view().map_err(SceneError::from)?)
                }
                _ => None,
            };
            let arrange = match (input.eyes, input.person) {
                (Some([a, b]), Some(person)) => Some(ArrangeInput {
                    head_size: HeadGeometry::from_eyes(a, b).eye_distance(),
                    person,
                }),
                _ => None,
            };
            frames.push(MemberFrame {
                key: member_key(input.id),
                cutout,
                transform: transform_of(&req.scene, input.id),
                arrange,
            });
        }
        self.out.width = req.width;
        self.out.height = req.height;
        self.out
            .data
            .resize(req.width as usize * req.height as usize * 4, 0);
        let plan = self.compositor.compose(&settings, &frames, &mut self.out)?;

        // Bottom first, like the people: a member on top wears its effects on top.
        for m in &plan.members {
            let id = MemberId(m.slot.key.0);
            let eyes = inputs.iter().find(|i| i.id == id).and_then(|i| i.eyes);
            if let (Some(p), Some(eyes)) = (m.placement, eyes) {
                self.effects.draw(&mut self.out, &req.scene, id, eyes, &p)?;
            }
        }
        // Stickers lie on the picture itself, above everyone.
        self.effects.draw_stickers(&mut self.out, &req.scene)?;
        let bitmap = self.writer.write(req.width, req.height, &self.out.data)?;

        let members = plan
            .layout
            .slots
            .iter()
            .map(|slot| PlacedMember {
                id: MemberId(slot.key.0),
                region: rect(&slot.region),
                drawn: plan.member(slot.key).and_then(|m| m.placement).map(|p| {
                    // The visible part; the whole frame when it is off the clip.
                    let bounds = p.bounds();
                    rect(&bounds.intersection(&p.clip).unwrap_or(bounds))
                }),
                frame: plan
                    .member(slot.key)
                    .and_then(|m| m.placement)
                    .map(|p| rect(&p.bounds())),
                mirror: plan
                    .member(slot.key)
                    .and_then(|m| m.placement)
                    .is_some_and(|p| p.mirror),
                z: slot.z,
            })
            .collect();
        let t_end = now();
        Ok(Painted {
            bitmap,
            members,
            timings: ComposeTimings {
                read: t_read - t0,
                paint: t_end - t_read,
                total: t_end - t0,
            },
        })
    }

    /// Reads and unpacks every member's new picture into its kept cut-out (a
    /// member with nothing new keeps the last one). Repeated members and members
    /// past the most a picture holds are left out, so a confused request still paints.
    fn read(
        &mut self,
        req: &ComposeRequest,
        pictures: &[Option<Picture>],
    ) -> Result<Vec<Input>, ComposeError> {
        let mut inputs: Vec<Input> = Vec::with_capacity(req.members.len());
        for m in &req.members {
            if inputs.len() == MAX_MEMBERS || inputs.iter().any(|i| i.id == m.id) {
                continue;
            }
            let (has_picture, person) = match m.picture {
                MemberPicture::None => {
                    self.cutouts.remove(&m.id);
                    (false, None)
                }
                MemberPicture::Same => match self.cutouts.get(&m.id) {
                    Some(cut) => (true, cut.person),
                    None => (false, None),
                },
                MemberPicture::New { index } => {
                    match pictures.get(index).and_then(Option::as_ref) {
                        Some(picture) => {
                            let (w, h, packed) = self.reader.read(picture)?;
                            let cut = self.cutouts.entry(m.id).or_insert_with(|| Cutout {
                                image: empty_image(),
                                person: None,
                                smoothed: false,
                            });
                            cut.person = unpack(w, h, &packed, &mut cut.image)?;
                            cut.smoothed = false;
                            (true, cut.person)
                        }
                        None => (false, None),
                    }
                }
            };
            inputs.push(Input {
                id: m.id,
                has_picture,
                person,
                eyes: m.eyes,
            });
        }
        // Members who left free their buffers.
        self.cutouts
            .retain(|id, _| inputs.iter().any(|i| i.id == *id));
        Ok(inputs)
    }

    /// Renders `scene`'s background at `width × height` into the compositor's cache.
    pub fn prepare(
        &mut self,
        width: u32,
        height: u32,
        scene: &SceneState,
    ) -> Result<(), ComposeError> {
        self.choose_background(scene);
        self.compositor.background_at(width, height)?;
        Ok(())
    }

    fn choose_background(&mut self, scene: &SceneState) {
        let choice = match (background_preset(scene), &self.custom) {
            (Some(preset), _) => BackgroundChoice::Preset(preset),
            (None, Some((generation, _))) => BackgroundChoice::Custom(*generation),
            // `custom` before the photo arrived: the default until it does.
            (None, None) => BackgroundChoice::Preset(BackgroundPreset::default()),
        };
        if choice == self.background {
            return;
        }
        let background = match (choice, &self.custom) {
            (BackgroundChoice::Custom(_), Some((_, img))) => Background::Custom(img.clone()),
            (BackgroundChoice::Preset(p), _) => Background::Preset(p),
            (BackgroundChoice::Custom(_), None) => Background::default(),
        };
        self.compositor.set_background(background);
        self.background = choice;
    }
}
