//! Marker pagination, the same for every OpenStack service: ask `limit` items, follow the
//! `next` link (`<key>_links` in Nova, Neutron, Cinder and Octavia, a top-level `next` in
//! Glance) by its `marker`, stop when there is none. Only the marker is taken from the link, so a
//! link naming an internal host still works; a marker that does not move ends the listing
//! rather than looping.

use maestro_discovery::ProviderError;
use reqwest::Url;
use serde_json::Value;

use crate::api::Api;

/// One paginated listing.
pub struct Pager<'a> {
    api: &'a Api,
    url: Url,
    key: &'static str,
    action: String,
    headers: &'a [(&'a str, &'a str)],
    limit: u32,
    marker: Option<String>,
    done: bool,
    /// API pages fetched so far.
    pub fetched: u64,
}

impl<'a> Pager<'a> {
    /// `url` is the collection URL (its own query, e.g. filters, is kept); `key` the body's list
    /// key (`servers`, `security_groups`…); `action` the policy named by permission errors.
    pub fn new(api: &'a Api, url: Url, key: &'static str, action: String, limit: u32) -> Self {
        Pager {
            api,
            url,
            key,
            action,
            headers: &[],
            limit,
            marker: None,
            done: false,
            fetched: 0,
        }
    }

    /// Extra request headers (microversions).
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// The next page's items, or `None` after the last page.
    pub async fn next(&mut self) -> Result<Option<Vec<Value>>, ProviderError> {
        if self.done {
            return Ok(None);
        }
        let mut url = self.url.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("limit", &self.limit.to_string());
            if let Some(m) = &self.marker {
                q.append_pair("marker", m);
            }
        }
        let mut body = self.api.get(&url, self.headers, &self.action).await?;
        self.fetched += 1;
        let items = match body.get_mut(self.key).map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(ProviderError::Other(format!(
                    "{}: the answer has no {:?} list",
                    self.action, self.key
                )));
            }
        };
        let next = next_marker(&body, self.key, &items);
        match next {
            Some(m) if !items.is_empty() && self.marker.as_deref() != Some(m.as_str()) => {
                self.marker = Some(m);
            }
            _ => self.done = true,
        }
        Ok(Some(items))
    }
}

/// The marker of the next page, when the answer links one.
fn next_marker(body: &Value, key: &str, items: &[Value]) -> Option<String> {
    let links = body
        .get(format!("{key}_links"))
        .or_else(|| body.get("links"))
        .and_then(Value::as_array);
    let href = match links {
        Some(links) => links
            .iter()
            .find(|l| l.get("rel").and_then(Value::as_str) == Some("next"))
            .and_then(|l| l.get("href"))
            .and_then(Value::as_str)?,
        None => body.get("next").and_then(Value::as_str)?,
    };
    let base = Url::parse("http://relative.invalid/").expect("static URL");
    let marker = base.join(href).ok().and_then(|u| {
        u.query_pairs()
            .find(|(k, _)| k == "marker")
            .map(|(_, v)| v.into_owned())
    });
    marker.or_else(|| {
        items
            .last()
            .and_then(|i| i.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn markers_come_from_next_links_of_every_style() {
        let items = vec![json!({"id": "last"})];
        let nova: Value =
            serde_json::from_str(include_str!("../fixtures/compute-servers-detail.json")).unwrap();
        assert_eq!(
            next_marker(&nova, "servers", &[]).as_deref(),
            Some("f5dc173b-6804-445a-a6d8-c705dad5b5eb")
        );
        let glance = json!({"images": [], "next": "/v2/images?marker=abc&limit=2"});
        assert_eq!(
            next_marker(&glance, "images", &items).as_deref(),
            Some("abc")
        );
        let neutron = json!({"ports_links": [{"rel": "previous", "href": "http://x/?marker=a"}]});
        assert_eq!(next_marker(&neutron, "ports", &items), None);
        let no_marker =
            json!({"pools_links": [{"rel": "next", "href": "http://x/v2/lbaas/pools?page=2"}]});
        assert_eq!(
            next_marker(&no_marker, "pools", &items).as_deref(),
            Some("last")
        );
        let glance_first_only: Value =
            serde_json::from_str(include_str!("../fixtures/image-images.json")).unwrap();
        assert_eq!(next_marker(&glance_first_only, "images", &items), None);
    }
}
