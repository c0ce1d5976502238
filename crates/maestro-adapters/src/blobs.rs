//! Upload storage through object_store: a directory under `MAESTRO_DATA_DIR`, or an S3 bucket
//! (any S3-compatible endpoint). Keys are produced by the domain (`avatars/users/<id>.png`),
//! never taken from a request, so no path can escape the store.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use maestro_core::ports::BlobStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// S3 settings (credentials come from the standard AWS_* variables).
#[derive(Debug, Clone)]
pub struct S3Config {
    pub bucket: String,
    pub region: String,
    pub endpoint: Option<String>,
    /// Explicit credentials; when absent the standard AWS_* variables are used.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

pub struct Blobs {
    store: Arc<dyn ObjectStore>,
}

impl Blobs {
    /// Files under `dir` (created when missing).
    pub fn local(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let fs = LocalFileSystem::new_with_prefix(dir).map_err(|e| e.to_string())?;
        Ok(Self {
            store: Arc::new(fs),
        })
    }

    /// Objects in an S3 bucket.
    pub fn s3(config: &S3Config) -> Result<Self, String> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region);
        if let (Some(id), Some(secret)) = (&config.access_key_id, &config.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        let s3 = builder
            .build()
            .map_err(|e| format!("S3 configuration: {e}"))?;
        Ok(Self {
            store: Arc::new(s3),
        })
    }
}

fn content_type_of(key: &str) -> &'static str {
    match key.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

#[async_trait]
impl BlobStore for Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> Result<(), String> {
        self.store
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, String> {
        match self.store.get(&ObjectPath::from(key)).await {
            Ok(result) => {
                let bytes = result.bytes().await.map_err(|e| e.to_string())?;
                Ok(Some((bytes.to_vec(), content_type_of(key).to_owned())))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), String> {
        match self.store.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::local(&dir.path().join("uploads")).unwrap();
        blobs
            .put("avatars/users/a.png", vec![1, 2, 3], "image/png")
            .await
            .unwrap();
        let (bytes, ct) = blobs.get("avatars/users/a.png").await.unwrap().unwrap();
        assert_eq!((bytes, ct.as_str()), (vec![1, 2, 3], "image/png"));
        assert!(blobs.get("avatars/users/b.png").await.unwrap().is_none());
        blobs.delete("avatars/users/a.png").await.unwrap();
        assert!(blobs.get("avatars/users/a.png").await.unwrap().is_none());
    }
}
