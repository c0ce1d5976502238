//! Themes: the original's seven colour schemes, the installation default (`MAESTRO_THEME`) and
//! each user's choice (their profile's `theme`, mirrored in a cookie so pages need no lookup).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::WebState;
use crate::error::WebResult;
use crate::session::{self, Form};

/// A colour scheme. `lotus` is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Lotus,
    Gold,
    Wine,
    Blue,
    Dark,
    Green,
    Orange,
}

/// The cookie holding a user's theme.
pub const COOKIE: &str = "maestro_theme";

impl Theme {
    pub const ALL: [Theme; 7] = [
        Theme::Lotus,
        Theme::Gold,
        Theme::Wine,
        Theme::Blue,
        Theme::Dark,
        Theme::Green,
        Theme::Orange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Lotus => "lotus",
            Theme::Gold => "gold",
            Theme::Wine => "wine",
            Theme::Blue => "blue",
            Theme::Dark => "dark",
            Theme::Green => "green",
            Theme::Orange => "orange",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::Lotus => "Lotus",
            Theme::Gold => "Gold",
            Theme::Wine => "Wine",
            Theme::Blue => "Blue",
            Theme::Dark => "Dark",
            Theme::Green => "Green",
            Theme::Orange => "Orange",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl std::fmt::Display for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Theme {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Theme::parse(s).ok_or_else(|| {
            let names: Vec<&str> = Theme::ALL.iter().map(|t| t.as_str()).collect();
            format!("unknown theme {s:?} (one of {})", names.join(", "))
        })
    }
}

/// The cookie that remembers a theme in this browser (a year).
pub fn cookie(theme: Theme, secure: bool) -> axum::http::HeaderValue {
    session::cookie(COOKIE, theme.as_str(), Some(365 * 24 * 3600), true, secure)
}

/// `POST /theme`: the signed-in user's choice goes to their profile (`theme`, so it follows
/// them to other browsers); every visitor's choice is kept in a cookie. Then back to the page.
pub async fn switch(
    State(state): State<WebState>,
    headers: HeaderMap,
    Form(form): Form,
) -> WebResult<Response> {
    let theme = Theme::parse(form.get("theme")).unwrap_or(state.theme);
    if let Some(s) = session::Session::from_headers(&headers, &state).await {
        state
            .core
            .update_me(&s.caller, &serde_json::json!({"theme": theme.as_str()}))
            .await?;
    }
    let back = session::safe_back(form.get("back"), &headers);
    Ok(session::redirect_with(
        &back,
        vec![cookie(theme, state.secure_cookies)],
    ))
}
