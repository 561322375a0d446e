//! The built app, served from the dist directory. App routes such as
//! `/room/12345678` or `/new` are not files: they get `index.html` and the
//! app's router takes over in the browser.

use std::convert::Infallible;
use std::path::Path;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// A service for every path not otherwise routed.
pub fn service(dist: &Path) -> MethodRouter {
    let index = dist.join("index.html");
    let spa_fallback = tower::service_fn(move |request: Request<Body>| {
        let index = index.clone();
        async move { Ok::<_, Infallible>(app_route(index.as_path(), request).await) }
    });
    let files = ServeDir::new(dist)
        .append_index_html_on_directories(true)
        .fallback(spa_fallback);
    // Files are revalidated on every load (cheap: a 304 with the same
    // Last-Modified), so a redeployed app is picked up without stale mixes of
    // old HTML and new wasm.
    axum::routing::get_service(files).layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    ))
}

/// Answers a GET for a path that is not a file: `index.html` for app routes,
/// 404 for anything that looks like a missing file (has an extension), so a
/// broken asset link fails loudly instead of returning HTML.
async fn app_route(index: &Path, request: Request<Body>) -> Response {
    if looks_like_file(request.uri().path()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match ServeFile::new(index).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

/// Whether the last segment of `path` has a file extension.
fn looks_like_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|segment| segment.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_routes_are_not_files() {
        assert!(!looks_like_file("/room/12345678"));
        assert!(!looks_like_file("/new"));
        assert!(!looks_like_file("/"));
        assert!(looks_like_file("/app-1234.wasm"));
        assert!(looks_like_file("/assets/missing.js"));
    }
}
