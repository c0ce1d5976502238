//! Decoding forms: types, row order, checkboxes, references, merge-patch nulls on edit, and
//! fields the form did not show kept through `_orig`.

use maestro_model::schema::Collection;
use serde_json::{Value, json};

use super::decode;
use crate::session::FormData;

fn form(pairs: &[(&str, &str)]) -> FormData {
    FormData {
        pairs: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

fn create(coll: Collection, pairs: &[(&str, &str)]) -> Value {
    Value::Object(decode(coll, None, &form(pairs), None))
}

#[test]
fn numbers_checkboxes_and_rows_in_page_order() {
    let doc = create(
        Collection::Servers,
        &[
            ("name", " web-1 "),
            ("cpu", "4"),
            ("memory", "7.5"),
            ("os.base", "Linux"),
            ("os.dist", ""),
            ("storage[]", ""),
            ("storage[17].name", "/dev/b"),
            ("storage[17].lvm", ""),
            ("storage[17].lvm", "true"),
            ("storage[3].name", "/dev/a"),
            ("storage[3].size", "50"),
            ("storage[3].root", ""),
            ("storage[99].name", ""),
        ],
    );
    assert_eq!(
        doc,
        json!({
            "name": "web-1",
            "os": {"base": "Linux"},
            "cpu": 4,
            "memory": 7.5,
            "storage": [{"name": "/dev/b", "lvm": true}, {"name": "/dev/a", "size": 50}],
        })
    );
}

#[test]
fn text_that_is_not_a_number_goes_to_the_core_as_text() {
    let doc = create(Collection::Servers, &[("name", "x"), ("cpu", "lots")]);
    assert_eq!(doc["cpu"], "lots");
}

#[test]
fn references_lists_and_free_form_objects() {
    let dep = "01a21c50-4538-766e-8e9c-907f850a5521";
    let doc = create(
        Collection::Applications,
        &[
            ("name", "shop"),
            ("deps[]", ""),
            ("deps[5].id", dep),
            ("deps[5].name", "db"),
            ("deps[5].endpoint", "tcp/ip"),
            ("deps[6].id", ""),
            ("role[]", ""),
            ("role[0]._k", "endpoint"),
            ("role[0]._v", "/api"),
            ("role[1]._k", "port"),
            ("role[1]._v", ""),
            ("datacenters.id", dep),
        ],
    );
    assert_eq!(
        doc["deps"],
        json!([{"id": dep, "name": "db", "endpoint": "tcp/ip"}])
    );
    assert_eq!(doc["role"], json!({"endpoint": "/api"}));
    assert_eq!(doc["datacenters"], json!({"id": dep}));
    let svc = create(
        Collection::Services,
        &[
            ("name", "Valkey"),
            ("family[]", ""),
            ("family", "Cache"),
            ("family", "Database"),
        ],
    );
    assert_eq!(svc["family"], json!(["Cache", "Database"]));
}

#[test]
fn an_edit_is_a_merge_patch() {
    let original = json!({
        "name": "web-1",
        "os": {"base": "Linux", "dist": "Debian"},
        "storage": [{"name": "/dev/a", "vhd": {"uri": "x"}, "partitions": [1, 2]}],
        "tags": [{"key": "tier"}],
    });
    let original = original.as_object().unwrap();
    let patch = decode(
        Collection::Servers,
        None,
        &form(&[
            ("name", "web-1"),
            ("os.base", "Linux"),
            ("os.dist", ""),
            ("storage[]", ""),
            ("storage[0]._orig", &original["storage"][0].to_string()),
            ("storage[0].name", "/dev/a"),
            ("storage[0].size", "20"),
            ("tags[]", ""),
            ("auth[]", ""),
            ("cpu", ""),
        ]),
        Some(original),
    );
    let patch = Value::Object(patch);
    assert_eq!(
        patch["os"],
        json!({"base": "Linux", "dist": null}),
        "emptied → null"
    );
    assert_eq!(
        patch["storage"],
        json!([{"name": "/dev/a", "vhd": {"uri": "x"}, "partitions": [1, 2], "size": 20}]),
        "fields the form did not show survive"
    );
    assert_eq!(patch["tags"], json!([]), "an emptied list is sent");
    assert!(
        patch.get("auth").is_none(),
        "absent before and empty now: untouched"
    );
    assert!(patch.get("cpu").is_none());
}
