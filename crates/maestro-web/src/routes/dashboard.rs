//! The dashboard ("Overview"): the newest servers and applications, totals per collection,
//! quick links and duplicate hostnames or IPs that need attention — all from `Core::dashboard`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use maestro_model::schema::Collection;
use serde_json::Value;

use crate::WebState;
use crate::chrome::{Chrome, Ctx, render};
use crate::error::WebResult;
use crate::session::{self, encode};
use crate::view::{cell, scalar_text};

/// One line of a news list.
pub struct News {
    pub href: String,
    pub title: String,
    pub detail: String,
}

pub struct Total {
    pub href: String,
    pub label: &'static str,
    pub count: u64,
}

pub struct Duplicate {
    pub href: String,
    pub field: String,
    pub value: String,
    pub count: u64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    servers: Vec<News>,
    apps: Vec<News>,
    totals: Vec<Total>,
    quick: Vec<(String, &'static str)>,
    duplicates: Vec<Duplicate>,
}

fn text(v: &Value, path: &str) -> String {
    crate::view::at(v, path)
        .map(scalar_text)
        .unwrap_or_default()
}

fn join(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" · ")
}

fn server_news(s: &Value) -> News {
    // Named as in the lists (a discovered instance's Name tag); the hostname, when it differs
    // (`ip-10-0-0-1.ec2.internal`), is a detail.
    let name = s["name"].as_str().unwrap_or("?");
    let hostname = text(s, "hostname");
    let os = text(s, "os.base");
    News {
        href: format!("/servers/{}", text(s, "id")),
        title: if os.is_empty() {
            name.to_owned()
        } else {
            format!("{name} ({os})")
        },
        detail: join(&[
            if hostname == name {
                String::new()
            } else {
                hostname
            },
            text(s, "ipv4_private"),
            text(s, "ipv4_public"),
            text(s, "role"),
            text(s, "environment"),
            text(s, "datacenters.provider"),
        ]),
    }
}

fn app_news(a: &Value) -> News {
    let env = text(a, "environment");
    let name = text(a, "name");
    let coll = Collection::of(
        maestro_model::schema::Kind::Application,
        a["family"].as_str(),
    );
    News {
        href: format!("/{}/{}", coll.segment(), text(a, "id")),
        title: if env.is_empty() {
            name
        } else {
            format!("{name} ({env})")
        },
        detail: join(&[
            text(a, "family"),
            text(a, "cluster"),
            text(a, "provider"),
            cell(a.get("servers")),
        ]),
    }
}

/// `GET /`: the dashboard, or the sign-in page for visitors.
pub async fn home(State(state): State<WebState>, ctx: Ctx) -> WebResult<Response> {
    let Some(session) = ctx.session else {
        return Ok(session::redirect("/login"));
    };
    let d = state.core.dashboard(&session.caller).await?;
    let totals = Collection::ALL
        .into_iter()
        .map(|c| Total {
            href: format!("/{}", c.segment()),
            label: c.label(),
            count: d["totals"][c.segment()].as_u64().unwrap_or(0),
        })
        .collect();
    let quick = vec![
        ("/servers".to_owned(), "Server list"),
        ("/applications".to_owned(), "Apps list"),
        ("/loadbalancers".to_owned(), "Load balancers list"),
        ("/databases".to_owned(), "Databases list"),
        (
            "/resources?family=Broker".to_owned(),
            "Brokers/Streams list",
        ),
        (
            format!("/resources?family={}", encode("CI/CD")),
            "CI/CD list",
        ),
        ("/resources?family=Monitor".to_owned(), "Monitoring list"),
        ("/systems".to_owned(), "System list"),
    ];
    let duplicates = d["duplicates"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            let field = text(x, "field");
            let value = text(x, "value");
            Duplicate {
                href: format!("/servers?{}={}", encode(&field), encode(&value)),
                field: crate::hints::label(&field),
                value,
                count: x["count"].as_u64().unwrap_or(0),
            }
        })
        .collect();
    render(&DashboardPage {
        chrome: ctx.chrome.with_title("Overview", "dashboard"),
        servers: d["servers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(server_news)
            .collect(),
        apps: d["applications"]
            .as_array()
            .into_iter()
            .flatten()
            .map(app_news)
            .collect(),
        totals,
        quick,
        duplicates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn newest_servers_go_by_their_names() {
        let found = server_news(
            &json!({"id": "s1", "name": "web-1", "hostname": "ip-10-0-0-1.ec2.internal",
            "ipv4_private": "10.0.0.1", "os": {"base": "Linux"}}),
        );
        assert_eq!(found.title, "web-1 (Linux)");
        assert_eq!(found.detail, "ip-10-0-0-1.ec2.internal · 10.0.0.1");
        let typed = server_news(&json!({"id": "s2", "name": "db-1", "hostname": "db-1"}));
        assert_eq!((typed.title.as_str(), typed.detail.as_str()), ("db-1", ""));
    }
}
