//! Schema-driven forms: the tabs of a kind ([`layout`]), the widget tree built from the schema
//! registry and a document ([`build`]), its HTML ([`render`]) and the way a submitted form
//! becomes a JSON document again ([`decode`]). Input names are the paths the core reports
//! errors with (`storage[0].size`, `os.base`), so errors land next to their field.

pub mod build;
pub mod choices;
pub mod decode;
pub mod render;

use maestro_model::schema::{Collection, Field, Ty};

pub use build::build;
pub use choices::Choices;

use crate::hints;

/// A whole form: tabs of fields, the datalists they use, and an error summary.
#[derive(Debug, Default)]
pub struct FormView {
    pub tabs: Vec<TabView>,
    pub datalists: Vec<DataList>,
    pub errors: Vec<ErrorLink>,
}

#[derive(Debug)]
pub struct TabView {
    pub id: String,
    pub label: String,
    pub fields: Vec<FieldView>,
    pub has_error: bool,
}

#[derive(Debug)]
pub struct DataList {
    pub id: String,
    pub values: Vec<String>,
}

/// An error with a link to its field.
#[derive(Debug, Clone)]
pub struct ErrorLink {
    pub target: String,
    pub label: String,
    pub message: String,
}

/// One field: its input name (the document path), label, help, error and control.
#[derive(Debug, Clone)]
pub struct FieldView {
    pub name: String,
    pub id: String,
    pub label: String,
    pub help: &'static str,
    pub required: bool,
    pub error: Option<String>,
    /// Shown only for this database engine (`oracle`).
    pub engine: Option<&'static str>,
    pub hidden: bool,
    pub control: Control,
}

#[derive(Debug, Clone)]
pub enum Control {
    Text(TextInput),
    Area {
        value: String,
        max: usize,
    },
    Select {
        options: Vec<String>,
        value: String,
        empty: bool,
    },
    /// A checkbox; `set` tells whether the document had the field (unchecked then sends false).
    Check {
        checked: bool,
        set: bool,
    },
    Multi {
        options: Vec<(String, bool)>,
    },
    Group {
        fields: Vec<FieldView>,
    },
    Rows(Rows),
    Refs(Refs),
}

#[derive(Debug, Clone, Default)]
pub struct TextInput {
    /// The `type` attribute.
    pub kind: &'static str,
    pub value: String,
    pub list: Option<String>,
    /// Engine-specific datalists: `oracle:dl-a mysql:dl-b *:dl-c`.
    pub engine_lists: String,
    pub max: Option<usize>,
    pub step: Option<&'static str>,
    pub inputmode: Option<&'static str>,
    /// Checks for duplicates on change (URL of the check).
    pub duplicate_check: Option<String>,
    /// The input naming a database engine (switches engine-specific parts).
    pub engine_source: bool,
}

/// Repeated rows (lists of objects or values, free-form key/value pairs).
#[derive(Debug, Clone)]
pub struct Rows {
    pub rows: Vec<Row>,
    pub template: Box<Row>,
    /// What one row is, for buttons ("Add storage").
    pub noun: String,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub index: String,
    pub fields: Vec<FieldView>,
    /// Less used fields, under "More".
    pub more: Vec<FieldView>,
    /// The original item as JSON, so fields the form does not show survive an edit.
    pub orig: Option<String>,
    pub orig_name: String,
    pub error: Option<String>,
}

/// A reference widget: chosen entities, and a search to add more.
#[derive(Debug, Clone)]
pub struct Refs {
    pub items: Vec<RefItem>,
    pub template: Box<RefItem>,
    pub many: bool,
    /// The target kind (search URL segment).
    pub target: &'static str,
    pub by: &'static [(&'static str, &'static str)],
}

#[derive(Debug, Clone)]
pub struct RefItem {
    pub index: String,
    pub id_field: String,
    pub name_field: String,
    pub id: String,
    pub name: String,
    pub href: String,
    pub attrs: Vec<FieldView>,
}

/// Whether a field has a widget in forms (raw provider data does not).
pub fn editable(f: &Field) -> bool {
    !matches!(f.ty, Ty::Any)
}

/// Whether a field is simple enough to sit in "General".
pub fn simple(f: &Field) -> bool {
    matches!(
        f.ty,
        Ty::Str { .. }
            | Ty::Ip
            | Ty::Email
            | Ty::Url
            | Ty::DateTime
            | Ty::Int { .. }
            | Ty::Num { .. }
            | Ty::Bool
            | Ty::Enum(_)
            | Ty::Scalar
    )
}

/// Whether `f` belongs on the pages of `coll` for an entity of `family`.
pub fn shown(coll: Collection, family: Option<&str>, f: &Field) -> bool {
    if !f.allowed_for(family) {
        return false;
    }
    if f.name == "family" && coll.kind() == maestro_model::schema::Kind::Application {
        return coll == Collection::Resources;
    }
    true
}

/// The tabs of `coll` with their fields: the hints' tabs, simple leftovers in the first tab,
/// other leftovers in a "More" tab (in tabs of their own for kinds without hints). `raw` adds fields without widgets (detail pages).
pub fn layout(
    coll: Collection,
    family: Option<&str>,
    raw: bool,
) -> Vec<(String, Vec<&'static Field>)> {
    let schema = coll.kind().schema();
    let ok = |f: &Field| shown(coll, family, f) && (raw || editable(f));
    let mut tabs: Vec<(String, Vec<&'static Field>)> = Vec::new();
    let mut placed: Vec<&str> = Vec::new();
    for t in hints::tabs(coll) {
        let fields: Vec<&'static Field> = t
            .fields
            .iter()
            .filter_map(|n| schema.field(n))
            .filter(|f| ok(f))
            .collect();
        placed.extend(t.fields.iter().copied());
        if !fields.is_empty() {
            tabs.push((t.label.to_owned(), fields));
        }
    }
    if tabs.is_empty() {
        tabs.push(("General".to_owned(), Vec::new()));
    }
    let mut more = Vec::new();
    let mut raw_fields = Vec::new();
    for f in schema
        .fields
        .iter()
        .filter(|f| !placed.contains(&f.name) && ok(f))
    {
        if !editable(f) {
            raw_fields.push(f);
        } else if simple(f) {
            tabs[0].1.push(f);
        } else if hints::tabs(coll).len() > 1 {
            more.push(f);
        } else {
            tabs.push((hints::label(f.name), vec![f]));
        }
    }
    if !more.is_empty() {
        tabs.push(("More".to_owned(), more));
    }
    if !raw_fields.is_empty() {
        tabs.push(("Details".to_owned(), raw_fields));
    }
    tabs
}

/// The DOM id of a tab panel (`Storage` → `tab-storage`).
pub fn tab_id(label: &str) -> String {
    format!("tab-{}", &dom_id(&label.to_lowercase())[2..])
}

/// A DOM id for a path (`storage[0].size` → `f-storage-0-size`).
pub fn dom_id(path: &str) -> String {
    let mut id = String::from("f-");
    let mut dash = false;
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
            dash = false;
        } else if !dash {
            id.push('-');
            dash = true;
        }
    }
    id.trim_end_matches('-').to_owned()
}
