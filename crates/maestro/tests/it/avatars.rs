//! Avatar uploads: sniffed, validated, re-encoded, stored on local disk or in S3 (moto).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{TestApp, User};
use crate::peers::Moto;

fn image_bytes(format: ImageFormat, w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(RgbImage::from_pixel(w, h, image::Rgb([200, 30, 90])))
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap();
    out
}

async fn upload(
    app: &TestApp,
    token: &str,
    path: &str,
    bytes: Vec<u8>,
    content_type: &str,
) -> (StatusCode, serde_json::Value) {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        // A refused upload ends its connection before the body is read: never reuse one.
        .header("connection", "close")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

async fn exercise(app: &TestApp) -> User {
    let user = app.user("Pic").await;
    let other = app.user("Viewer").await;
    let (status, me) = upload(
        app,
        &user.token,
        "/api/v1/me/avatar",
        image_bytes(ImageFormat::Jpeg, 800, 400),
        "image/jpeg",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let url = me["avatar"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("/api/v1/users/{}/avatar", user.id)));
    // Served back as a PNG at a stable URL, to any signed-in account.
    let res = app
        .client
        .get(app.url(&url))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    let png = res.bytes().await.unwrap();
    let back = image::load_from_memory(&png).unwrap();
    assert_eq!((back.width(), back.height()), (256, 128));
    assert_eq!(
        app.client.get(app.url(&url)).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // Content is sniffed: a text file claiming to be a PNG is refused, as is a GIF.
    let (status, body) = upload(
        app,
        &user.token,
        "/api/v1/me/avatar",
        b"not an image at all".to_vec(),
        "image/png",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = upload(
        app,
        &user.token,
        "/api/v1/me/avatar",
        b"GIF89a\x01\x00\x01\x00".to_vec(),
        "image/gif",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = upload(
        app,
        &user.token,
        "/api/v1/me/avatar",
        vec![0u8; 7 * 1024 * 1024],
        "image/png",
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, problem) = upload(
        app,
        &user.token,
        "/api/v1/me/avatar",
        b"--x\r\ncontent-disposition: form-data; name=\"file\"\r\n\r\npng\r\n--x--".to_vec(),
        "multipart/form-data; boundary=x",
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("--data-binary")
    );
    let (status, _) = upload(
        app,
        &user.token,
        "/api/v1/me/avatar",
        image_bytes(ImageFormat::WebP, 64, 64),
        "image/webp",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Team avatars: team administrators only.
    let (_, team) = app
        .post(&user.token, "/api/v1/teams", json!({"name": "Pictures"}))
        .await;
    let tpath = format!("/api/v1/teams/{}/avatar", team["id"].as_str().unwrap());
    let (status, t) = upload(
        app,
        &user.token,
        &tpath,
        image_bytes(ImageFormat::Png, 32, 32),
        "image/png",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert!(t["avatar"].as_str().unwrap().starts_with(&tpath));
    let (status, _) = upload(
        app,
        &other.token,
        &tpath,
        image_bytes(ImageFormat::Png, 32, 32),
        "image/png",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    user
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avatars_on_local_disk() {
    let app = TestApp::sqlite().await;
    let user = exercise(&app).await;
    // The file really is under the data directory.
    let stored = app
        .data_dir()
        .join("uploads/avatars/users")
        .join(format!("{}.png", user.id));
    assert!(stored.exists(), "{}", stored.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avatars_in_s3() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("maestro-uploads").await;
    for backend in ["sqlite", "postgres"] {
        let endpoint = moto.endpoint.clone();
        let Some(app) = TestApp::with_settings(backend, |s| {
            s.upload = maestro::config::Upload::S3;
            s.s3_bucket = Some("maestro-uploads".into());
            s.s3_endpoint = Some(endpoint);
            s.s3_access_key_id = Some("testing".into());
            s.s3_secret_access_key = Some("testing".into());
        })
        .await
        else {
            continue;
        };
        let user = exercise(&app).await;
        let object = moto
            .get_object("maestro-uploads", &format!("avatars/users/{}.png", user.id))
            .await;
        assert_eq!(object.status(), StatusCode::OK, "{backend}");
        assert!(!app.data_dir().join("uploads").exists());
    }
}
