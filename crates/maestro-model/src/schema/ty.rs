//! Field descriptions: a type with its limits, plus the flags that drive indexes, search,
//! duplicate warnings and family-specific forms.

use super::Kind;

/// The type of a field value, with its limits.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// A string of `min..=max` characters.
    Str {
        min: usize,
        max: usize,
    },
    /// An IPv4 or IPv6 address.
    Ip,
    /// An e-mail address.
    Email,
    /// An absolute http(s) URL.
    Url,
    /// An RFC 3339 timestamp, kept as given.
    DateTime,
    Int {
        min: i64,
        max: i64,
    },
    /// A number; `min` is exclusive when `above_min` (e.g. cpu > 0).
    Num {
        min: f64,
        max: f64,
        above_min: bool,
    },
    Bool,
    /// One of a fixed list of strings.
    Enum(&'static [&'static str]),
    /// A string (≤ 250 chars) or a number — provider ids such as `unique_id`.
    Scalar,
    /// An object with declared fields; `open` lets undeclared keys through untouched (provider
    /// detail objects such as `datacenters`).
    Object {
        fields: &'static [Field],
        open: bool,
    },
    /// Any JSON object (free-form details: `role`, `configs`, `metas`).
    AnyObject,
    /// Any JSON value (raw provider attributes).
    Any,
    /// A list of at most `max` items; `unique_by` names the item key that must not repeat.
    List {
        item: &'static Ty,
        max: usize,
        unique_by: Option<&'static str>,
    },
    /// A reference to other entities, stored as relation rows rather than in the document.
    Ref(&'static RefSpec),
}

impl Ty {
    /// The element type for lists, the type itself otherwise.
    pub fn item(&self) -> &Ty {
        match self {
            Ty::List { item, .. } => item,
            other => other,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self.item(), Ty::Int { .. } | Ty::Num { .. })
    }

    /// A short name for documentation and errors.
    pub fn describe(&self) -> &'static str {
        match self {
            Ty::Str { .. } => "string",
            Ty::Ip => "IP address",
            Ty::Email => "e-mail address",
            Ty::Url => "URL",
            Ty::DateTime => "RFC 3339 timestamp",
            Ty::Int { .. } => "integer",
            Ty::Num { .. } => "number",
            Ty::Bool => "boolean",
            Ty::Enum(_) => "one of a list",
            Ty::Scalar => "string or number",
            Ty::Object { .. } | Ty::AnyObject => "object",
            Ty::Any => "any value",
            Ty::List { .. } => "list",
            Ty::Ref(spec) if spec.many => "list of references",
            Ty::Ref(_) => "reference",
        }
    }
}

/// A reference field. Relation rows are `(src, rel, dst)`; a forward field lives on the source
/// kind, an `inverse` field on the target kind shows (and edits) the same rows from the other side.
#[derive(Debug)]
pub struct RefSpec {
    /// Relation name shared by both sides, e.g. `depends_on`.
    pub rel: &'static str,
    /// The kind on the other end.
    pub target: Kind,
    /// A list of references (`[{"id": …}]`) or one (`"id"`).
    pub many: bool,
    /// True when this field is the target side of `rel`.
    pub inverse: bool,
    /// Extra attributes carried by each reference (e.g. a dependency's `endpoint` protocol).
    pub attrs: &'static [Field],
    /// `attrs` plus the `id` key, for path resolution.
    pub attrs_with_id: &'static [Field],
}

impl RefSpec {
    pub fn attrs_with_id(&self) -> &'static [Field] {
        self.attrs_with_id
    }
}

/// One field of a kind.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// Sortable and backed by a storage index.
    pub indexed: bool,
    /// Included in `q` free-text search.
    pub search: bool,
    /// A write that repeats another entity's value succeeds with a warning.
    pub warn_duplicate: bool,
    /// Only allowed for these families (application model).
    pub families: Option<&'static [&'static str]>,
    /// Value applied on create when the field is absent.
    pub default: Option<&'static str>,
    /// Write-only: kept encrypted apart from the document, never returned or logged.
    pub secret: bool,
    pub doc: &'static str,
}

impl Field {
    pub const fn new(name: &'static str, ty: Ty) -> Self {
        Self {
            name,
            ty,
            required: false,
            indexed: false,
            search: false,
            warn_duplicate: false,
            families: None,
            default: None,
            secret: false,
            doc: "",
        }
    }
    pub const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn indexed(mut self) -> Self {
        self.indexed = true;
        self
    }
    pub const fn search(mut self) -> Self {
        self.search = true;
        self
    }
    pub const fn warn_duplicate(mut self) -> Self {
        self.warn_duplicate = true;
        self
    }
    pub const fn families(mut self, families: &'static [&'static str]) -> Self {
        self.families = Some(families);
        self
    }
    pub const fn default(mut self, value: &'static str) -> Self {
        self.default = Some(value);
        self
    }
    pub const fn doc(mut self, doc: &'static str) -> Self {
        self.doc = doc;
        self
    }

    /// Whether this field is allowed for an entity of `family` (always, outside the application model).
    pub fn allowed_for(&self, family: Option<&str>) -> bool {
        match (self.families, family) {
            (Some(list), Some(f)) => list.contains(&f),
            (Some(_), None) => false,
            (None, _) => true,
        }
    }
}

/// Shorthands used by the kind descriptions.
pub const fn s(name: &'static str, max: usize) -> Field {
    Field::new(name, Ty::Str { min: 0, max })
}
pub const fn any(name: &'static str) -> Field {
    Field::new(name, Ty::Any)
}
pub const fn obj(name: &'static str) -> Field {
    Field::new(name, Ty::AnyObject)
}
pub const fn boolean(name: &'static str) -> Field {
    Field::new(name, Ty::Bool)
}
pub const fn num(name: &'static str) -> Field {
    Field::new(
        name,
        Ty::Num {
            min: 0.0,
            max: 1e15,
            above_min: false,
        },
    )
}
/// A list of short strings (ids, names).
pub const fn strings(name: &'static str) -> Field {
    Field::new(
        name,
        Ty::List {
            item: &Ty::Str { min: 0, max: 250 },
            max: 1000,
            unique_by: None,
        },
    )
}
