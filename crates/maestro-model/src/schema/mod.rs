//! The schema registry: every inventory kind described once — its fields, types, limits, enums,
//! indexes and references. Validation, list filters, storage indexes, OpenAPI and the UI forms
//! all read these descriptions; nothing else hard-codes a field list.

mod application;
mod collection;
mod common;
mod infra;
mod kind;
mod network;
mod server;
mod ty;

pub use collection::{Collection, FamilyScope};
pub use common::{APPLICATION_FAMILIES, NETWORK_FAMILIES, RESOURCE_FAMILIES, SIZES};
pub use kind::{Kind, KindSchema};
pub use ty::{Field, RefSpec, Ty};

/// Every kind's schema, in menu order.
pub fn all() -> impl Iterator<Item = &'static KindSchema> {
    Kind::ALL.iter().map(|k| k.schema())
}

/// Finds a field by dotted path (`os.base`, `storage.size`, `datacenters.id`), walking into
/// objects and lists of objects. Returns the fields along the path.
pub fn resolve_path(fields: &'static [Field], path: &str) -> Option<Vec<&'static Field>> {
    let mut out = Vec::new();
    let mut current = fields;
    let mut segments = path.split('.').peekable();
    while let Some(seg) = segments.next() {
        let field = current.iter().find(|f| f.name == seg)?;
        out.push(field);
        if segments.peek().is_none() {
            return Some(out);
        }
        current = match field.ty.item() {
            Ty::Object { fields, .. } => fields,
            Ty::Ref(spec) => spec.attrs_with_id(),
            _ => return None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_required_name_and_unique_field_names() {
        for schema in all() {
            let name = schema.field("name").expect("name field");
            assert!(
                name.required,
                "{} name must be required",
                schema.kind.as_str()
            );
            let mut names: Vec<_> = schema.fields.iter().map(|f| f.name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(
                before,
                names.len(),
                "duplicate field in {}",
                schema.kind.as_str()
            );
        }
    }

    #[test]
    fn resolves_nested_paths() {
        let s = Kind::Server.schema();
        assert!(resolve_path(s.fields, "os.base").is_some());
        assert!(resolve_path(s.fields, "storage.size").is_some());
        assert!(resolve_path(s.fields, "datacenters.id").is_some());
        assert!(resolve_path(s.fields, "applications.id").is_some());
        assert!(resolve_path(s.fields, "os.nope").is_none());
    }

    #[test]
    fn there_are_26_application_families() {
        assert_eq!(APPLICATION_FAMILIES.len(), 26);
        assert_eq!(RESOURCE_FAMILIES.len(), 23);
    }
}
