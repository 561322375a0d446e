//! The small browser glue in a real browser: localStorage, invite links and their QR
//! codes, and the (fake) camera. See `crates/app/webdriver.json` for the browser flags.

#![cfg(target_arch = "wasm32")]

use futures::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use huddle_app::camera::{open_camera, stop_stream};
use huddle_app::invite_link::{invite_url, qr_data_url};
use huddle_app::storage::{remember_name, remembered_name};
use huddle_protocol::{InviteToken, RoomId};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::MediaStreamTrack;

wasm_bindgen_test_configure!(run_in_browser);

fn local_storage() -> web_sys::Storage {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage")
}

/// Test 5: the display name survives in localStorage, trimmed; a blank one is not offered.
#[wasm_bindgen_test]
fn remembered_name_round_trips_and_ignores_blank_names() {
    local_storage().clear().expect("clear localStorage");
    assert_eq!(
        remembered_name(),
        None,
        "a name remembered in an empty localStorage"
    );

    remember_name("Ada Lovelace");
    assert_eq!(remembered_name().as_deref(), Some("Ada Lovelace"));

    remember_name("  Grace  ");
    assert_eq!(
        remembered_name().as_deref(),
        Some("Grace"),
        "stored untrimmed"
    );
    assert!(
        (0..local_storage().length().unwrap_or(0))
            .filter_map(|i| local_storage().key(i).ok().flatten())
            .any(|k| local_storage().get_item(&k).ok().flatten().as_deref() == Some("Grace")),
        "the name is not in localStorage"
    );

    remember_name("   \t ");
    let after_blank = remembered_name();
    assert!(
        after_blank.as_deref().is_none_or(|n| !n.trim().is_empty()),
        "a whitespace-only name was remembered: {after_blank:?}"
    );

    local_storage().clear().expect("clear localStorage");
    remember_name(" \n ");
    assert_eq!(
        remembered_name(),
        None,
        "a whitespace-only name was remembered"
    );
    local_storage().clear().expect("clear localStorage");
}

/// Test 6a: the QR code is an SVG data URL that the browser parses as SVG.
#[wasm_bindgen_test]
fn qr_data_url_is_a_parseable_svg() {
    let text = "https://huddle.example/room/123456789?invite=a%20b";
    let url = qr_data_url(text).expect("a QR code for a short invite link");
    let prefix = "data:image/svg+xml";
    assert!(
        url.starts_with(prefix),
        "not an SVG data URL: {}",
        &url[..url.len().min(60)]
    );
    let (_, body) = url.split_once(',').expect("a data URL has a comma");
    assert!(
        !body.contains(['<', '>', '#', '"', ' ']),
        "the SVG is not percent-encoded in the data URL"
    );
    let svg = js_sys::decode_uri_component(body)
        .expect("the data URL body decodes")
        .as_string()
        .expect("a string");
    assert!(
        svg.contains("<svg"),
        "no <svg> in {}",
        &svg[..svg.len().min(200)]
    );

    // The browser's own XML parser accepts it, with an <svg> root.
    let parse = js_sys::Function::new_with_args(
        "s",
        "const d = new DOMParser().parseFromString(s, 'image/svg+xml');\
         return d.getElementsByTagName('parsererror').length === 0 \
             && d.documentElement.localName === 'svg';",
    );
    let parsed = parse.call1(&JsValue::NULL, &svg.into()).expect("DOMParser");
    assert_eq!(
        parsed.as_bool(),
        Some(true),
        "the SVG does not parse as an SVG document"
    );

    // Far more than a QR code holds (2953 bytes at the lowest error correction).
    assert_eq!(
        qr_data_url(&"x".repeat(4_000)),
        None,
        "a QR code for 4000 bytes"
    );
}

/// Test 6b: the invite token is percent-encoded into the query.
#[wasm_bindgen_test]
fn invite_url_percent_encodes_the_token() {
    let digits = "123456789012345678901234567890";
    let room = (1..=digits.len())
        .find_map(|n| RoomId::parse(&digits[..n]).ok())
        .expect("some prefix of the digits is a room id");
    let token = InviteToken("a b/c+d=e&f?g#h%".into());
    let url = invite_url("https://huddle.example", &room, &token);
    assert_eq!(
        url,
        format!("https://huddle.example/room/{room}?invite=a%20b%2Fc%2Bd%3De%26f%3Fg%23h%25")
    );
    let (_, query) = url.split_once("?invite=").expect("an invite query");
    assert_eq!(
        js_sys::decode_uri_component(query)
            .ok()
            .and_then(|s| s.as_string())
            .as_deref(),
        Some(token.0.as_str()),
        "the token does not decode back"
    );
}

fn ready_state(track: &MediaStreamTrack) -> String {
    js_sys::Reflect::get(track, &"readyState".into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// Test 7: the fake camera opens with one live video track and no audio; stopping ends it.
#[wasm_bindgen_test]
async fn camera_opens_one_live_video_track_and_stops() {
    let opening = std::pin::pin!(open_camera());
    let stream = match select(opening, std::pin::pin!(TimeoutFuture::new(10_000))).await {
        Either::Left((stream, _)) => stream.unwrap_or_else(|e| panic!("open_camera(): {e}")),
        Either::Right(_) => panic!("timed out after 10000 ms waiting for open_camera()"),
    };
    let video: Vec<MediaStreamTrack> = stream
        .get_video_tracks()
        .iter()
        .map(|t| t.dyn_into().expect("a MediaStreamTrack"))
        .collect();
    assert_eq!(video.len(), 1, "video tracks");
    assert_eq!(stream.get_audio_tracks().length(), 0, "asked for no audio");
    assert_eq!(video[0].kind(), "video");
    assert_eq!(ready_state(&video[0]), "live");
    assert!(stream.active(), "a fresh camera stream is not active");

    stop_stream(&stream);
    assert_eq!(
        ready_state(&video[0]),
        "ended",
        "stop_stream left the track running"
    );
    assert!(
        !stream.active(),
        "the stream is still active after stop_stream"
    );
}
