//! Themes: the original's seven colour schemes, the installation default (`MAESTRO_THEME`) and
//! each user's choice (a cookie until profiles carry a `theme` field).

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

/// `POST /theme`: stores the chosen theme in a cookie (a year) and goes back.
pub async fn switch(
    State(state): State<WebState>,
    headers: HeaderMap,
    Form(form): Form,
) -> WebResult<Response> {
    let theme = Theme::parse(form.get("theme")).unwrap_or(state.theme);
    let back = session::safe_back(form.get("back"), &headers);
    let cookie = session::cookie(
        COOKIE,
        theme.as_str(),
        Some(365 * 24 * 3600),
        false,
        state.secure_cookies,
    );
    Ok(session::redirect_with(&back, vec![cookie]))
}
