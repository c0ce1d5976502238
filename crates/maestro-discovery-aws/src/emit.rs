//! Building observations and handing them over: the [`Obs`] builder (field limits of the schema
//! registry applied as values are set), the [`Emitter`] that sends each page to the sink as it
//! arrives, and the pagination [`Cursor`].

use maestro_discovery::{Observation, ObservationSink, ObservedRef, ProviderError, TaskStats};
use maestro_model::schema::Collection;
use serde_json::{Map, Value};

pub(crate) use crate::json::{J, ToJson, list, truncate};

/// The placement object every observation carries: `{provider: "AWS", region, …}`.
pub(crate) fn placement(region: &str) -> J {
    J::new().put("provider", "AWS").put("region", region)
}

/// One observation under construction.
pub(crate) struct Obs(Observation);

impl Obs {
    /// A new observation of `collection`; `unique_id` is the provider id.
    pub(crate) fn new(collection: Collection, provider_id: &str) -> Self {
        let mut fields = Map::new();
        fields.insert("unique_id".into(), Value::String(provider_id.to_owned()));
        Self(Observation {
            collection,
            provider_id: provider_id.to_owned(),
            fields,
            refs: Vec::new(),
            active: true,
        })
    }

    /// An application-model observation (`family`, vendor `provider`, `own: 1`).
    pub(crate) fn app(
        collection: Collection,
        provider_id: &str,
        family: &str,
        vendor: &str,
    ) -> Self {
        Self::new(collection, provider_id)
            .put("family", family)
            .put("provider", vendor)
            .put("own", 1)
    }

    /// A network observation of `family`.
    pub(crate) fn network(provider_id: &str, family: &str) -> Self {
        Self::new(Collection::Networks, provider_id).put("family", family)
    }

    /// Sets a field when the value is present (no limit: free and `any` fields).
    pub(crate) fn put(mut self, key: &str, value: impl ToJson) -> Self {
        if let Some(v) = value.to_json() {
            self.0.fields.insert(key.to_owned(), v);
        }
        self
    }

    /// Sets a string field cut to the schema's `max` characters.
    pub(crate) fn text(self, key: &str, value: Option<&str>, max: usize) -> Self {
        self.put(key, value.map(|v| truncate(v.trim(), max)))
    }

    /// Sets an IP field when the value is a valid address.
    pub(crate) fn ip(self, key: &str, value: Option<&str>) -> Self {
        let ip = value.and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
        self.put(key, ip.map(|ip| ip.to_string()))
    }

    /// Sets `name` from the first usable candidate within `min..=max` characters, else the
    /// provider id (cut to `max`).
    pub(crate) fn name(self, candidate: Option<&str>, min: usize, max: usize) -> Self {
        let chosen = candidate
            .map(str::trim)
            .map(|c| truncate(c, max))
            .filter(|c| c.chars().count() >= min)
            .map(str::to_owned)
            .unwrap_or_else(|| truncate(&self.0.provider_id, max).to_owned());
        self.put("name", chosen)
    }

    /// Sets `tags: [{key, value}]` (keys and values cut to 100 characters, at most 200 tags),
    /// an empty list too: the provider reported none, so tags removed there are cleared here
    /// (the reconcile adds no empty list where nothing was stored).
    pub(crate) fn tags<'a>(
        mut self,
        tags: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Self {
        let items: Vec<Value> = tags
            .into_iter()
            .filter(|(k, _)| !k.is_empty())
            .take(200)
            .map(|(k, v)| {
                J::new()
                    .put("key", truncate(k, 100))
                    .put("value", v.map(|v| truncate(v, 100)))
                    .done()
            })
            .collect();
        self.0.fields.insert("tags".into(), Value::Array(items));
        self
    }

    /// A relation to another resource of the account, by its provider id.
    pub(crate) fn refer(mut self, field: &str, provider_id: &str) -> Self {
        let r = ObservedRef {
            field: field.to_owned(),
            provider_id: provider_id.to_owned(),
        };
        if !provider_id.is_empty() && !self.0.refs.contains(&r) {
            self.0.refs.push(r);
        }
        self
    }

    pub(crate) fn active(mut self, active: bool) -> Self {
        self.0.active = active;
        self
    }

    pub(crate) fn done(self) -> Observation {
        self.0
    }
}

/// The value of the tag `key` (case-insensitive), if set.
pub(crate) fn tag<'a>(
    tags: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    key: &str,
) -> Option<&'a str> {
    tags.into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v)
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// "available" → "Available", "in-use" → "In-use".
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Hands pages to the sink as they arrive and counts them.
pub(crate) struct Emitter<'a> {
    sink: &'a mut dyn ObservationSink,
    pub(crate) stats: TaskStats,
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(sink: &'a mut dyn ObservationSink) -> Self {
        Self {
            sink,
            stats: TaskStats::default(),
        }
    }

    /// Sends one page (empty pages are skipped).
    pub(crate) async fn send(&mut self, page: Vec<Observation>) -> Result<(), ProviderError> {
        if page.is_empty() {
            return Ok(());
        }
        let n = page.len() as u64;
        self.sink
            .accept(page)
            .await
            .map_err(|e| ProviderError::Other(format!("the inventory refused a page: {e}")))?;
        self.stats.observed += n;
        self.stats.pages += 1;
        Ok(())
    }
}

/// A pagination token; refuses a token that does not advance (a listing that would never end).
#[derive(Default)]
pub(crate) struct Cursor(Option<String>);

impl Cursor {
    pub(crate) fn token(&self) -> Option<String> {
        self.0.clone()
    }

    /// Takes the next token; `Ok(false)` when the listing is complete.
    pub(crate) fn advance(&mut self, next: Option<&str>) -> Result<bool, ProviderError> {
        match next.filter(|t| !t.is_empty()) {
            None => Ok(false),
            Some(t) if self.0.as_deref() == Some(t) => Err(ProviderError::Other(
                "the provider returned the same page token twice".into(),
            )),
            Some(t) => {
                self.0 = Some(t.to_owned());
                Ok(true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fall_back_to_the_provider_id_and_respect_limits() {
        let o = Obs::new(Collection::Networks, "sg-1234")
            .name(Some("db"), 3, 100)
            .done();
        assert_eq!(o.fields["name"], "sg-1234");
        let o = Obs::new(Collection::Snapshots, "snap-1")
            .name(Some(&"é".repeat(40)), 3, 30)
            .done();
        assert_eq!(o.fields["name"].as_str().unwrap().chars().count(), 30);
        let o = Obs::new(Collection::Servers, "i-1")
            .name(None, 1, 100)
            .done();
        assert_eq!(o.fields["name"], "i-1");
        assert_eq!(o.fields["unique_id"], "i-1");
    }

    #[test]
    fn absent_values_and_bad_ips_are_left_out() {
        let o = Obs::new(Collection::Servers, "i-1")
            .ip("ipv4_private", Some("10.0.0.1"))
            .ip("ipv4_public", Some("not-an-ip"))
            .put("hostname", "")
            .put("cpu", None::<f64>)
            .refer("targets", "i-2")
            .refer("targets", "i-2")
            .done();
        assert_eq!(o.fields["ipv4_private"], "10.0.0.1");
        assert!(!o.fields.contains_key("ipv4_public"));
        assert!(!o.fields.contains_key("hostname") && !o.fields.contains_key("cpu"));
        assert_eq!(o.refs.len(), 1);
    }

    #[test]
    fn tags_and_cursor() {
        let tags = [("Name", Some("web")), ("ENV", Some(" Production "))];
        assert_eq!(tag(tags, "env"), Some("Production"));
        assert_eq!(tag(tags, "role"), None);
        assert_eq!(capitalize("in-use"), "In-use");
        let mut c = Cursor::default();
        assert!(c.advance(Some("a")).unwrap());
        assert!(c.advance(Some("a")).is_err());
        assert!(!c.advance(Some("")).unwrap());
    }
}
