//! Secrets inside job and schedule parameters (a webhook's header values): stored sealed as
//! `{"sealed": "v1:…"}` under the installation's secret key, shown as `"***"` by every view and
//! in the history, opened only by the job that sends them. Sending back the `"***"` a view
//! showed keeps the stored value, so a client can round-trip a schedule without knowing it.

use serde_json::{Map, Value, json};

use crate::{Core, CoreError, CoreResult};

/// What views and history show for a sealed value.
pub const MASK: &str = "***";

/// Whether `v` is a sealed value.
pub fn is_sealed(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.len() == 1 && m.get("sealed").is_some_and(Value::is_string))
}

/// `v` with every sealed value replaced by what `f` makes of its sealed text.
fn map_sealed(v: &Value, f: &impl Fn(&str) -> Value) -> Value {
    match v {
        _ if is_sealed(v) => f(v["sealed"].as_str().unwrap_or_default()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), map_sealed(v, f)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| map_sealed(v, f)).collect()),
        other => other.clone(),
    }
}

/// `v` with every sealed value replaced by [`MASK`].
pub fn masked(v: &Value) -> Value {
    map_sealed(v, &|_| json!(MASK))
}

/// Marks each sealed value of `v` by its sealed text, so a field-level diff sees a secret change
/// (and only then) without descending into it; [`unmark`] turns the marks into [`MASK`].
pub fn marked(v: &Value) -> Value {
    map_sealed(v, &|sealed| json!(format!("\u{0}{sealed}")))
}

/// [`MASK`] for every value [`marked`] marked.
pub fn unmark(v: &mut Value) {
    match v {
        Value::String(s) if s.starts_with('\u{0}') => *v = json!(MASK),
        Value::Object(m) => m.values_mut().for_each(unmark),
        Value::Array(a) => a.iter_mut().for_each(unmark),
        _ => {}
    }
}

/// Drops from a merge `patch` each [`MASK`] that stands for a sealed value of `base`: sending
/// back what a view showed keeps the secret.
pub fn keep_masked(patch: &mut Map<String, Value>, base: &Map<String, Value>) {
    patch.retain(|k, v| !(v == MASK && base.get(k).is_some_and(is_sealed)));
    for (k, v) in patch.iter_mut() {
        if let (Value::Object(p), Some(Value::Object(b))) = (v, base.get(k)) {
            keep_masked(p, b);
        }
    }
}

/// Whether `new` keeps a sealed value of `old` as it was (at the same place): sent back as
/// [`MASK`] rather than given again.
pub fn keeps_sealed(new: &Value, old: &Value) -> bool {
    match (new, old) {
        (n, o) if is_sealed(n) => n == o,
        (Value::Object(n), Value::Object(o)) => n
            .iter()
            .any(|(k, v)| o.get(k).is_some_and(|ov| keeps_sealed(v, ov))),
        _ => false,
    }
}

impl Core {
    /// Seals a secret value for storage in parameters.
    pub(crate) fn seal_value(&self, v: &Value) -> CoreResult<Value> {
        Ok(json!({"sealed": self.secret_box()?.seal(v)?}))
    }

    /// The plain value of a sealed one (other values are returned as they are).
    pub(crate) fn open_value(&self, v: &Value) -> CoreResult<Value> {
        if !is_sealed(v) {
            return Ok(v.clone());
        }
        self.secret_box()?
            .open(v["sealed"].as_str().unwrap_or_default())
    }

    /// `new` with each sealed value that holds what `old` holds at the same place replaced by
    /// `old`'s, so entering a secret again is no change (sealing draws a fresh nonce).
    pub(crate) fn keep_unchanged_secrets(&self, new: &mut Value, old: &Value) {
        match (new, old) {
            (n, o) if is_sealed(n) && is_sealed(o) && n != o => {
                if let (Ok(a), Ok(b)) = (self.open_value(n), self.open_value(o))
                    && a == b
                {
                    *n = o.clone();
                }
            }
            (Value::Object(n), Value::Object(o)) => {
                for (k, v) in n.iter_mut() {
                    if let Some(ov) = o.get(k) {
                        self.keep_unchanged_secrets(v, ov);
                    }
                }
            }
            _ => {}
        }
    }

    fn secret_box(&self) -> CoreResult<&crate::secrets::SecretBox> {
        self.secrets.as_deref().ok_or_else(|| {
            CoreError::Internal("no secret key is configured (MAESTRO_SECRET_KEY)".into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_show_a_mask_and_diffs_see_only_real_changes() {
        let a = json!({"headers": {"Authorization": {"sealed": "v1:aa:bb"}, "Accept": "x"}});
        assert_eq!(
            masked(&a),
            json!({"headers": {"Authorization": "***", "Accept": "x"}})
        );
        let b = json!({"headers": {"Authorization": {"sealed": "v1:cc:dd"}, "Accept": "x"}});
        assert_eq!(marked(&a), marked(&a));
        assert_ne!(marked(&a), marked(&b));
        let mut m = marked(&a);
        unmark(&mut m);
        assert_eq!(m, masked(&a));
    }

    #[test]
    fn a_mask_sent_back_keeps_the_secret() {
        let base = json!({"headers": {"Authorization": {"sealed": "v1:aa:bb"}}, "name": "n"});
        let mut patch = json!({"headers": {"Authorization": "***", "X-New": "***"}, "name": "***"});
        keep_masked(patch.as_object_mut().unwrap(), base.as_object().unwrap());
        // Only the mask that stands for a sealed value goes; the others mean what they say.
        assert_eq!(patch, json!({"headers": {"X-New": "***"}, "name": "***"}));
    }
}
