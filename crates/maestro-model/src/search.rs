//! The free-text haystack of an entity: its name and every field marked `search` (hostnames,
//! IPs, tags, provider ids), lower-cased and joined, so `q` is one indexed-friendly `LIKE`.

use serde_json::{Map, Value};

use crate::schema::{Field, KindSchema, Ty};

/// Builds the lower-cased search text of a document.
pub fn search_text(schema: &KindSchema, data: &Map<String, Value>) -> String {
    let mut out = String::new();
    collect(schema.fields, data, &mut out);
    out.to_lowercase()
}

fn collect(fields: &[Field], data: &Map<String, Value>, out: &mut String) {
    for f in fields {
        let Some(v) = data.get(f.name) else { continue };
        match f.ty.item() {
            Ty::Object { fields: inner, .. } => {
                let nested_search = inner.iter().any(|i| i.search);
                if !nested_search {
                    continue;
                }
                match v {
                    Value::Array(items) => {
                        for it in items.iter().filter_map(Value::as_object) {
                            collect(inner, it, out);
                        }
                    }
                    Value::Object(obj) => collect(inner, obj, out),
                    _ => {}
                }
            }
            _ if f.search => push_scalars(v, out),
            _ => {}
        }
    }
}

fn push_scalars(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push(' ');
        }
        Value::Array(items) => items.iter().for_each(|i| push_scalars(i, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Kind;
    use serde_json::json;

    #[test]
    fn collects_names_addresses_and_tags() {
        let doc = json!({
            "name": "Web-01", "hostname": "web-01.prod", "ipv4_private": "10.0.0.1", "cpu": 4,
            "tags": [{"key": "Team", "value": "Payments"}],
            "datacenters": {"instance_id": "i-123", "region": "us-east-1"},
        });
        let text = search_text(Kind::Server.schema(), doc.as_object().unwrap());
        for needle in [
            "web-01 ",
            "web-01.prod",
            "10.0.0.1",
            "team",
            "payments",
            "i-123",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
        assert!(!text.contains("us-east-1"));
        assert!(!text.contains('4'));
    }
}
