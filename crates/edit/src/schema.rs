//! The document layout: root names, keys, and the conversion between yrs values and the plain
//! types. Everything read from the document goes through here, so it is where untrusted remote
//! data gets checked: anything malformed reads as "no such element" or a default, never a panic.

use std::sync::Arc;

use yrs::{Any, Array, ArrayPrelim, ArrayRef, In, Map, MapPrelim, MapRef, Out, ReadTxn};

use crate::limits;
use crate::types::{ElementId, ElementKind, ElementSnapshot, Frame, Placement, TextStyle};

/// Root map: element id → nested map of that element.
pub(crate) const ELEMENTS: &str = "elements";
/// Root map: the photo's crop and rotation.
pub(crate) const FRAME: &str = "frame";

pub(crate) const KIND: &str = "kind";
pub(crate) const Z: &str = "z";
pub(crate) const PLACE: &str = "place";
pub(crate) const PRESET: &str = "preset";
pub(crate) const SIZE: &str = "size";
pub(crate) const POINTS: &str = "points";
pub(crate) const COLOUR: &str = "colour";
pub(crate) const WIDTH: &str = "width";
pub(crate) const ERASER: &str = "eraser";
pub(crate) const TEXT: &str = "text";
pub(crate) const FONT: &str = "font";
pub(crate) const OUTLINE: &str = "outline";
pub(crate) const CROP: &str = "crop";
pub(crate) const TURNS: &str = "turns";

pub(crate) const STICKER: &str = "sticker";
pub(crate) const STROKE: &str = "stroke";
pub(crate) const TEXT_KIND: &str = "text";

/// Four f32s written as one value, so a concurrent write replaces all of them together
/// (a move never ends up with one peer's x and another's y).
pub(crate) fn quad(v: [f32; 4]) -> Any {
    Any::Array(Arc::from(v.map(Any::from).to_vec()))
}

pub(crate) fn place_any(p: Placement) -> Any {
    quad([p.x, p.y, p.scale, p.rotation])
}

pub(crate) fn colour_any(c: [u8; 4]) -> Any {
    Any::Buffer(Arc::from(c.to_vec()))
}

pub(crate) fn outline_any(c: Option<[u8; 4]>) -> Any {
    c.map(colour_any).unwrap_or(Any::Null)
}

/// The nested map for a new element. `kind` must already be sanitised; stroke points are
/// written separately (they go into the nested array, see `append_points`).
pub(crate) fn new_element(kind: &ElementKind, z: f64, at: Placement) -> MapPrelim {
    let mut m = MapPrelim::default();
    let mut put = |k: &str, v: In| {
        m.insert(Arc::from(k), v);
    };
    put(KIND, Any::from(kind.tag()).into());
    put(Z, Any::from(z).into());
    put(PLACE, place_any(at).into());
    match kind {
        ElementKind::Sticker { preset, size } => {
            put(PRESET, Any::from(preset.as_str()).into());
            put(SIZE, Any::from(*size).into());
        }
        ElementKind::Stroke {
            colour,
            width,
            eraser,
            ..
        } => {
            put(COLOUR, colour_any(*colour).into());
            put(WIDTH, Any::from(*width).into());
            put(ERASER, Any::from(*eraser).into());
            put(POINTS, ArrayPrelim::default().into());
        }
        ElementKind::Text { content, style } => {
            put(TEXT, Any::from(content.as_str()).into());
            put(FONT, Any::from(style.font.as_str()).into());
            put(SIZE, Any::from(style.size).into());
            put(COLOUR, colour_any(style.colour).into());
            put(OUTLINE, outline_any(style.outline).into());
        }
    }
    m
}

fn any<T: ReadTxn>(txn: &T, map: &MapRef, key: &str) -> Option<Any> {
    match map.get(txn, key)? {
        Out::Any(a) => Some(a),
        _ => None,
    }
}

fn num<T: ReadTxn>(txn: &T, map: &MapRef, key: &str) -> Option<f64> {
    match any(txn, map, key)? {
        Any::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn string<T: ReadTxn>(txn: &T, map: &MapRef, key: &str) -> Option<Arc<str>> {
    match any(txn, map, key)? {
        Any::String(s) => Some(s),
        _ => None,
    }
}

fn colour_of(a: &Any) -> Option<[u8; 4]> {
    match a {
        Any::Buffer(b) => <[u8; 4]>::try_from(&b[..]).ok(),
        _ => None,
    }
}

fn colour<T: ReadTxn>(txn: &T, map: &MapRef, key: &str) -> Option<[u8; 4]> {
    colour_of(&any(txn, map, key)?)
}

fn quad_of(a: &Any) -> Option<[f32; 4]> {
    let Any::Array(items) = a else { return None };
    let mut out = [0.0f32; 4];
    if items.len() != 4 {
        return None;
    }
    for (o, v) in out.iter_mut().zip(items.iter()) {
        let Any::Number(n) = v else { return None };
        *o = n.as_f64()? as f32;
    }
    Some(out)
}

/// An element's z; non-finite or missing reads as 0 so sorting stays total.
pub(crate) fn z_of<T: ReadTxn>(txn: &T, map: &MapRef) -> f64 {
    num(txn, map, Z).filter(|z| z.is_finite()).unwrap_or(0.0)
}

pub(crate) fn kind_of<T: ReadTxn>(txn: &T, map: &MapRef) -> Option<Arc<str>> {
    string(txn, map, KIND)
}

pub(crate) fn points_array<T: ReadTxn>(txn: &T, map: &MapRef) -> Option<ArrayRef> {
    match map.get(txn, POINTS)? {
        Out::YArray(a) => Some(a),
        _ => None,
    }
}

/// Points are stored flat (`x0, y0, x1, y1, ...`): one yrs item per appended batch holds plain
/// numbers, which encode as 5-byte float32s. A dangling odd coordinate or a non-number (only a
/// broken peer writes those) ends the stroke there.
fn read_points<T: ReadTxn>(txn: &T, arr: &ArrayRef) -> Vec<[f32; 2]> {
    let mut out = Vec::new();
    let mut pending: Option<f32> = None;
    for v in arr.iter(txn) {
        let Out::Any(Any::Number(n)) = v else { break };
        let Some(c) = n.as_f64().and_then(|c| limits::point(c as f32)) else {
            break;
        };
        match pending.take() {
            None => pending = Some(c),
            Some(x) => {
                out.push([x, c]);
                if out.len() == limits::MAX_STROKE_POINTS {
                    break;
                }
            }
        }
    }
    out
}

/// Reads one element, sanitised. `None` for anything that is not a well-formed element.
pub(crate) fn read_element<T: ReadTxn>(txn: &T, id: &str, map: &MapRef) -> Option<ElementSnapshot> {
    let id = ElementId(id.to_string());
    let author = id.author()?;
    let placement = any(txn, map, PLACE)
        .as_ref()
        .and_then(quad_of)
        .map(|[x, y, scale, rotation]| Placement {
            x,
            y,
            scale,
            rotation,
        })
        .unwrap_or_default();
    let f32_or = |key: &str, default: f32| {
        limits::size(
            num(txn, map, key).map(|v| v as f32).unwrap_or(default),
            default,
        )
    };
    let kind = match &*kind_of(txn, map)? {
        STICKER => ElementKind::Sticker {
            preset: limits::preset(&string(txn, map, PRESET).unwrap_or_default()),
            size: f32_or(SIZE, 1.0),
        },
        STROKE => ElementKind::Stroke {
            points: points_array(txn, map)
                .map(|a| read_points(txn, &a))
                .unwrap_or_default(),
            colour: colour(txn, map, COLOUR).unwrap_or([0, 0, 0, 255]),
            width: f32_or(WIDTH, 0.01),
            eraser: matches!(any(txn, map, ERASER), Some(Any::Bool(true))),
        },
        TEXT_KIND => ElementKind::Text {
            content: limits::text(&string(txn, map, TEXT).unwrap_or_default()),
            style: TextStyle {
                font: limits::font(&string(txn, map, FONT).unwrap_or_default()).to_string(),
                size: f32_or(SIZE, 0.05),
                colour: colour(txn, map, COLOUR).unwrap_or([0, 0, 0, 255]),
                outline: any(txn, map, OUTLINE).as_ref().and_then(colour_of),
            },
        },
        _ => return None,
    };
    Some(ElementSnapshot {
        id,
        author,
        z: z_of(txn, map),
        placement: limits::placement(placement),
        kind,
    })
}

/// All well-formed elements, bottom → top by `(z, id)`, at most [`limits::MAX_ELEMENTS`].
pub(crate) fn read_elements<T: ReadTxn>(txn: &T, root: &MapRef) -> Vec<ElementSnapshot> {
    let mut all: Vec<ElementSnapshot> = root
        .iter(txn)
        .filter_map(|(id, v)| match v {
            Out::YMap(m) => read_element(txn, id, &m),
            _ => None,
        })
        .collect();
    all.sort_by(|a, b| a.z.total_cmp(&b.z).then_with(|| a.id.cmp(&b.id)));
    all.truncate(limits::MAX_ELEMENTS);
    all
}

pub(crate) fn element_map<T: ReadTxn>(txn: &T, root: &MapRef, id: &ElementId) -> Option<MapRef> {
    match root.get(txn, &id.0)? {
        Out::YMap(m) => Some(m),
        _ => None,
    }
}

pub(crate) fn read_frame<T: ReadTxn>(txn: &T, map: &MapRef) -> Frame {
    let crop = any(txn, map, CROP)
        .as_ref()
        .and_then(quad_of)
        .unwrap_or(Frame::default().crop);
    let quarter_turns = num(txn, map, TURNS)
        .filter(|t| t.is_finite())
        .map(|t| t.rem_euclid(4.0) as u8)
        .unwrap_or(0);
    limits::frame(Frame {
        crop,
        quarter_turns,
    })
}
