//! A cookie-keeping HTTP client that does not follow redirects: a browser seen step by step.

use reqwest::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};

use crate::harness::{PASSWORD, TestApp, User};

/// A cookie-keeping client that does not follow redirects, like a browser seen step by step.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub client: reqwest::Client,
    pub cookies: Vec<(String, String)>,
}

pub struct Page {
    pub status: StatusCode,
    /// `Location`, or `HX-Redirect` for htmx requests.
    pub location: String,
    pub set_cookies: Vec<String>,
    pub content_type: String,
    pub body: String,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            app,
            client,
            cookies: Vec::new(),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn keep(&mut self, set_cookie: &str) {
        let pair = set_cookie.split(';').next().unwrap_or("");
        let Some((k, v)) = pair.split_once('=') else {
            return;
        };
        self.cookies.retain(|(name, _)| name != k);
        if !set_cookie.contains("Max-Age=0") {
            self.cookies.push((k.to_owned(), v.to_owned()));
        }
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Page {
        self.send_with(method, path, form, &[]).await
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.client.request(method, self.app.url(path));
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", header.join("; "));
        }
        req
    }

    /// Sends a request with extra headers (`hx-request` as htmx does).
    pub async fn send_with(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut req = self.request(method, path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(f) = form {
            let body: Vec<String> = f
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                .collect();
            let body = body.join("&");
            req = req
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body);
        }
        self.finish(req).await
    }

    async fn finish(&mut self, req: reqwest::RequestBuilder) -> Page {
        let res = req.send().await.expect("request");
        let status = res.status();
        let header = |name| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let location = header(LOCATION);
        let content_type = header(CONTENT_TYPE);
        let set_cookies: Vec<String> = res
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for c in &set_cookies {
            self.keep(c);
        }
        let hx_redirect = header(reqwest::header::HeaderName::from_static("hx-redirect"));
        let body = res.text().await.unwrap_or_default();
        Page {
            status,
            location: if location.is_empty() {
                hx_redirect
            } else {
                location
            },
            set_cookies,
            content_type,
            body,
        }
    }

    /// POSTs a file as `multipart/form-data` (field `file`): the CSRF token in the `X-CSRF-Token`
    /// header as htmx sends it (`htmx`), else in a `_csrf` part as a plain form does.
    pub async fn post_file(&mut self, path: &str, bytes: &[u8], htmx: bool) -> Page {
        if self.cookie("maestro_csrf").is_none() {
            self.get("/login").await;
        }
        let token = self.cookie("maestro_csrf").unwrap_or_default().to_owned();
        let boundary = "----maestro-test-boundary";
        let mut body = Vec::new();
        if !htmx {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut req = self
            .request(Method::POST, path)
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        if htmx {
            req = req
                .header("x-csrf-token", token)
                .header("hx-request", "true");
        }
        self.finish(req).await
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, None).await
    }

    /// POSTs a form with this browser's CSRF token added.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        if self.cookie("maestro_csrf").is_none() {
            self.get("/login").await;
        }
        let token = self.cookie("maestro_csrf").unwrap_or_default().to_owned();
        let mut fields: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        fields.extend_from_slice(form);
        self.send(Method::POST, path, Some(&fields)).await
    }

    /// Signs in through the sign-in form.
    pub async fn sign_in(&mut self, user: &User) {
        let page = self
            .post(
                "/login",
                &[
                    ("email", user.email.as_str()),
                    ("password", PASSWORD),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign in: {}", page.body);
        assert_eq!(page.location, "/");
    }
}

/// Percent-encodes a form key or value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub async fn signed_in<'a>(app: &'a TestApp, name: &str) -> (Browser<'a>, User) {
    let user = app.user(name).await;
    let mut b = Browser::new(app);
    b.sign_in(&user).await;
    (b, user)
}
