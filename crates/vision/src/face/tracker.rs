//! Multi-face tracking as in MediaPipe's `face_landmark_front` graph: faces found
//! last frame are followed with ROIs built from their landmarks (no detector
//! needed); the detector runs only while fewer than `max_faces` are tracked, and
//! its detections that overlap a tracked face are dropped.

use super::detector::{iou, FaceDetector};
use super::landmarks::{FaceLandmarker, LandmarkModelKind, RawFace};
use super::metrics::{eye_openness, head_pose, mouth_openness, smile_score, HeadPose};
use super::roi::{roi_from_detection, roi_from_landmarks, NormRect};
use super::topology::{LIPS_INNER, LIPS_OUTER, MESH_POINTS, NOSE_TIP};
use crate::engine::Model;
use crate::error::Result;
use crate::image::{BBox, Rgba8Image, RgbaView};

/// Tracker settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaceTrackerOptions {
    /// Most faces processed per frame (each costs one landmark inference).
    pub max_faces: usize,
    /// Detector score threshold (MediaPipe `min_detection_confidence`).
    pub min_detection_score: f32,
    /// Face-presence threshold for keeping a face (MediaPipe uses 0.5).
    pub min_presence: f32,
    /// Follow faces from frame to frame with landmark ROIs (video). `false` runs
    /// the detector on every frame (still images, MediaPipe `static_image_mode`).
    pub tracking: bool,
    /// While at least one face is tracked (and fewer than `max_faces`), look for
    /// new faces only every this many frames. 1 is MediaPipe's behaviour (detector
    /// on every such frame); video calls can use more to save the detector's time.
    pub redetect_every: u32,
}

impl Default for FaceTrackerOptions {
    fn default() -> Self {
        Self {
            max_faces: 4,
            min_detection_score: 0.5,
            min_presence: 0.5,
            tracking: true,
            redetect_every: 1,
        }
    }
}

/// One face in frame pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Face {
    /// The 468 mesh points: x, y in pixels; z relative depth in the same scale as
    /// x (MediaPipe's z × frame width; smaller is nearer).
    pub landmarks: Vec<[f32; 3]>,
    /// The 10 iris points (5 per eye, MediaPipe-left first) with the attention model.
    pub irises: Option<Vec<[f32; 3]>>,
    /// Bounding box of the mesh.
    pub bbox: BBox,
    /// Face presence probability from the landmark model.
    pub presence: f32,
    /// Outer and inner lip contours (ordered loops of 20 points, pixels).
    pub lips_outer: Vec<[f32; 2]>,
    pub lips_inner: Vec<[f32; 2]>,
    pub pose: HeadPose,
    /// 0..1, see [`super::metrics::smile_score`].
    pub smile: f32,
    /// 0..1 per eye (MediaPipe-left, MediaPipe-right).
    pub eye_openness: [f32; 2],
    /// Inner-lip gap over the eye span.
    pub mouth_openness: f32,
    /// The ROI the landmarks came from (normalised), for overlays and debugging.
    pub roi: NormRect,
}

/// Detector + landmark model + tracking state for one video stream.
pub struct FaceTracker {
    detector: FaceDetector,
    landmarker: FaceLandmarker,
    options: FaceTrackerOptions,
    tracked: Vec<NormRect>,
    frame_size: (usize, usize),
    /// Frames since the detector last ran.
    since_detect: u32,
}

impl std::fmt::Debug for FaceTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceTracker")
            .field("landmarker", &self.landmarker)
            .field("options", &self.options)
            .field("tracked", &self.tracked.len())
            .finish()
    }
}

impl FaceTracker {
    /// Loads the detector (`face_detection_short_range.onnx`) and a landmark model
    /// (`face_landmark.onnx` or `face_landmark_with_attention.onnx`) from bytes.
    pub fn from_bytes(detector: &[u8], landmark: &[u8]) -> Result<Self> {
        Ok(Self::new(
            FaceDetector::from_bytes(detector)?,
            FaceLandmarker::from_bytes(landmark)?,
        ))
    }

    /// Uses already loaded models (any engine).
    pub fn with_models(detector: Box<dyn Model>, landmark: Box<dyn Model>) -> Result<Self> {
        Ok(Self::new(
            FaceDetector::with_model(detector)?,
            FaceLandmarker::with_model(landmark)?,
        ))
    }

    pub fn new(detector: FaceDetector, landmarker: FaceLandmarker) -> Self {
        Self {
            detector,
            landmarker,
            options: FaceTrackerOptions::default(),
            tracked: Vec::new(),
            frame_size: (0, 0),
            since_detect: 0,
        }
    }

    pub fn set_options(&mut self, options: FaceTrackerOptions) {
        self.detector.set_min_score(options.min_detection_score);
        self.options = options;
    }

    pub fn options(&self) -> FaceTrackerOptions {
        self.options
    }

    pub fn landmark_model_kind(&self) -> LandmarkModelKind {
        self.landmarker.kind()
    }

    /// Forget tracked faces (camera switch, scene cut).
    pub fn reset(&mut self) {
        self.tracked.clear();
    }

    /// Processes one frame; faces ordered left to right by nose tip.
    pub fn process(&mut self, frame: &Rgba8Image) -> Result<Vec<Face>> {
        let view = frame.as_view()?;
        self.process_view(view)
    }

    /// Same, on a borrowed frame.
    pub fn process_view(&mut self, frame: RgbaView<'_>) -> Result<Vec<Face>> {
        RgbaView::new(frame.width as u32, frame.height as u32, frame.data)?;
        let (w, h) = (frame.width, frame.height);
        if !self.options.tracking || self.frame_size != (w, h) {
            self.tracked.clear();
        }
        self.frame_size = (w, h);
        let max = self.options.max_faces;
        let mut rois: Vec<NormRect> = self.tracked.iter().copied().take(max).collect();
        self.since_detect = self.since_detect.saturating_add(1);
        let detect_due = rois.is_empty() || self.since_detect >= self.options.redetect_every.max(1);
        if rois.len() < max && detect_due {
            self.since_detect = 0;
            for det in self.detector.detect(frame)? {
                if rois.len() >= max {
                    break;
                }
                let roi = roi_from_detection(&det, w, h);
                // Association: a detection of an already tracked face is dropped in
                // favour of the landmark ROI, which is steadier.
                if rois.iter().all(|r| iou(&r.aabb(), &roi.aabb()) <= 0.5) {
                    rois.push(roi);
                }
            }
        }
        let mut faces: Vec<Face> = Vec::with_capacity(rois.len());
        self.tracked.clear();
        for roi in rois {
            let raw = self.landmarker.run(frame, &roi)?;
            if raw.presence < self.options.min_presence {
                continue;
            }
            let next = roi_from_landmarks(&raw.landmarks, w, h);
            let face = to_face(raw, roi, w, h);
            // Two ROIs can converge on one face; keep the first.
            if faces.iter().any(|f| bbox_iou(&f.bbox, &face.bbox) > 0.5) {
                continue;
            }
            if let Some(next) = next {
                self.tracked.push(next);
            }
            faces.push(face);
        }
        faces.sort_by(|a, b| a.landmarks[NOSE_TIP][0].total_cmp(&b.landmarks[NOSE_TIP][0]));
        Ok(faces)
    }
}

fn bbox_iou(a: &BBox, b: &BBox) -> f32 {
    iou(&[a.x0, a.y0, a.x1, a.y1], &[b.x0, b.y0, b.x1, b.y1])
}

/// Normalised landmarks → a [`Face`] in pixels with its derived measures.
fn to_face(raw: RawFace, roi: NormRect, w: usize, h: usize) -> Face {
    let (wf, hf) = (w as f32, h as f32);
    let mut px: Vec<[f32; 3]> = raw
        .landmarks
        .iter()
        .map(|p| [p[0] * wf, p[1] * hf, p[2] * wf])
        .collect();
    let irises = (px.len() > MESH_POINTS).then(|| px.split_off(MESH_POINTS));
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in &px {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    let contour = |idx: &[usize]| {
        idx.iter()
            .map(|&i| [px[i][0], px[i][1]])
            .collect::<Vec<_>>()
    };
    Face {
        lips_outer: contour(&LIPS_OUTER),
        lips_inner: contour(&LIPS_INNER),
        pose: head_pose(&px),
        smile: smile_score(&px),
        eye_openness: eye_openness(&px),
        mouth_openness: mouth_openness(&px),
        bbox: BBox { x0, y0, x1, y1 },
        presence: raw.presence,
        irises,
        landmarks: px,
        roi,
    }
}
