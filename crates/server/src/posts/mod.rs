//! The try-on feed: the item catalogue, posts (a short WebM, a caption and
//! anchors) and their videos, over plain HTTP under `/api/`. See
//! `docs/protocol.md`, "Posts (HTTP)".

mod catalogue;
mod store;
mod upload;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use huddle_protocol::{Post, PostErrorCode, PostId, PostRefusal};
use tokio::sync::OnceCell;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::config::Config;
use crate::state::AppState;
use store::{Store, StoreError};

/// The posts store, opened once. A server whose data directory has no
/// `posts/` yet opens it on the first posts request, so one that never sees
/// a post (every room-only test and deployment) never creates files for it;
/// one that has posts opens it at start-up, which sweeps what a crash left.
#[derive(Debug)]
pub struct Posts {
    root: PathBuf,
    pub max_bytes: u64,
    pub max_seconds: f32,
    store: OnceCell<Arc<Store>>,
}

impl Posts {
    pub fn new(config: &Config) -> Self {
        let root = config.data_dir.join("posts");
        let store = if root.is_dir() {
            match Store::open(&root) {
                Ok(store) => Some(Arc::new(store)),
                Err(error) => {
                    tracing::warn!(%error, "cannot open the posts store; will retry when it is used");
                    None
                }
            }
        } else {
            None
        };
        Self {
            root,
            max_bytes: config.max_post_bytes,
            max_seconds: config.max_post_seconds,
            store: OnceCell::new_with(store),
        }
    }

    async fn store(&self) -> Result<Arc<Store>, Refusal> {
        let store = self
            .store
            .get_or_try_init(|| {
                let root = self.root.clone();
                blocking(move || Store::open(&root).map(Arc::new))
            })
            .await?;
        Ok(Arc::clone(store))
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/items", get(items))
        // The upload streams its body itself and enforces its own cap, with
        // a refusal that says so; axum's 2 MB default would cut it short.
        .route(
            "/api/posts",
            get(list)
                .post(upload::upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/api/posts/{id}", get(one))
        .route("/api/posts/{id}/media", get(media))
        // Without this, unknown API paths would get the app's index.html.
        .route("/api/{*rest}", any(no_such_route))
}

/// A refused request: its status follows from the code.
#[derive(Debug)]
pub struct Refusal(PostRefusal);

impl Refusal {
    pub fn new(code: PostErrorCode, message: impl Into<String>) -> Self {
        Self(PostRefusal::new(code, message))
    }

    fn not_found() -> Self {
        Self::new(PostErrorCode::NotFound, "That post does not exist.")
    }
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "posts store failed");
        Self::new(
            PostErrorCode::Storage,
            "The server could not store or read posts. Try again later.",
        )
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

/// Runs store work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Refusal> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(Refusal::from),
        Err(error) => Err(StoreError::Io(std::io::Error::other(error)).into()),
    }
}

async fn items() -> Json<Vec<huddle_protocol::Item>> {
    Json(catalogue::items())
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<Post>>, Refusal> {
    let store = state.posts.store().await?;
    let stored = blocking(move || store.list()).await?;
    let mut posts: Vec<Post> = stored.into_iter().map(|p| p.into_post()).collect();
    posts.extend(catalogue::demo_posts());
    Ok(Json(posts))
}

async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Post>, Refusal> {
    let id = PostId::parse(&id).map_err(|_| Refusal::not_found())?;
    if let Some(demo) = catalogue::demo_posts().into_iter().find(|p| p.id == id) {
        return Ok(Json(demo));
    }
    let store = state.posts.store().await?;
    let post = blocking(move || store.get(&id)).await?;
    post.map(|p| Json(p.into_post()))
        .ok_or_else(Refusal::not_found)
}

/// The video, with ranges (a `<video>` seeks with them) and the type from
/// the stored file's extension, which the sniffer chose.
async fn media(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, Refusal> {
    let id = PostId::parse(&id).map_err(|_| Refusal::not_found())?;
    let store = state.posts.store().await?;
    let lookup = Arc::clone(&store);
    let post = blocking(move || lookup.get(&id))
        .await?
        .ok_or_else(Refusal::not_found)?;
    let path = store.media_path(&post);
    let mut response = match ServeFile::new(path).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    };
    // A post's video never changes under its id.
    if response.status().is_success() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    Ok(response)
}

async fn no_such_route() -> Refusal {
    Refusal::new(PostErrorCode::NotFound, "There is nothing at that address.")
}
