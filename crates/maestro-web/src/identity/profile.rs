//! The signed-in user's profile: name and contact fields and theme (`Core::update_me`), the
//! avatar, and changing the password (`Core::change_password`, which keeps this session and
//! signs out the others).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use maestro_core::CoreError;
use serde_json::{Map, Value, json};

use super::avatars::AvatarBox;
use super::inline::Inline;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::session::{self, Flash, Form, FormData};
use crate::view::when;
use crate::{Theme, WebState};

/// The profile's text fields: (input name, label).
pub const FIELDS: [(&str, &str); 8] = [
    ("name", "Name"),
    ("fullname", "Full name"),
    ("phone", "Phone"),
    ("company", "Company"),
    ("job", "Job"),
    ("country", "Country"),
    ("city", "City"),
    ("address", "Address"),
];

pub struct ProfileField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "identity/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    email: String,
    admin: bool,
    created: String,
    fields: Vec<ProfileField>,
    theme: String,
    themes: &'static [Theme],
    teams: usize,
    avatar_box: AvatarBox,
    inline: Inline,
}

/// The avatar box of the signed-in user.
pub fn avatar_box(auth: &Authed, src: Option<String>) -> AvatarBox {
    AvatarBox::new(
        "/profile/avatar".into(),
        src,
        "Your avatar".into(),
        &auth.caller.name,
    )
}

/// Renders the profile page: the account as stored, or `values` a refused form sent.
pub async fn show(
    state: &WebState,
    auth: &Authed,
    values: Option<&FormData>,
    inline: Inline,
) -> WebResult<Response> {
    let me = state.core.me(&auth.caller).await?;
    let fields = FIELDS
        .iter()
        .map(|(name, label)| ProfileField {
            name,
            label,
            value: match values {
                Some(f) => f.get(name).to_owned(),
                None => me[*name].as_str().unwrap_or("").to_owned(),
            },
        })
        .collect();
    let mut b = avatar_box(auth, me["avatar"].as_str().map(str::to_owned));
    b.csrf = auth.chrome.csrf.clone();
    b.error = inline.get("avatar").cloned();
    let status = inline.status;
    let mut res = render(&ProfilePage {
        chrome: auth.chrome.clone().with_title("Your profile", "profile"),
        email: me["email"].as_str().unwrap_or("").to_owned(),
        admin: auth.caller.admin,
        created: when(&me["created_at"]),
        fields,
        theme: values
            .map(|f| f.get("theme").to_owned())
            .or_else(|| me["theme"].as_str().map(str::to_owned))
            .unwrap_or_default(),
        themes: &Theme::ALL,
        teams: auth.caller.teams.len(),
        avatar_box: b,
        inline: inline.fold_unknown(&[
            "name",
            "fullname",
            "phone",
            "company",
            "job",
            "country",
            "city",
            "address",
            "theme",
            "avatar",
            "current_password",
            "new_password",
            "new_password_again",
        ]),
    })?;
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    Ok(res)
}

/// `GET /profile`.
pub async fn page(State(state): State<WebState>, auth: Authed) -> WebResult<Response> {
    show(&state, &auth, None, Inline::none()).await
}

/// `POST /profile`: saves the fields (emptied ones are removed) and the theme.
pub async fn save(
    State(state): State<WebState>,
    auth: Authed,
    Form(form): Form,
) -> WebResult<Response> {
    let mut body = Map::new();
    for (name, _) in FIELDS {
        let v = form.get(name).trim();
        let value = if v.is_empty() && name != "name" {
            Value::Null
        } else {
            json!(v)
        };
        body.insert(name.into(), value);
    }
    let theme = Theme::parse(form.get("theme"));
    body.insert(
        "theme".into(),
        theme.map_or(Value::Null, |t| json!(t.as_str())),
    );
    match state
        .core
        .update_me(&auth.caller, &Value::Object(body))
        .await
    {
        Ok(_) => {
            let mut cookies = vec![session::flash_cookie(
                &[Flash::ok("Your profile is saved.")],
                state.secure_cookies,
            )];
            cookies.push(match theme {
                Some(t) => crate::theme::cookie(t, state.secure_cookies),
                None => session::cookie(
                    crate::theme::COOKIE,
                    "",
                    Some(0),
                    true,
                    state.secure_cookies,
                ),
            });
            Ok(session::redirect_with("/profile", cookies))
        }
        Err(e) => show(&state, &auth, Some(&form), Inline::from_core(e)?).await,
    }
}

/// `POST /profile/password`: needs the current password; other sessions are signed out.
pub async fn password(
    State(state): State<WebState>,
    auth: Authed,
    Form(form): Form,
) -> WebResult<Response> {
    let new = form.get("new_password");
    let result = if form.get("new_password_again") != new {
        Err(CoreError::invalid(
            "new_password_again",
            "does not match the new password",
        ))
    } else {
        let body = json!({"current_password": form.get("current_password"), "new_password": new});
        state
            .core
            .change_password(&auth.caller, Some(auth.session), &body)
            .await
    };
    match result {
        Ok(()) => {
            let flash = Flash::ok(
                "Your password is changed; your other sessions are signed out (API tokens keep working: revoke them under API tokens).",
            );
            Ok(session::redirect_with(
                "/profile",
                vec![session::flash_cookie(&[flash], state.secure_cookies)],
            ))
        }
        Err(e) => show(&state, &auth, None, Inline::from_core(e)?).await,
    }
}
