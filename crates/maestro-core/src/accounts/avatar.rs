//! Avatars of users and teams: the upload is sniffed (PNG, JPEG or WebP by content, whatever
//! it claims to be), decoded within size limits, shrunk and re-encoded as PNG — which also drops
//! metadata such as GPS positions — and kept in the blob store.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

use crate::{Core, CoreError, CoreResult};

/// Largest accepted upload.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// The same in MiB, as messages state it.
pub const MAX_UPLOAD_MIB: usize = MAX_UPLOAD_BYTES / 1024 / 1024;

/// Why an oversized upload is refused (the field message).
pub fn too_large() -> String {
    format!("must be at most {MAX_UPLOAD_MIB} MiB")
}
/// Largest accepted image dimension (guards against decompression bombs).
const MAX_DIMENSION: u32 = 8192;
/// Avatars are stored at most this wide and high.
const AVATAR_SIZE: u32 = 256;

/// Decodes an uploaded image and returns it as a PNG of at most 256×256.
pub fn normalize_image(bytes: &[u8]) -> CoreResult<Vec<u8>> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(CoreError::invalid("avatar", too_large()));
    }
    let format = image::guess_format(bytes).map_err(|_| unsupported())?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP
    ) {
        return Err(unsupported());
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| CoreError::invalid("avatar", format!("is not a readable image: {e}")))?;
    let img = if img.width() > AVATAR_SIZE || img.height() > AVATAR_SIZE {
        img.thumbnail(AVATAR_SIZE, AVATAR_SIZE)
    } else {
        img
    };
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .map_err(|e| CoreError::Internal(format!("cannot encode the avatar: {e}")))?;
    Ok(out)
}

fn unsupported() -> CoreError {
    CoreError::invalid("avatar", "must be a PNG, JPEG or WebP image")
}

impl Core {
    fn blobs(&self) -> CoreResult<&std::sync::Arc<dyn crate::ports::BlobStore>> {
        self.blobs
            .as_ref()
            .ok_or_else(|| CoreError::Internal("no upload storage is configured".into()))
    }

    /// Stores an avatar under `key`; returns nothing, the caller records the URL.
    pub(crate) async fn store_avatar(&self, key: &str, bytes: &[u8]) -> CoreResult<()> {
        let png = normalize_image(bytes)?;
        self.blobs()?
            .put(key, png, "image/png")
            .await
            .map_err(|e| CoreError::Internal(format!("cannot store the avatar: {e}")))
    }

    /// Reads a stored avatar (PNG bytes).
    pub async fn read_blob(&self, key: &str) -> CoreResult<Vec<u8>> {
        self.blobs()?
            .get(key)
            .await
            .map_err(|e| CoreError::Internal(format!("cannot read {key}: {e}")))?
            .map(|(bytes, _)| bytes)
            .ok_or_else(|| CoreError::not_found("avatar"))
    }
}

impl Core {
    /// `PUT /me/avatar`: stores the caller's avatar and records its URL in the profile.
    pub async fn set_my_avatar(
        &self,
        caller: &crate::Caller,
        bytes: &[u8],
    ) -> CoreResult<serde_json::Value> {
        let id = caller
            .user
            .ok_or_else(|| CoreError::Forbidden("no account".into()))?;
        self.store_avatar(&format!("avatars/users/{id}.png"), bytes)
            .await?;
        let mut user = self
            .store
            .user(id)
            .await?
            .ok_or_else(|| CoreError::not_found("account"))?;
        user.updated_at = self.now();
        let url = format!(
            "/api/v1/users/{id}/avatar?v={}",
            user.updated_at.timestamp()
        );
        let old = user
            .profile
            .insert("avatar".into(), serde_json::json!(url))
            .unwrap_or_default();
        let change = self.user_change(
            caller,
            &user,
            "update",
            serde_json::json!([{"path": "avatar", "old": old, "new": url}]),
        );
        self.store.update_user(&user, Some(&change)).await?;
        self.me(caller).await
    }

    /// An account's avatar (PNG), for any signed-in caller.
    pub async fn user_avatar(&self, id: maestro_model::UserId) -> CoreResult<Vec<u8>> {
        self.read_blob(&format!("avatars/users/{id}.png")).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, RgbImage};

    fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    #[test]
    fn accepts_images_and_shrinks_them() {
        let img = DynamicImage::ImageRgb8(RgbImage::new(600, 300));
        for format in [ImageFormat::Png, ImageFormat::Jpeg] {
            let png = normalize_image(&encode(&img, format)).unwrap();
            let back = image::load_from_memory(&png).unwrap();
            assert_eq!((back.width(), back.height()), (256, 128));
            assert_eq!(image::guess_format(&png).unwrap(), ImageFormat::Png);
        }
    }

    #[test]
    fn rejects_what_is_not_an_image() {
        assert!(normalize_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>").is_err());
        assert!(normalize_image(b"GIF89a....").is_err());
        let mut broken = encode(
            &DynamicImage::ImageRgb8(RgbImage::new(10, 10)),
            ImageFormat::Png,
        );
        broken.truncate(40);
        assert!(normalize_image(&broken).is_err());
    }
}
