//! `POST /api/posts`: the body is the video itself, the post's details are
//! percent-encoded JSON in the `x-huddle-post` header. That keeps the
//! browser side a plain `xhr.send(blob)` with real upload progress, and lets
//! the server refuse bad details before reading a byte of video.
//!
//! The body goes to `tmp/<random>.part` as it arrives, never whole into
//! memory. Only when it is complete, a WebM, short enough and anchored to
//! known items is it renamed into `media/` and given its row.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, BodyDataStream};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use huddle_protocol::{NewPost, Post, PostErrorCode, PostId, NEW_POST_HEADER};
use percent_encoding::percent_decode_str;
use tokio::io::AsyncWriteExt;

use super::store::{remove_quietly, StoredPost};
use super::{blocking, catalogue, Posts, Refusal};
use crate::state::AppState;
use huddle_protocol::webm::{self as sniff, SniffError};

/// Encoders round frame times; a 30 s recording may measure a little over.
const LENGTH_SLACK_S: f64 = 0.5;
/// After refusing an oversized body, how long we keep reading (and throwing
/// away) the rest so the client gets our answer instead of a reset.
const DRAIN_FOR: Duration = Duration::from_secs(5);

pub async fn upload(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    match receive(&state.posts, &headers, body).await {
        Ok(post) => {
            tracing::info!(id = %post.id, seconds = post.duration_s, "new post");
            (StatusCode::CREATED, Json(post)).into_response()
        }
        Err(refusal) => {
            tracing::info!(code = ?refusal.0.code, "upload refused");
            refusal.into_response()
        }
    }
}

async fn receive(posts: &Posts, headers: &HeaderMap, body: Body) -> Result<Post, Refusal> {
    let too_large = || {
        Refusal::new(
            PostErrorCode::TooLarge,
            format!("That video is larger than {}.", megabytes(posts.max_bytes)),
        )
    };
    // Cheapest first: a declared length over the cap is refused before
    // anything is read.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > posts.max_bytes) {
        return Err(too_large());
    }
    let new_post = details(headers)?;
    if new_post.bytes > posts.max_bytes {
        return Err(too_large());
    }
    if let Some(anchor) = new_post
        .anchors
        .iter()
        .find(|a| !catalogue::has_item(&a.item))
    {
        return Err(Refusal::new(
            PostErrorCode::UnknownItem,
            format!(
                "The anchor \u{201c}{}\u{201d} points to an item that is not in the catalogue.",
                anchor.label
            ),
        ));
    }
    let store = posts.store().await?;
    let part = Part::new(store.tmp_dir());
    let received = receive_body(&part.path, body, posts.max_bytes).await?;
    match received {
        Received::Complete(n) if n == new_post.bytes => {}
        Received::Complete(n) => {
            return Err(truncated(format!(
                "The video did not arrive complete ({n} of {} bytes). Try again.",
                new_post.bytes
            )))
        }
        Received::Over => return Err(too_large()),
    }

    let path = part.path.clone();
    let media = match tokio::task::spawn_blocking(move || sniff::sniff_file(&path)).await {
        Ok(result) => result.map_err(refuse_media)?,
        Err(error) => return Err(super::StoreError::Io(std::io::Error::other(error)).into()),
    };
    if media.duration_s > f64::from(posts.max_seconds) + LENGTH_SLACK_S {
        return Err(Refusal::new(
            PostErrorCode::TooLong,
            format!(
                "That video is {:.1} s long; posts are at most {} s.",
                media.duration_s, posts.max_seconds
            ),
        ));
    }

    let id = PostId::parse(&format!("{:016x}", rand::random::<u64>())).map_err(|_| {
        Refusal::new(
            PostErrorCode::Storage,
            "The server could not name the post.",
        )
    })?;
    let stored = StoredPost {
        media_file: format!("{id}.{}", media.extension),
        id,
        author: new_post.author.trim().to_owned(),
        caption: new_post.caption.trim().to_owned(),
        anchors: new_post.anchors,
        duration_s: media.duration_s as f32,
        created_ms: now_ms(),
        media_type: media.media_type.to_owned(),
        bytes: new_post.bytes,
    };
    let row = stored.clone();
    // The part moves into the blocking task so that a client going away
    // now cannot delete the file half-way through publishing it.
    blocking(move || {
        let result = store.publish(&part.path, &row);
        drop(part);
        result
    })
    .await?;
    Ok(stored.into_post())
}

/// The post's details from the header: percent-encoded UTF-8 JSON.
fn details(headers: &HeaderMap) -> Result<NewPost, Refusal> {
    let bad = |message: String| Refusal::new(PostErrorCode::BadMetadata, message);
    let value = headers.get(NEW_POST_HEADER).ok_or_else(|| {
        bad(format!(
            "The upload has no post details (the {NEW_POST_HEADER} header)."
        ))
    })?;
    let text = value
        .to_str()
        .ok()
        .and_then(|v| percent_decode_str(v).decode_utf8().ok())
        .ok_or_else(|| bad("The post details are not percent-encoded UTF-8.".into()))?;
    let new_post: NewPost = serde_json::from_str(&text)
        .map_err(|e| bad(format!("The post details are not valid: {e}.")))?;
    new_post.validate().map_err(|e| bad(e.to_string()))?;
    Ok(new_post)
}

enum Received {
    Complete(u64),
    Over,
}

/// Streams the body into `path`, stopping once it passes `cap`.
async fn receive_body(path: &Path, body: Body, cap: u64) -> Result<Received, Refusal> {
    // Created synchronously (one open call): were it created on a blocking
    // thread, a request dropped meanwhile could leave the file behind after
    // its `Part` had already cleaned up.
    let mut file = tokio::fs::File::from_std(std::fs::File::create(path).map_err(storage)?);
    let mut stream = body.into_data_stream();
    let mut count: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            // The client went away (or sent a broken chunk) mid-body.
            return Err(truncated(
                "The upload stopped before the whole video arrived. Try again.",
            ));
        };
        count += chunk.len() as u64;
        if count > cap {
            drop(file);
            remove_quietly(path);
            drain(stream, cap).await;
            return Ok(Received::Over);
        }
        file.write_all(&chunk).await.map_err(storage)?;
    }
    // tokio's File writes in the background: flush so every byte is on
    // disk before the sniffer reads it.
    file.flush().await.map_err(storage)?;
    Ok(Received::Complete(count))
}

/// Reads and discards what is left of a refused body, for a while: a
/// server that closes with unread data makes the kernel send a reset, and
/// the client would see "connection reset" instead of the 413 that says why.
async fn drain(mut stream: BodyDataStream, cap: u64) {
    let mut left = cap;
    let _ = tokio::time::timeout(DRAIN_FOR, async {
        while let Some(Ok(chunk)) = stream.next().await {
            let Some(rest) = left.checked_sub(chunk.len() as u64) else {
                break;
            };
            left = rest;
        }
    })
    .await;
}

fn refuse_media(error: SniffError) -> Refusal {
    match error {
        SniffError::WrongType => Refusal::new(
            PostErrorCode::WrongType,
            "That file is not a WebM video. Record the video in the app and try again.",
        ),
        SniffError::Malformed(why) => {
            tracing::info!(why, "damaged WebM");
            Refusal::new(
                PostErrorCode::WrongType,
                "That video file is damaged and cannot be played.",
            )
        }
        SniffError::Truncated => truncated("That video file is cut short. Record it again."),
        SniffError::NoFrames => truncated("That video has no frames. Record it again."),
        SniffError::Io(error) => storage(error),
    }
}

fn truncated(message: impl Into<String>) -> Refusal {
    Refusal::new(PostErrorCode::Truncated, message)
}

fn storage(error: std::io::Error) -> Refusal {
    super::StoreError::Io(error).into()
}

/// "25 MB" for 25 MiB: people think in MB, and the app's file picker shows
/// sizes the same way.
fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// An upload's temporary file, removed when dropped: whichever way the
/// upload ends (refused, failed, or the request dropped because the client
/// went away), nothing stays in `tmp/`. After a successful publish the file
/// has been renamed away and the removal finds nothing.
struct Part {
    path: PathBuf,
}

impl Part {
    fn new(tmp: &Path) -> Self {
        Self {
            path: tmp.join(format!("{:016x}.part", rand::random::<u64>())),
        }
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        // One unlink: cheap enough to do on whichever thread drops it.
        remove_quietly(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn sizes_read_as_megabytes() {
        assert_eq!(megabytes(25 * 1024 * 1024), "25 MB");
        assert_eq!(megabytes(200_000), "0.2 MB");
    }

    #[test]
    fn details_come_percent_encoded() {
        let json = r#"{"author":"Zoë","caption":"100% me","anchors":[],"duration_s":3,"bytes":9}"#;
        let encoded =
            percent_encoding::utf8_percent_encode(json, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let mut headers = HeaderMap::new();
        headers.insert(
            NEW_POST_HEADER,
            HeaderValue::from_str(&encoded).unwrap_or_else(|e| panic!("{e}")),
        );
        let parsed = details(&headers).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (parsed.author.as_str(), parsed.caption.as_str()),
            ("Zoë", "100% me")
        );

        let refused = |value: &str| {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(NEW_POST_HEADER, value);
            }
            details(&headers).map(|_| ()).map_err(|r| r.0.code)
        };
        assert_eq!(refused(""), Err(PostErrorCode::BadMetadata));
        assert_eq!(refused("%7Bnot json"), Err(PostErrorCode::BadMetadata));
        assert_eq!(refused("%FF%FE"), Err(PostErrorCode::BadMetadata));
        assert_eq!(
            refused(r#"{"author":" ","duration_s":1,"bytes":1}"#),
            Err(PostErrorCode::BadMetadata)
        );
        assert!(details(&HeaderMap::new()).is_err());
    }
}
