//! Provider details as JSON: [`ToJson`] leaves absent values out (None, empty strings, empty
//! lists), [`J`] builds objects from optional values, [`truncate`] applies a length limit.

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value};

/// A value that may be absent: `None`, empty strings and empty lists are left out.
pub(crate) trait ToJson {
    fn to_json(&self) -> Option<Value>;
}

impl ToJson for str {
    fn to_json(&self) -> Option<Value> {
        (!self.is_empty()).then(|| Value::String(self.to_owned()))
    }
}
impl ToJson for String {
    fn to_json(&self) -> Option<Value> {
        self.as_str().to_json()
    }
}
impl ToJson for bool {
    fn to_json(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
}
impl ToJson for i32 {
    fn to_json(&self) -> Option<Value> {
        Some(Value::from(*self))
    }
}
impl ToJson for i64 {
    fn to_json(&self) -> Option<Value> {
        Some(Value::from(*self))
    }
}
impl ToJson for f64 {
    fn to_json(&self) -> Option<Value> {
        serde_json::Number::from_f64(*self).map(Value::Number)
    }
}
impl ToJson for DateTime {
    fn to_json(&self) -> Option<Value> {
        self.fmt(Format::DateTime).ok().map(Value::String)
    }
}
impl ToJson for Value {
    fn to_json(&self) -> Option<Value> {
        match self {
            Value::Null => None,
            Value::Array(a) if a.is_empty() => None,
            Value::Object(o) if o.is_empty() => None,
            v => Some(v.clone()),
        }
    }
}
impl ToJson for [String] {
    fn to_json(&self) -> Option<Value> {
        Value::Array(self.iter().map(|s| Value::String(s.clone())).collect()).to_json()
    }
}
impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Option<Value> {
        (**self).to_json()
    }
}
impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Option<Value> {
        self.as_ref().and_then(ToJson::to_json)
    }
}

/// `s` cut to at most `max` characters.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// A JSON object built from optional values.
#[derive(Default)]
pub(crate) struct J(Map<String, Value>);

impl J {
    pub(crate) fn new() -> Self {
        Self::default()
    }
    pub(crate) fn put(mut self, key: &str, value: impl ToJson) -> Self {
        if let Some(v) = value.to_json() {
            self.0.insert(key.to_owned(), v);
        }
        self
    }
    pub(crate) fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// A list of JSON values made from provider items.
pub(crate) fn list<T>(items: &[T], f: impl Fn(&T) -> Value) -> Value {
    Value::Array(items.iter().map(f).collect())
}
