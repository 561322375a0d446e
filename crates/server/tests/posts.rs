//! The try-on feed over real HTTP: uploads (good, too large, wrong type, too
//! long, cut short, badly anchored), the feed, the videos with ranges, and
//! what is left on disk after each refusal and across restarts.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use huddle_protocol::{Anchor, Item, ItemId, NewPost, Post, PostErrorCode, PostRefusal};
use huddle_server::{Config, Server};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(10);

struct Running {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A server on an ephemeral port with its data in `data`. `Server::new`
/// runs before this returns, so start-up work (the sweep) is done.
async fn start_with(data: &Path, change: impl FnOnce(&mut Config)) -> Running {
    let mut config = Config {
        data_dir: data.to_owned(),
        dist_dir: data.join("no-dist"),
        ..Config::default()
    };
    change(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let server = Server::new(listener, config).unwrap_or_else(|e| panic!("server: {e}"));
    let addr = server.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
    let task = tokio::spawn(async move {
        if let Err(e) = server.run().await {
            panic!("server failed: {e}");
        }
    });
    Running { addr, task }
}

async fn start(data: &Path) -> Running {
    start_with(data, |_| {}).await
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"))
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn anchor(item: &str) -> Anchor {
    Anchor {
        item: ItemId::parse(item).unwrap_or_else(|e| panic!("{e}")),
        label: "AR lipstick experience".into(),
        x: 0.5,
        y: 0.62,
        start_s: 0.0,
        end_s: 3.0,
    }
}

fn details(bytes: usize) -> NewPost {
    NewPost {
        author: "Ann".into(),
        caption: "Ruby or coral? Zoë says ruby, 100%.".into(),
        anchors: vec![anchor("lipstick-velvet")],
        duration_s: 3.0,
        bytes: bytes as u64,
    }
}

fn encoded(details: &NewPost) -> String {
    let json = serde_json::to_string(details).unwrap_or_else(|e| panic!("{e}"));
    utf8_percent_encode(&json, NON_ALPHANUMERIC).to_string()
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not the JSON expected ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn refusal(&self) -> PostRefusal {
        self.json()
    }
}

/// Reads one response: headers, then as many body bytes as Content-Length
/// says (without waiting for the server to close).
async fn read_response(stream: &mut (impl AsyncReadExt + Unpin)) -> Response {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let read = async {
        loop {
            if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&raw[..end]).into_owned();
                let length = head
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse::<usize>().ok());
                if length.is_some_and(|n| raw.len() >= end + 4 + n) {
                    break;
                }
            }
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
            }
        }
    };
    if tokio::time::timeout(WAIT, read).await.is_err() {
        panic!("no complete response within {WAIT:?}");
    }
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        panic!("not an HTTP response: {}", String::from_utf8_lossy(&raw));
    };
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

async fn connect(addr: SocketAddr) -> TcpStream {
    TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"))
}

async fn send(stream: &mut TcpStream, bytes: &[u8]) {
    stream
        .write_all(bytes)
        .await
        .unwrap_or_else(|e| panic!("send: {e}"));
}

async fn get(addr: SocketAddr, path: &str, extra: &str) -> Response {
    let mut stream = connect(addr).await;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra}\r\n");
    send(&mut stream, request.as_bytes()).await;
    read_response(&mut stream).await
}

fn upload_head(post_header: Option<&str>, length: Option<usize>) -> String {
    let mut head = "POST /api/posts HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
                    Content-Type: video/webm\r\n"
        .to_owned();
    if let Some(value) = post_header {
        head.push_str(&format!("x-huddle-post: {value}\r\n"));
    }
    match length {
        Some(n) => head.push_str(&format!("Content-Length: {n}\r\n")),
        None => head.push_str("Transfer-Encoding: chunked\r\n"),
    }
    head.push_str("\r\n");
    head
}

/// Uploads `body` with a correct Content-Length.
async fn upload(addr: SocketAddr, details: &NewPost, body: &[u8]) -> Response {
    let mut stream = connect(addr).await;
    send(
        &mut stream,
        upload_head(Some(&encoded(details)), Some(body.len())).as_bytes(),
    )
    .await;
    send(&mut stream, body).await;
    read_response(&mut stream).await
}

fn posts_dir(data: &Path) -> PathBuf {
    data.join("posts")
}

fn files_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Rows in the posts table; none when the store was never opened.
fn row_count(data: &Path) -> usize {
    let path = posts_dir(data).join("posts.sqlite3");
    if !path.exists() {
        return 0;
    }
    let db = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("db: {e}"));
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM posts", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("count: {e}"));
    usize::try_from(n).unwrap_or(0)
}

/// Nothing half-done on disk: `tmp/` empty, one media file per row.
fn assert_clean(data: &Path, rows: usize) {
    let tmp = files_in(&posts_dir(data).join("tmp"));
    assert!(tmp.is_empty(), "stray temporary files: {tmp:?}");
    let media = files_in(&posts_dir(data).join("media"));
    assert_eq!(media.len(), rows, "media files: {media:?}");
    assert_eq!(row_count(data), rows);
}

fn assert_refused(response: &Response, status: u16, code: PostErrorCode) {
    let refusal = response.refusal();
    assert_eq!(
        (response.status, refusal.code),
        (status, code),
        "{refusal:?}"
    );
    assert!(
        refusal.message.ends_with('.') && refusal.message.len() > 10,
        "not a sentence: {:?}",
        refusal.message
    );
}

async fn feed(addr: SocketAddr) -> Vec<Post> {
    let response = get(addr, "/api/posts", "").await;
    assert_eq!(response.status, 200);
    response.json()
}

/// Waits for `check` to hold, for up to [`WAIT`].
async fn eventually(what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn valid_upload_is_listed_and_served_with_ranges() {
    let data = temp();
    let server = start(data.path()).await;
    let video = fixture("clip3s.webm");
    let response = upload(server.addr, &details(video.len()), &video).await;
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let post: Post = response.json();
    assert_eq!(post.id.as_str().len(), 16);
    assert!(post.id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(post.media_url, format!("/api/posts/{}/media", post.id));
    assert_eq!(post.media_type, "video/webm");
    assert_eq!(post.author, "Ann");
    assert_eq!(post.caption, details(0).caption);
    assert_eq!(post.anchors, vec![anchor("lipstick-velvet")]);
    assert!((post.duration_s - 3.0).abs() < 0.1, "{}", post.duration_s);
    assert!(!post.demo);

    let feed = feed(server.addr).await;
    let ids: Vec<&str> = feed.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, [post.id.as_str(), "demo-lipstick", "demo-hat"]);
    assert_eq!(feed[0], post);

    let one = get(server.addr, &format!("/api/posts/{}", post.id), "").await;
    assert_eq!((one.status, one.json::<Post>()), (200, post.clone()));

    let media = get(server.addr, &post.media_url, "").await;
    assert_eq!(media.status, 200);
    assert_eq!(media.header("content-type"), Some("video/webm"));
    assert!(media.body == video, "served bytes differ from the upload");

    let part = get(server.addr, &post.media_url, "Range: bytes=100-199\r\n").await;
    assert_eq!(part.status, 206);
    assert_eq!(
        part.header("content-range").map(str::to_owned),
        Some(format!("bytes 100-199/{}", video.len()))
    );
    assert_eq!(part.body, video[100..200]);
    assert_clean(data.path(), 1);

    let second = upload(server.addr, &details(video.len()), &video).await;
    let second: Post = second.json();
    let ids: Vec<String> = crate::feed(server.addr)
        .await
        .into_iter()
        .map(|p| p.id.to_string())
        .collect();
    assert_eq!(ids[..2], [second.id.to_string(), post.id.to_string()]);
}

#[tokio::test]
async fn recorder_style_webm_is_measured_from_its_blocks() {
    let data = temp();
    let server = start(data.path()).await;
    // clip3s-live: unknown-size Segment, no Duration (ffmpeg -live 1).
    // clip3s-recorder: the same with every Cluster of unknown size too, as
    // Chromium's MediaRecorder writes it.
    for name in ["clip3s-live.webm", "clip3s-recorder.webm"] {
        let video = fixture(name);
        let response = upload(server.addr, &details(video.len()), &video).await;
        assert_eq!(response.status, 201, "{name}");
        let post: Post = response.json();
        // 45 frames at 15 fps: the last starts 2.933 s after the first.
        assert!(
            (post.duration_s - 2.933).abs() < 0.05,
            "{name}: {}",
            post.duration_s
        );
    }
    assert_clean(data.path(), 2);
}

#[tokio::test]
async fn catalogue_demo_posts_and_not_found() {
    let data = temp();
    let server = start(data.path()).await;
    let items: Vec<Item> = get(server.addr, "/api/items", "").await.json();
    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["lipstick-velvet", "hat-fedora"]);
    assert_eq!(items[0].label, "AR lipstick experience");
    assert!(items[0].variants.len() >= 6);
    assert_eq!(items[1].variants.len(), 4);

    let feed = feed(server.addr).await;
    assert_eq!(feed.len(), 2);
    assert!(feed.iter().all(|p| p.demo && p.anchors.len() == 1));
    assert_eq!(feed[0].media_url, "/demo/lipstick.webm");
    assert_eq!(feed[1].media_url, "/demo/hat.webm");
    assert!((feed[1].anchors[0].y - 0.61).abs() < 1e-6);

    let hat = get(server.addr, "/api/posts/demo-hat", "").await;
    assert_eq!((hat.status, hat.json::<Post>()), (200, feed[1].clone()));
    for missing in [
        "/api/posts/0123456789abcdef",
        "/api/posts/0123456789abcdef/media",
        "/api/posts/..%2F..%2Fetc%2Fpasswd",
        "/api/posts/UPPER/media",
        "/api/nothing-here",
    ] {
        let response = get(server.addr, missing, "").await;
        assert_refused(&response, 404, PostErrorCode::NotFound);
    }
}

#[tokio::test]
async fn oversize_is_refused_from_content_length_before_the_body() {
    let data = temp();
    let server = start(data.path()).await;
    let video = fixture("clip3s.webm");
    let mut stream = connect(server.addr).await;
    let over = 25 * 1024 * 1024 + 1;
    // Only the head: the refusal must come without a byte of the body.
    send(
        &mut stream,
        upload_head(Some(&encoded(&details(over))), Some(over)).as_bytes(),
    )
    .await;
    let response = read_response(&mut stream).await;
    assert_refused(&response, 413, PostErrorCode::TooLarge);
    assert_eq!(
        response.refusal().message,
        "That video is larger than 25 MB."
    );

    // Details that admit to more than the cap are refused too.
    let response = upload(server.addr, &details(over), &video).await;
    assert_refused(&response, 413, PostErrorCode::TooLarge);
    assert_clean(data.path(), 0);
}

#[tokio::test]
async fn oversize_is_refused_while_streaming_without_a_length() {
    let data = temp();
    let cap = 100_000;
    let server = start_with(data.path(), |c| c.max_post_bytes = cap).await;
    let video = fixture("clip3s.webm");
    let body: Vec<u8> = video.iter().copied().cycle().take(150_000).collect();
    let stream = connect(server.addr).await;
    let (mut reader, mut writer) = stream.into_split();
    // The details lie about the size; the count of what arrives decides.
    let head = upload_head(Some(&encoded(&details(50_000))), None);
    let sender = tokio::spawn(async move {
        let mut out = head.into_bytes();
        for chunk in body.chunks(10_000) {
            out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            out.extend_from_slice(chunk);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
        // The server may close once it has answered; that is fine.
        let _ = writer.write_all(&out).await;
        writer
    });
    let response = read_response(&mut reader).await;
    assert_refused(&response, 413, PostErrorCode::TooLarge);
    assert_eq!(
        response.refusal().message,
        "That video is larger than 0.1 MB."
    );
    drop(sender.await);
    assert_clean(data.path(), 0);

    // Under the cap, chunked uploads work.
    let response = {
        let mut stream = connect(server.addr).await;
        let mut out = upload_head(Some(&encoded(&details(video.len()))), None).into_bytes();
        out.extend_from_slice(format!("{:x}\r\n", video.len()).as_bytes());
        out.extend_from_slice(&video);
        out.extend_from_slice(b"\r\n0\r\n\r\n");
        send(&mut stream, &out).await;
        read_response(&mut stream).await
    };
    assert_eq!(response.status, 201);
    assert_clean(data.path(), 1);
}

#[tokio::test]
async fn other_files_are_the_wrong_type_whatever_the_header_says() {
    let data = temp();
    let server = start(data.path()).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa";
    let text = b"this is not a video, whatever its name says (clip.webm)\n";
    let matroska = {
        // EBML with DocType "matroska": not a WebM.
        let mut bytes = vec![0x1A, 0x45, 0xDF, 0xA3, 0x8B, 0x42, 0x82, 0x88];
        bytes.extend_from_slice(b"matroska");
        bytes.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0xFF]);
        bytes
    };
    for body in [&png[..], &text[..], &matroska[..]] {
        let response = upload(server.addr, &details(body.len()), body).await;
        assert_refused(&response, 415, PostErrorCode::WrongType);
        assert_clean(data.path(), 0);
    }
}

#[tokio::test]
async fn long_videos_are_refused() {
    let data = temp();
    let server = start(data.path()).await;
    let video = fixture("clip40s.webm");
    let response = upload(server.addr, &details(video.len()), &video).await;
    assert_refused(&response, 422, PostErrorCode::TooLong);
    assert!(response.refusal().message.contains("30 s"));
    assert_clean(data.path(), 0);

    // The limit is the server's setting.
    let strict = temp();
    let server = start_with(strict.path(), |c| c.max_post_seconds = 2.0).await;
    let video = fixture("clip3s-recorder.webm");
    let response = upload(server.addr, &details(video.len()), &video).await;
    assert_refused(&response, 422, PostErrorCode::TooLong);
    assert_clean(strict.path(), 0);
}

#[tokio::test]
async fn a_connection_closed_mid_upload_leaves_nothing() {
    let data = temp();
    let server = start(data.path()).await;
    let video = fixture("clip3s.webm");
    let ok = upload(server.addr, &details(video.len()), &video).await;
    assert_eq!(ok.status, 201);

    let mut stream = connect(server.addr).await;
    send(
        &mut stream,
        upload_head(Some(&encoded(&details(200_000))), Some(200_000)).as_bytes(),
    )
    .await;
    let body: Vec<u8> = video.iter().copied().cycle().take(50_000).collect();
    send(&mut stream, &body).await;
    let tmp = posts_dir(data.path()).join("tmp");
    eventually("the upload to start", || !files_in(&tmp).is_empty()).await;
    drop(stream);
    eventually("the part file to go", || files_in(&tmp).is_empty()).await;
    assert_clean(data.path(), 1);
    assert_eq!(feed(server.addr).await.len(), 3);
}

#[tokio::test]
async fn cut_files_and_wrong_counts_are_truncated() {
    let data = temp();
    let server = start(data.path()).await;
    for name in ["clip3s.webm", "clip3s-recorder.webm"] {
        let video = fixture(name);
        let half = &video[..video.len() / 2];
        let response = upload(server.addr, &details(half.len()), half).await;
        assert_refused(&response, 400, PostErrorCode::Truncated);
        assert_clean(data.path(), 0);
    }
    // All bytes sent, but fewer than the details promised.
    let video = fixture("clip3s.webm");
    let response = upload(server.addr, &details(video.len() + 10), &video).await;
    assert_refused(&response, 400, PostErrorCode::Truncated);
    assert_clean(data.path(), 0);
}

#[tokio::test]
async fn bad_details_and_unknown_items_are_refused() {
    let data = temp();
    let server = start(data.path()).await;
    let video = fixture("clip3s.webm");

    let mut unknown = details(video.len());
    unknown.anchors.push(anchor("lipstick-glitter"));
    let response = upload(server.addr, &unknown, &video).await;
    assert_refused(&response, 422, PostErrorCode::UnknownItem);

    let mut outside = details(video.len());
    outside.anchors[0].x = 1.5;
    let response = upload(server.addr, &outside, &video).await;
    assert_refused(&response, 422, PostErrorCode::BadMetadata);

    let mut nameless = details(video.len());
    nameless.author = "   ".into();
    let response = upload(server.addr, &nameless, &video).await;
    assert_refused(&response, 422, PostErrorCode::BadMetadata);

    for header in [None, Some("%7B%22author%22"), Some("not%20json")] {
        let mut stream = connect(server.addr).await;
        send(
            &mut stream,
            upload_head(header, Some(video.len())).as_bytes(),
        )
        .await;
        send(&mut stream, &video).await;
        let response = read_response(&mut stream).await;
        assert_refused(&response, 422, PostErrorCode::BadMetadata);
    }
    assert_clean(data.path(), 0);
}

#[tokio::test]
async fn posts_survive_a_restart_and_start_up_sweeps_leftovers() {
    let data = temp();
    let server = start(data.path()).await;
    let video = fixture("clip3s-recorder.webm");
    let post: Post = upload(server.addr, &details(video.len()), &video)
        .await
        .json();
    drop(server);

    let posts = posts_dir(data.path());
    let leftovers = [
        posts.join("tmp/0011223344556677.part"),
        posts.join("media/ffffffffffffffff.webm"),
    ];
    for path in &leftovers {
        std::fs::write(path, b"half an upload").unwrap_or_else(|e| panic!("{e}"));
    }
    let server = start(data.path()).await;
    for path in &leftovers {
        assert!(!path.exists(), "{} survived start-up", path.display());
    }
    assert_clean(data.path(), 1);
    let feed = feed(server.addr).await;
    assert_eq!(feed.first(), Some(&post));
    let media = get(server.addr, &post.media_url, "").await;
    assert!(media.status == 200 && media.body == video);
}

#[tokio::test]
async fn room_only_servers_create_no_posts_files() {
    let data = temp();
    let server = start(data.path()).await;
    let health = get(server.addr, "/healthz", "").await;
    assert_eq!(health.status, 200);
    assert!(!posts_dir(data.path()).exists());
    let _ = feed(server.addr).await;
    assert!(posts_dir(data.path()).join("posts.sqlite3").exists());
}
