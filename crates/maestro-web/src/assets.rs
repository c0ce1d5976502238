//! Static assets embedded in the binary (rust-embed): the stylesheet, htmx (vendored from npm,
//! pinned 2.0.x), the small script that adds and removes form rows, icons — and the logo, which
//! `MAESTRO_LOGO` may replace with a file read at start.

use std::path::Path;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::WebState;
use crate::error::WebError;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// The logo's bytes and content type.
#[derive(Debug, Clone)]
pub struct Logo {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

/// The content type of a file name, by extension.
pub fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

impl Logo {
    /// The embedded Maestro logo.
    pub fn embedded() -> Self {
        let bytes = Assets::get("logo.svg")
            .map(|f| f.data.into_owned())
            .unwrap_or_default();
        Logo {
            bytes,
            content_type: "image/svg+xml",
        }
    }

    /// Reads a logo file (PNG, JPEG, WebP, GIF or SVG, at most 1 MiB).
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let name = path.display().to_string();
        let content_type = content_type(&name);
        if !content_type.starts_with("image/") {
            return Err(format!(
                "{name}: the logo must be a .png, .jpg, .webp, .gif or .svg file"
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
        if bytes.len() > 1024 * 1024 {
            return Err(format!("{name}: the logo is larger than 1 MiB"));
        }
        Ok(Logo {
            bytes,
            content_type,
        })
    }
}

fn etag_of(hash: &[u8]) -> String {
    let hex: String = hash.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

fn cached(bytes: Vec<u8>, content_type: &str, etag: &str, headers: &HeaderMap) -> Response {
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut res = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        bytes.into_response()
    };
    let h = res.headers_mut();
    if let Ok(ct) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, ct);
    }
    if let Ok(e) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, e);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600, must-revalidate"),
    );
    res
}

/// `GET /assets/{path}`.
pub async fn serve(UrlPath(path): UrlPath<String>, headers: HeaderMap) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let etag = etag_of(&file.metadata.sha256_hash());
            cached(file.data.into_owned(), content_type(&path), &etag, &headers)
        }
        None => WebError::NotFound("There is no such asset.".into()).into_response(),
    }
}

/// `GET /logo`: the configured logo.
pub async fn logo(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let hash = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        state.logo.bytes.hash(&mut h);
        h.finish().to_be_bytes()
    };
    cached(
        state.logo.bytes.clone(),
        state.logo.content_type,
        &etag_of(&hash),
        &headers,
    )
}

/// `GET /favicon.ico`: the embedded icon.
pub async fn favicon(headers: HeaderMap) -> Response {
    serve(UrlPath("favicon.svg".into()), headers).await
}
