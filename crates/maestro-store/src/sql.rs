//! A small SQL builder shared by both backends: statements are written once with `?`
//! placeholders and typed arguments; rendering numbers the placeholders for PostgreSQL. The
//! few dialect differences (JSON paths, case-insensitive matching, `GREATEST`) go through [`Dialect`].

use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// The SQL dialect of a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A bound argument.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A JSON document, serialized once when bound (not cloned as a tree of values): TEXT on
    /// SQLite, JSONB on PostgreSQL.
    Json(Box<RawValue>),
    OptText(Option<String>),
    OptInt(Option<i64>),
    OptJson(Option<Box<RawValue>>),
}

impl Arg {
    /// A JSON document from anything serializable, read in place.
    pub fn json<T: Serialize + ?Sized>(v: &T) -> Self {
        Arg::Json(raw(v))
    }

    /// An optional JSON document (SQL `NULL` when `None`).
    pub fn opt_json<T: Serialize + ?Sized>(v: Option<&T>) -> Self {
        Arg::OptJson(v.map(raw))
    }
}

/// The JSON text of `v`. Values, maps and the store's own types always serialize (their keys
/// are strings); JSON `null` stands in should one not.
fn raw<T: Serialize + ?Sized>(v: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(v).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// The JSON text of `v`, for a document bound as text (`null` should it not serialize, as
/// `raw`).
pub fn json_text<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<i16> for Arg {
    fn from(v: i16) -> Self {
        Arg::Int(i64::from(v))
    }
}
impl From<Value> for Arg {
    fn from(v: Value) -> Self {
        Arg::json(&v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::OptText(v)
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}

/// SQL text with `?` placeholders and their arguments, in order.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends raw SQL (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        self.text.push('?');
        self.args.push(arg.into());
        self
    }

    /// Appends "`expr` contains `term`", ignoring case by Unicode's rules on both backends.
    /// PostgreSQL: `ILIKE` under the database's collation (columns that compare byte by byte,
    /// `"C"`, migration 0012, would fold only ASCII letters). SQLite: `REGEXP` with the `regex`
    /// crate (registered by sqlx), since SQLite's own `LIKE` and `LOWER` fold ASCII only and
    /// "zür" would not find "Zürich".
    pub fn push_contains(&mut self, d: Dialect, expr: &str, term: &str) -> &mut Self {
        match d {
            Dialect::Sqlite => self
                .push(&format!("{expr} REGEXP "))
                .bind(format!("(?i){}", regex::escape(term))),
            Dialect::Postgres => self
                .push(&format!("{expr} COLLATE \"default\" ILIKE "))
                .bind(like_pattern(term))
                .push(" ESCAPE '\\'"),
        }
    }

    /// Appends `?, ?, …` for each argument.
    pub fn bind_list<A: Into<Arg>>(&mut self, args: impl IntoIterator<Item = A>) -> &mut Self {
        for (i, a) in args.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(a);
        }
        self
    }

    /// Appends one row of a multi-row `VALUES` list, `(?, ?, …)`, after `, ` unless `first`.
    pub fn push_row<A: Into<Arg>>(
        &mut self,
        first: bool,
        args: impl IntoIterator<Item = A>,
    ) -> &mut Self {
        self.push(if first { "(" } else { ", (" });
        self.bind_list(args).push(")")
    }

    /// Adds an argument without a placeholder (for text already containing `?`).
    pub fn arg(mut self, arg: impl Into<Arg>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn append(&mut self, other: Sql) -> &mut Self {
        self.text.push_str(&other.text);
        self.args.extend(other.args);
        self
    }

    /// The statement text for `dialect`.
    pub fn render(&self, dialect: Dialect) -> String {
        match dialect {
            Dialect::Sqlite => self.text.clone(),
            Dialect::Postgres => {
                use std::fmt::Write as _;
                let mut out = String::with_capacity(self.text.len() + 4 * self.args.len());
                for (n, part) in self.text.split('?').enumerate() {
                    if n > 0 {
                        let _ = write!(out, "${n}");
                    }
                    out.push_str(part);
                }
                out
            }
        }
    }
}

/// Builds `sql!("… ? …", a, b)` with arguments.
#[macro_export]
macro_rules! sql {
    ($text:expr $(, $arg:expr)* $(,)?) => {{
        #[allow(unused_mut)]
        let mut s = $crate::sql::Sql::new($text);
        $( s.args.push($crate::sql::Arg::from($arg)); )*
        s
    }};
}

impl Dialect {
    /// A JSON path as text: `json_extract(data, '$.os.base')` / `data #>> '{os,base}'`.
    /// Path segments are schema field names (`[a-z0-9_]`), checked before they get here.
    pub fn json_text(self, column: &str, path: &[String]) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, '{}')", sqlite_path(path)),
            Dialect::Postgres => format!("({column} #>> '{{{}}}')", path.join(",")),
        }
    }

    /// A JSON path as a comparable value (numbers compare numerically).
    pub fn json_value(self, column: &str, path: &[String]) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, '{}')", sqlite_path(path)),
            Dialect::Postgres => format!("({column} #> '{{{}}}')", path.join(",")),
        }
    }

    /// The placeholder for a document written to the `data` column. SQLite keeps documents as
    /// JSONB (binary, so filters and indexes extract fields without re-parsing the text).
    pub fn doc_in(self) -> &'static str {
        match self {
            Dialect::Sqlite => "jsonb(?)",
            Dialect::Postgres => "?",
        }
    }

    /// A document column read back as JSON text (SQLite) or JSONB (PostgreSQL).
    pub fn doc_out(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json({column})"),
            Dialect::Postgres => column.to_owned(),
        }
    }

    pub fn greatest(self) -> &'static str {
        match self {
            Dialect::Sqlite => "MAX",
            Dialect::Postgres => "GREATEST",
        }
    }

    /// `EXISTS` over the items of a JSON list at `path`, with `item` naming each element.
    pub fn json_each(self, column: &str, path: &[String]) -> (String, &'static str) {
        match self {
            Dialect::Sqlite => (
                format!("json_each({column}, '{}') AS j", sqlite_path(path)),
                "j.value",
            ),
            Dialect::Postgres => (
                format!(
                    "jsonb_array_elements(CASE WHEN jsonb_typeof({column} #> '{{{p}}}') = 'array' THEN {column} #> '{{{p}}}' ELSE '[]'::jsonb END) AS j(v)",
                    p = path.join(",")
                ),
                "j.v",
            ),
        }
    }
}

fn sqlite_path(path: &[String]) -> String {
    if path.is_empty() {
        "$".to_owned()
    } else {
        format!("$.{}", path.join("."))
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_pattern(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    out.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_for_postgres() {
        let mut s = Sql::new("SELECT 1 WHERE a = ");
        s.bind(1i64)
            .push(" AND b IN (")
            .bind_list(["x", "y"])
            .push(")");
        assert_eq!(
            s.render(Dialect::Sqlite),
            "SELECT 1 WHERE a = ? AND b IN (?, ?)"
        );
        assert_eq!(
            s.render(Dialect::Postgres),
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3)"
        );
    }

    #[test]
    fn json_paths() {
        let p = vec!["os".to_owned(), "base".to_owned()];
        assert_eq!(
            Dialect::Sqlite.json_text("e.data", &p),
            "json_extract(e.data, '$.os.base')"
        );
        assert_eq!(
            Dialect::Postgres.json_text("e.data", &p),
            "(e.data #>> '{os,base}')"
        );
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
