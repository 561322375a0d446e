//! Command-line front end for the vision engine, for scripts and test fixtures.
//!
//! ```text
//! huddle-vision segment   IN_IMAGE OUT_MASK.png [--models DIR] [--landscape] [--raw]
//! huddle-vision landmarks IN_IMAGE OUT.json     [--models DIR] [--attention] [--max-faces N]
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use huddle_vision::{FaceTracker, FaceTrackerOptions, Rgba8Image, Segmenter, SegmenterOptions};
use serde_json::json;

const USAGE: &str = "usage:
  huddle-vision segment   IN_IMAGE OUT_MASK.png [--models DIR] [--landscape] [--raw]
  huddle-vision landmarks IN_IMAGE OUT.json     [--models DIR] [--attention] [--max-faces N]

  segment    writes an 8-bit mask the size of the input (255 = person)
             --landscape uses the 256x144 model; --raw skips edge refinement
  landmarks  writes {\"faces\": [{\"landmarks\": [[x,y,z] x468], \"bbox\": [x0,y0,x1,y1], \"smile\": s, ...}]}
             in input pixels, faces left to right
  --models   directory with the .onnx files (default: ./public/models, then the repo's public/models)";

type CliResult<T> = Result<T, String>;

struct Args {
    command: String,
    input: PathBuf,
    output: PathBuf,
    models: Option<PathBuf>,
    landscape: bool,
    raw: bool,
    attention: bool,
    max_faces: usize,
}

fn parse_args() -> CliResult<Args> {
    let mut it = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut args = Args {
        command: String::new(),
        input: PathBuf::new(),
        output: PathBuf::new(),
        models: None,
        landscape: false,
        raw: false,
        attention: false,
        max_faces: 8,
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--models" => args.models = Some(it.next().ok_or("--models needs a directory")?.into()),
            "--landscape" => args.landscape = true,
            "--raw" => args.raw = true,
            "--attention" => args.attention = true,
            "--max-faces" => {
                let v = it.next().ok_or("--max-faces needs a number")?;
                args.max_faces = v.parse().map_err(|_| format!("bad --max-faces `{v}`"))?;
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`")),
            _ => positional.push(a),
        }
    }
    let [command, input, output]: [String; 3] = positional
        .try_into()
        .map_err(|_| "expected COMMAND IN OUT".to_string())?;
    args.command = command;
    args.input = input.into();
    args.output = output.into();
    Ok(args)
}

/// `--models`, else `public/models` under the working directory, else the repo's.
fn models_dir(explicit: Option<&Path>) -> CliResult<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    let candidates = [
        PathBuf::from("public/models"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/models"),
    ];
    candidates
        .iter()
        .find(|d| d.join("selfie_segmentation.onnx").is_file())
        .cloned()
        .ok_or_else(|| "model directory not found; pass --models DIR".to_string())
}

fn read_model(dir: &Path, file: &str) -> CliResult<Vec<u8>> {
    let path = dir.join(file);
    std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn load_image(path: &Path) -> CliResult<Rgba8Image> {
    let img = image::open(path)
        .map_err(|e| format!("cannot decode {}: {e}", path.display()))?
        .to_rgba8();
    let (w, h) = img.dimensions();
    Rgba8Image::new(w, h, img.into_raw()).map_err(|e| e.to_string())
}

fn segment(args: &Args, models: &Path) -> CliResult<()> {
    let file = if args.landscape {
        "selfie_segmentation_landscape.onnx"
    } else {
        "selfie_segmentation.onnx"
    };
    let mut seg = Segmenter::from_bytes(&read_model(models, file)?).map_err(|e| e.to_string())?;
    let mut opts = SegmenterOptions {
        temporal_smoothing: 0.0,
        ..SegmenterOptions::default()
    };
    if args.raw {
        opts.refine = None;
    }
    seg.set_options(opts);
    let frame = load_image(&args.input)?;
    let out = seg.segment(&frame).map_err(|e| e.to_string())?;
    let mask = image::GrayImage::from_raw(out.mask.width, out.mask.height, out.mask.data)
        .ok_or("mask buffer has the wrong size")?;
    mask.save(&args.output)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))
}

fn landmarks(args: &Args, models: &Path) -> CliResult<()> {
    let lm_file = if args.attention {
        "face_landmark_with_attention.onnx"
    } else {
        "face_landmark.onnx"
    };
    let mut tracker = FaceTracker::from_bytes(
        &read_model(models, "face_detection_short_range.onnx")?,
        &read_model(models, lm_file)?,
    )
    .map_err(|e| e.to_string())?;
    tracker.set_options(FaceTrackerOptions {
        max_faces: args.max_faces,
        tracking: false,
        ..Default::default()
    });
    let frame = load_image(&args.input)?;
    let faces = tracker.process(&frame).map_err(|e| e.to_string())?;
    let faces: Vec<_> = faces
        .iter()
        .map(|f| {
            json!({
                "landmarks": f.landmarks,
                "bbox": [f.bbox.x0, f.bbox.y0, f.bbox.x1, f.bbox.y1],
                "smile": f.smile,
                "presence": f.presence,
                "pose": {"yaw": f.pose.yaw, "pitch": f.pose.pitch, "roll": f.pose.roll},
                "eye_openness": f.eye_openness,
                "mouth_openness": f.mouth_openness,
                "lips_outer": f.lips_outer,
                "lips_inner": f.lips_inner,
                "irises": f.irises,
            })
        })
        .collect();
    let doc = json!({"width": frame.width, "height": frame.height, "faces": faces});
    let text = serde_json::to_string(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&args.output, text)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = models_dir(args.models.as_deref()).and_then(|dir| match args.command.as_str() {
        "segment" => segment(&args, &dir),
        "landmarks" => landmarks(&args, &dir),
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}
