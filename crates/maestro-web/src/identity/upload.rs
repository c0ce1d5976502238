//! File uploads (avatars): a `multipart/form-data` body read whole within [`UPLOAD_LIMIT`]
//! (an oversized one drained first, see `body.rs`) and split into its parts. The core sniffs,
//! checks and re-encodes the image; this only finds the bytes. Small on purpose: one file and a
//! few text fields, no streaming.

use axum::extract::{FromRequest, Request};
use axum::http::header;

use crate::body::{BodyError, read_within};
use crate::error::WebError;

/// Largest accepted upload body: the core refuses images over 5 MiB with a clear message, so
/// the body may be a little larger than that.
pub const UPLOAD_LIMIT: usize = 6 * 1024 * 1024;

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

/// The parts of a multipart body: (field name, content).
pub fn parts<'a>(body: &'a [u8], boundary: &str) -> Vec<(String, &'a [u8])> {
    let delim = format!("--{boundary}").into_bytes();
    let mut out = Vec::new();
    let Some(mut at) = find(body, &delim, 0) else {
        return out;
    };
    loop {
        let start = at + delim.len();
        if body[start..].starts_with(b"--") {
            break;
        }
        let Some(next) = find(body, &delim, start) else {
            break;
        };
        let part = &body[start..next];
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        if let Some(split) = find(part, b"\r\n\r\n", 0) {
            let head = String::from_utf8_lossy(&part[..split]);
            if let Some(name) = field_name(&head) {
                out.push((name, &part[split + 4..]));
            }
        }
        at = next;
    }
    out
}

/// `name="…"` of a part's `Content-Disposition: form-data` header.
fn field_name(head: &str) -> Option<String> {
    let line = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    line.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim() == "name").then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The content of field `name`.
pub fn field<'a>(body: &'a [u8], boundary: &str, name: &str) -> Option<&'a [u8]> {
    parts(body, boundary)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// An uploaded file (the `file` field) — or why there is none, to show next to the form.
pub struct Upload(pub Result<Vec<u8>, String>);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = WebError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, WebError> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let Some(b) = boundary(ct) else {
            return Err(WebError::BadRequest(
                "send the file as multipart/form-data".into(),
            ));
        };
        let body = match read_within(req.into_body(), UPLOAD_LIMIT).await {
            Ok(body) => body,
            Err(BodyError::TooLarge) => {
                return Ok(Upload(Err(maestro_core::accounts::avatar::too_large())));
            }
            Err(BodyError::Broken) => {
                return Err(WebError::BadRequest(
                    "the upload did not arrive whole".into(),
                ));
            }
        };
        Ok(Upload(match field(&body, &b, "file") {
            Some(bytes) if !bytes.is_empty() => Ok(bytes.to_vec()),
            _ => Err("choose an image file".into()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_parts_of_a_body() {
        let ct = "multipart/form-data; boundary=----x1";
        let b = boundary(ct).unwrap();
        assert_eq!(b, "----x1");
        let body = b"------x1\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc\r\n\
------x1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
Content-Type: image/png\r\n\r\n\x89PNG\r\n--\x00\r\n------x1--\r\n";
        assert_eq!(field(body, &b, "_csrf"), Some(&b"abc"[..]));
        assert_eq!(field(body, &b, "file"), Some(&b"\x89PNG\r\n--\x00"[..]));
        assert_eq!(field(body, &b, "other"), None);
        assert!(boundary("application/x-www-form-urlencoded").is_none());
        assert!(parts(b"garbage", &b).is_empty());
    }
}
