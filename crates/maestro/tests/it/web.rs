//! The web UI's HTML routes over HTTP: sign-in redirects and the session cookie, CSRF
//! rejection, list pages with filters, schema-driven forms (create, inline errors, edit with the
//! UI as history source), delete/restore, themes, assets and the HTML 404.

use reqwest::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::backends;
use crate::harness::{PASSWORD, TestApp, User, id};

/// A cookie-keeping client that does not follow redirects, like a browser seen step by step.
pub struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
}

pub struct Page {
    pub status: StatusCode,
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
        let mut req = self.client.request(method, self.app.url(path));
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", header.join("; "));
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
        let body = res.text().await.unwrap_or_default();
        Page {
            status,
            location,
            set_cookies,
            content_type,
            body,
        }
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

async fn signed_in<'a>(app: &'a TestApp, name: &str) -> (Browser<'a>, User) {
    let user = app.user(name).await;
    let mut b = Browser::new(app);
    b.sign_in(&user).await;
    (b, user)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_are_sent_to_sign_in_and_come_back() {
    let app = TestApp::sqlite().await;
    let mut b = Browser::new(&app);
    let root = b.get("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.location, "/login");
    let list = b.get("/servers?environment=Production").await;
    assert_eq!(list.status, StatusCode::SEE_OTHER);
    assert_eq!(
        list.location,
        "/login?next=%2Fservers%3Fenvironment%3DProduction"
    );
    let login = b.get(&list.location.clone()).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.content_type.starts_with("text/html"));
    assert!(
        login
            .body
            .contains(r#"name="next" value="/servers?environment=Production""#)
    );
    let user = app.user("Vera Visitor").await;
    let page = b
        .post(
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", PASSWORD),
                ("next", "/servers?environment=Production"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location, "/servers?environment=Production");
    let session = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("maestro_session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain http: no Secure flag");
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Overview") && home.body.contains("Vera Visitor"));
    // Never an open redirect.
    let evil = b
        .post(
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(evil.location, "/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_stay_on_the_form() {
    let app = TestApp::sqlite().await;
    let user = app.user("Walt Wrong").await;
    let mut b = Browser::new(&app);
    let page = b
        .post(
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", "not-the-password"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(
        page.body.contains("invalid e-mail or password"),
        "{}",
        page.body
    );
    assert!(b.cookie("maestro_session").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changing_requests_need_the_csrf_token() {
    let app = TestApp::sqlite().await;
    let (mut b, user) = signed_in(&app, "Cora Csrf").await;
    // No token, a wrong token, and no CSRF cookie at all: each refused, nothing created.
    let none = b
        .send(Method::POST, "/servers", Some(&[("name", "csrf-none")]))
        .await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    assert!(none.content_type.starts_with("text/html"));
    let wrong = "0".repeat(64);
    let bad = b
        .send(
            Method::POST,
            "/servers",
            Some(&[("_csrf", wrong.as_str()), ("name", "csrf-bad")]),
        )
        .await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    let mut stranger = Browser::new(&app);
    stranger.sign_in(&user).await;
    stranger.cookies.retain(|(k, _)| k != "maestro_csrf");
    let token = b.cookie("maestro_csrf").unwrap_or_default().to_owned();
    let cross = stranger
        .send(Method::POST, "/logout", Some(&[("_csrf", token.as_str())]))
        .await;
    assert_eq!(
        cross.status,
        StatusCode::FORBIDDEN,
        "a token without its cookie is refused"
    );
    let (_, list) = app.get(&user.token, "/api/v1/servers").await;
    assert_eq!(list["total"], 0);
    // The header works for htmx requests.
    let header = b
        .client
        .post(app.url("/theme"))
        .header("cookie", format!("maestro_csrf={token}"))
        .header("x-csrf-token", token.as_str())
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("theme=blue")
        .send()
        .await
        .expect("request");
    assert_eq!(header.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_revokes_the_session() {
    let app = TestApp::sqlite().await;
    let (mut b, _) = signed_in(&app, "Otto Out").await;
    let token = b.cookie("maestro_session").expect("session").to_owned();
    let (status, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the cookie holds a real session token"
    );
    let out = b.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location, "/login");
    assert!(
        b.cookie("maestro_session").is_none(),
        "the cookie is cleared"
    );
    let (status, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the session is revoked in the core"
    );
    b.cookies.push(("maestro_session".into(), token));
    assert_eq!(b.get("/").await.location, "/login");
}

async fn list_page_filters_and_sorts(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Lena Lister").await;
    for (name, env, os) in [
        ("web-prod-1", "Production", "Linux"),
        ("web-prod-2", "Production", "Windows"),
        ("web-stage-1", "Staging", "Linux"),
    ] {
        app.create(
            &user.token,
            "servers",
            json!({"name": name, "hostname": name, "environment": env, "os": {"base": os},
                   "tags": [{"key": "tier", "value": "web"}]}),
        )
        .await;
    }
    let all = b.get("/servers").await;
    assert_eq!(all.status, StatusCode::OK);
    for filter in [
        "name=\"q\"",
        "name=\"environment\"",
        "name=\"os.base\"",
        "name=\"role\"",
        "name=\"tag\"",
        "name=\"active\"",
    ] {
        assert!(all.body.contains(filter), "missing filter {filter}");
    }
    assert!(all.body.contains("3 found"));
    let prod = b.get("/servers?environment=Production&os.base=Linux").await;
    assert!(
        prod.body.contains("web-prod-1")
            && !prod.body.contains("web-prod-2")
            && !prod.body.contains("web-stage-1")
    );
    assert!(
        prod.body
            .contains(r#"<option value="Production" selected>"#)
    );
    let search = b.get("/servers?q=stage").await;
    assert!(search.body.contains("web-stage-1") && search.body.contains("1 found"));
    let tagged = b.get("/servers?tag=tier%3Dweb").await;
    assert!(tagged.body.contains("3 found"));
    let sorted = b.get("/servers?sort=-name").await;
    let (a, c) = (
        sorted.body.find("web-stage-1").unwrap(),
        sorted.body.find("web-prod-1").unwrap(),
    );
    assert!(a < c, "descending by name");
    assert!(sorted.body.contains(r#"aria-sort="descending""#));
    let paged = b.get("/servers?limit=2").await;
    assert!(paged.body.contains("page 1 of 2") && paged.body.contains("page=2"));
    let bad = b.get("/servers?cpu%5Bgte%5D=many").await;
    assert_eq!(
        bad.status,
        StatusCode::OK,
        "a bad filter is explained, not a 500"
    );
    assert!(bad.body.contains("These filters cannot be used"));
    let extra = b.get("/servers?hostname=web-prod-2").await;
    assert!(extra.body.contains("hostname = web-prod-2") && extra.body.contains("1 found"));
    assert_eq!(b.get("/nothing-here").await.status, StatusCode::NOT_FOUND);
}

async fn forms_create_validate_edit_and_delete(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Fred Former").await;
    let new = b.get("/servers/new").await;
    assert_eq!(new.status, StatusCode::OK);
    for input in [
        "name=\"hostname\"",
        "name=\"os.base\"",
        "data-add-row",
        "name=\"storage[]\"",
        "data-refs",
    ] {
        assert!(new.body.contains(input), "the form has {input}");
    }
    // Invalid input: the core's errors come back next to their fields, nothing is created.
    let bad = b
        .post(
            "/servers",
            &[
                ("name", "form-1"),
                ("cpu", "lots"),
                ("storage[]", ""),
                ("storage[7].name", "/dev/sda"),
                ("storage[7].size", "-5"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(r#"id="f-cpu-error""#), "cpu error inline");
    assert!(
        bad.body.contains(r#"id="f-storage-0-size-error""#),
        "storage[0].size error inline"
    );
    assert!(
        bad.body.contains(r#"value="/dev/sda""#),
        "what was typed is kept"
    );
    let (_, list) = app.get(&user.token, "/api/v1/servers").await;
    assert_eq!(list["total"], 0);
    // A valid server with rows.
    let ok = b
        .post(
            "/servers",
            &[
                ("name", "form-1"),
                ("hostname", "form-1.example"),
                ("cpu", "4"),
                ("memory", "7.5"),
                ("os.base", "Linux"),
                ("storage[]", ""),
                ("storage[3].name", "/dev/sda"),
                ("storage[3].size", "50"),
                ("storage[3].root", ""),
                ("storage[3].root", "true"),
                ("storage[9].name", "/dev/sdb"),
                ("storage[9].lvm", ""),
                ("auth[]", ""),
                ("auth[1].type", "PKI"),
                ("auth[1].username", "ops"),
                ("tags[]", ""),
                ("tags[0].key", "tier"),
                ("tags[0].value", "web"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let server_id = ok.location.rsplit('/').next().unwrap().to_owned();
    let (_, server) = app
        .get(&user.token, &format!("/api/v1/servers/{server_id}"))
        .await;
    assert_eq!(server["cpu"], 4);
    assert_eq!(server["memory"], 7.5);
    assert_eq!(
        server["storage"],
        json!([{"name": "/dev/sda", "size": 50, "root": true}, {"name": "/dev/sdb"}])
    );
    assert_eq!(server["auth"], json!([{"type": "PKI", "username": "ops"}]));
    let detail = b.get(&ok.location.clone()).await;
    assert!(detail.body.contains("form-1 created."), "flash shown once");
    assert!(detail.body.contains("/dev/sdb"));
    assert!(
        !b.get(&ok.location.clone())
            .await
            .body
            .contains("form-1 created.")
    );
    // Edit: only what changed is written, and the history says it came from the UI.
    let edit = b.get(&format!("/servers/{server_id}/edit")).await;
    assert!(edit.body.contains(r#"value="form-1.example""#));
    let saved = b
        .post(
            &format!("/servers/{server_id}"),
            &[
                ("name", "form-1"),
                ("hostname", "form-1.example"),
                ("cpu", "8"),
                ("memory", "7.5"),
                ("os.base", "Linux"),
                ("os.dist", ""),
                ("storage[]", ""),
                ("storage[0].name", "/dev/sda"),
                ("storage[0].size", "50"),
                ("storage[0].root", "false"),
                ("storage[0].root", "true"),
                ("auth[]", ""),
                ("auth[0].type", "PKI"),
                ("auth[0].username", "ops"),
                ("tags[]", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, history) = app
        .get(&user.token, &format!("/api/v1/servers/{server_id}/history"))
        .await;
    let latest = &history["items"][0];
    assert_eq!(latest["source"], "ui");
    assert_eq!(latest["op"], "update");
    let paths: Vec<&str> = latest["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["cpu", "storage", "tags"], "{latest}");
    let page = b.get(&format!("/servers/{server_id}")).await;
    assert!(page.body.contains("by Fred Former") && page.body.contains(">ui<"));
    // Delete and restore.
    let del = b.post(&format!("/servers/{server_id}/delete"), &[]).await;
    assert_eq!(del.status, StatusCode::SEE_OTHER);
    let (_, gone) = app.get(&user.token, "/api/v1/servers").await;
    assert_eq!(gone["total"], 0);
    assert!(
        b.get(&format!("/servers/{server_id}"))
            .await
            .body
            .contains("Restore")
    );
    let back = b.post(&format!("/servers/{server_id}/restore"), &[]).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let (_, again) = app.get(&user.token, "/api/v1/servers").await;
    assert_eq!(again["total"], 1);
}

async fn references_are_searched_and_kept(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Rita Refs").await;
    let web = app
        .create(
            &user.token,
            "servers",
            json!({"name": "lb-target-1", "hostname": "lb-target-1", "ipv4_private": "10.9.8.7"}),
        )
        .await;
    let found = b.get("/ui/refs/server?_q=10.9.8&_by=ipv4_private").await;
    assert!(found.body.contains("lb-target-1") && found.body.contains(&id(&web)));
    let none = b.get("/ui/refs/server?_q=10.9.8&_by=hostname").await;
    assert!(none.body.contains("Nothing found"));
    let lb = b
        .post(
            "/loadbalancers",
            &[
                ("name", "lb-front"),
                ("targets[]", ""),
                ("targets[0].id", id(&web).as_str()),
                ("targets[0].name", "lb-target-1"),
            ],
        )
        .await;
    assert_eq!(lb.status, StatusCode::SEE_OTHER, "{}", lb.body);
    let page = b.get(&lb.location.clone()).await;
    assert!(
        page.body.contains(&format!("/servers/{}", id(&web))),
        "the target links to the server"
    );
    let server = b.get(&format!("/servers/{}", id(&web))).await;
    assert!(server.body.contains("Load balanced by") && server.body.contains("lb-front"));
    let dup = b
        .get("/ui/duplicates/servers?field=hostname&hostname=lb-target-1&exclude=")
        .await;
    assert!(dup.body.contains("Found 1 server"), "{}", dup.body);
}

backends!(
    list_page_filters_and_sorts,
    forms_create_validate_edit_and_delete,
    references_are_searched_and_kept
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_pages_edit_option_lists() {
    let app = TestApp::sqlite().await;
    let (mut admin, _) = signed_in(&app, "Ada Admin").await;
    let page = admin.get("/settings/options/env_options").await;
    assert!(page.body.contains(r#"value="Production""#));
    let saved = admin
        .post(
            "/settings/options/env_options",
            &[
                ("v.environment[]", ""),
                ("v.environment[0]", "Production"),
                ("v.environment[1]", "Qualification"),
                ("v.size[]", ""),
                ("v.size[0]", "small"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let s = app.core.get_setting("env_options").await.unwrap();
    assert_eq!(
        s["value"]["environment"],
        json!(["Production", "Qualification"])
    );
    let (mut other, _) = signed_in(&app, "Ned Normal").await;
    let refused = other
        .post(
            "/settings/options/env_options",
            &[("v.environment[]", ""), ("v.environment[0]", "X")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let regions = admin.get("/settings/regions").await;
    assert!(regions.body.contains("us-east-1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn themes_logo_assets_and_not_found() {
    let app = TestApp::with_settings("sqlite", |s| s.theme = maestro_web::Theme::Gold)
        .await
        .unwrap();
    let mut b = Browser::new(&app);
    let login = b.get("/login").await;
    assert!(
        login.body.contains(r#"data-theme="gold""#),
        "MAESTRO_THEME sets the default"
    );
    assert!(
        login
            .body
            .contains(concat!("Maestro ", env!("CARGO_PKG_VERSION"))),
        "version in the footer"
    );
    let switched = b
        .post("/theme", &[("theme", "dark"), ("back", "/login")])
        .await;
    assert_eq!(switched.location, "/login");
    assert!(b.get("/login").await.body.contains(r#"data-theme="dark""#));
    let htmx = b.get("/assets/htmx.min.js").await;
    assert_eq!(htmx.status, StatusCode::OK);
    assert!(htmx.content_type.starts_with("text/javascript"));
    assert!(htmx.body.contains("htmx"));
    let logo = b.get("/logo").await;
    assert_eq!(logo.content_type, "image/svg+xml");
    let missing = b.get("/no/such/page/here").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.content_type.starts_with("text/html") && missing.body.contains("Not found"));
    let (status, body) = app
        .call(Method::GET, "/api/v1/no/such/deep/path", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["status"], 404, "the API keeps problem+json");
    let health = b.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("logo.png");
    std::fs::write(&file, b"\x89PNG\r\n\x1a\nnot-really").unwrap();
    let custom = TestApp::with_settings("sqlite", |s| s.logo = Some(file.clone()))
        .await
        .unwrap();
    let mut c = Browser::new(&custom);
    let logo = c.get("/logo").await;
    assert_eq!(logo.content_type, "image/png");
    assert!(logo.body.contains("not-really"));
}
