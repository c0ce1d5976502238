//! What Maestro's validation says about an observation: its fields checked against the schema
//! registry for its kind and family, its references against the kind's reference fields.

use maestro_discovery::Observation;
use maestro_model::schema::Ty;
use maestro_model::validate::validate;
use serde_json::Value;

/// Checks an observation as the core will store it; the errors name the bad fields.
pub fn check_observation(o: &Observation) -> Result<(), Vec<String>> {
    let schema = o.collection.kind().schema();
    let family = o.fields.get("family").and_then(Value::as_str);
    let mut errors = Vec::new();
    if !o.collection.family_scope().contains(family) {
        errors.push(format!(
            "family {family:?} is not shown in /{}",
            o.collection.segment()
        ));
    }
    if o.provider_id.is_empty() {
        errors.push("empty provider id".into());
    }
    if let Err(bad) = validate(schema, family, &o.fields) {
        errors.extend(
            bad.into_iter()
                .map(|e| format!("{}: {}", e.field, e.message)),
        );
    }
    for r in &o.refs {
        let ok = schema
            .field(&r.field)
            .is_some_and(|f| matches!(f.ty, Ty::Ref(_)) && f.allowed_for(family));
        if !ok {
            errors.push(format!("{} is not a reference field here", r.field));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
