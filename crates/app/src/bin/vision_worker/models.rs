//! Downloading the model files (with progress) and preparing the pipelines.

use futures::future::try_join_all;
use huddle_app::vision::messages::{FromWorker, ModelChoice, ModelLoad, FACE_DETECTOR_FILE};
use huddle_vision::{FaceTracker, Segmenter};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response, WorkerGlobalScope};

use crate::reply::{now, post};

/// Why the models could not be made ready, in words for the user.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("Could not download {file} ({reason}). Check your connection and try again.")]
    Download { file: String, reason: String },
    #[error("{file} could not be prepared: {reason}")]
    Prepare { file: String, reason: String },
}

/// The prepared pipelines.
pub struct Loaded {
    pub segmenter: Option<Segmenter>,
    pub tracker: Option<FaceTracker>,
}

struct Download {
    file: String,
    bytes: Vec<u8>,
    ms: f64,
}

/// Downloads every file the choice needs at once, then prepares them one by one
/// (preparing is CPU-bound; downloads overlap).
pub async fn load(base: &str, choice: ModelChoice) -> Result<(Loaded, Vec<ModelLoad>), LoadError> {
    let mut files: Vec<&str> = Vec::new();
    if let Some(seg) = choice.segmentation {
        files.push(seg.file_name());
    }
    if let Some(lm) = choice.landmarks {
        files.push(FACE_DETECTOR_FILE);
        files.push(lm.file_name());
    }
    let downloads = try_join_all(files.iter().map(|f| download(base, f))).await?;
    let mut report = Vec::new();
    let mut by_name = downloads.into_iter();
    let mut next = || by_name.next();

    let segmenter = match choice.segmentation {
        Some(_) => {
            let d = next().ok_or_else(|| missing("segmentation"))?;
            let t0 = now();
            let s = Segmenter::from_bytes(&d.bytes).map_err(|e| prepare(&d.file, e))?;
            report.push(record(&d, now() - t0));
            Some(s)
        }
        None => None,
    };
    let tracker = match choice.landmarks {
        Some(kind) => {
            let det = next().ok_or_else(|| missing(FACE_DETECTOR_FILE))?;
            let lm = next().ok_or_else(|| missing(kind.file_name()))?;
            let t0 = now();
            let detector = huddle_vision::FaceDetector::from_bytes(&det.bytes)
                .map_err(|e| prepare(&det.file, e))?;
            report.push(record(&det, now() - t0));
            let t1 = now();
            let landmarker = huddle_vision::FaceLandmarker::from_bytes(&lm.bytes)
                .map_err(|e| prepare(&lm.file, e))?;
            report.push(record(&lm, now() - t1));
            Some(FaceTracker::new(detector, landmarker))
        }
        None => None,
    };
    Ok((Loaded { segmenter, tracker }, report))
}

fn record(d: &Download, prepare_ms: f64) -> ModelLoad {
    ModelLoad {
        file: d.file.clone(),
        bytes: d.bytes.len() as u64,
        download_ms: d.ms,
        prepare_ms,
    }
}

fn missing(file: &str) -> LoadError {
    LoadError::Download {
        file: file.to_string(),
        reason: "nothing was downloaded".into(),
    }
}

fn prepare(file: &str, e: huddle_vision::VisionError) -> LoadError {
    LoadError::Prepare {
        file: file.to_string(),
        reason: e.to_string(),
    }
}

fn js_reason(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "network error".into())
}

/// Fetches one file, posting `Progress` as its bytes arrive.
async fn download(base: &str, file: &str) -> Result<Download, LoadError> {
    let fail = |reason: String| LoadError::Download {
        file: file.to_string(),
        reason,
    };
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let t0 = now();
    let url = format!("{base}{file}");
    let resp: Response = JsFuture::from(scope.fetch_with_str(&url))
        .await
        .map_err(|e| fail(js_reason(e)))?
        .unchecked_into();
    if !resp.ok() {
        return Err(fail(format!("the server answered {}", resp.status())));
    }
    let total = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|s| s.parse::<u64>().ok());
    let body = resp
        .body()
        .ok_or_else(|| fail("the response was empty".into()))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::with_capacity(total.unwrap_or(0) as usize);
    post(
        &FromWorker::Progress {
            file: file.to_string(),
            loaded: 0,
            total,
        },
        None,
        None,
    );
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| fail(js_reason(e)))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) else {
            break;
        };
        let value: js_sys::Uint8Array = value.unchecked_into();
        let start = bytes.len();
        bytes.resize(start + value.length() as usize, 0);
        value.copy_to(&mut bytes[start..]);
        post(
            &FromWorker::Progress {
                file: file.to_string(),
                loaded: bytes.len() as u64,
                total,
            },
            None,
            None,
        );
    }
    Ok(Download {
        file: file.to_string(),
        bytes,
        ms: now() - t0,
    })
}
