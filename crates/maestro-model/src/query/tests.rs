use super::*;
use crate::schema::Kind;

fn pairs(s: &[(&str, &str)]) -> Vec<(String, String)> {
    s.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

fn parse(s: &[(&str, &str)]) -> Result<ListQuery, Vec<FieldError>> {
    ListQuery::parse(Kind::Server.schema(), &pairs(s))
}

#[test]
fn typed_filters_on_dotted_paths() {
    let q = parse(&[
        ("environment", "Production"),
        ("os.base", "Linux"),
        ("cpu[gte]", "4"),
        ("tags.key", "team"),
    ])
    .unwrap();
    assert_eq!(q.filters.len(), 4);
    let cpu = q.filters.iter().find(|f| f.op == Op::Gte).unwrap();
    assert_eq!(cpu.values, vec![Scalar::Num(4.0)]);
    assert_eq!(
        cpu.target,
        Target::Json {
            path: vec!["cpu".into()],
            array: None,
            numeric: true
        }
    );
    let tags = q
        .filters
        .iter()
        .find(|f| matches!(&f.target, Target::Json { array: Some(_), .. }))
        .unwrap();
    assert_eq!(
        tags.target,
        Target::Json {
            path: vec!["tags".into()],
            array: Some(vec!["key".into()]),
            numeric: false
        }
    );
}

#[test]
fn repeated_equality_becomes_in() {
    let q = parse(&[("environment", "Production"), ("environment", "Staging")]).unwrap();
    assert_eq!(q.filters.len(), 1);
    assert_eq!(q.filters[0].op, Op::In);
    assert_eq!(q.filters[0].values.len(), 2);
}

#[test]
fn bad_input_is_reported_per_parameter() {
    let errs = parse(&[
        ("limit", "0"),
        ("page", "-1"),
        ("colour", "red"),
        ("cpu[gte]", "four"),
        ("cpu[between]", "1"),
        ("sort", "storage"),
        ("applications.id", "x"),
        ("active", "maybe"),
    ])
    .unwrap_err();
    let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "limit",
            "page",
            "colour",
            "cpu[gte]",
            "cpu[between]",
            "sort",
            "applications.id",
            "active"
        ]
    );
}

#[test]
fn limit_is_clamped_and_sort_parsed() {
    let q = parse(&[("limit", "100000"), ("sort", "-cpu,name")]).unwrap();
    assert_eq!(q.page.limit, MAX_LIMIT);
    assert_eq!(q.sort.len(), 2);
    assert!(q.sort[0].desc);
    assert_eq!(q.sort[1].target, Target::Column(Column::Name));
    // Integers beyond 64 bits are still integers above the maximum.
    let q = parse(&[("limit", "99999999999999999999999"), ("page", "+2")]).unwrap();
    assert_eq!((q.page.limit, q.page.page), (MAX_LIMIT, 2));
    for bad in ["", "+", "-0", "1e3", " 5", "0x10"] {
        assert!(parse(&[("limit", bad)]).is_err(), "{bad:?}");
    }
}

#[test]
fn reference_and_time_filters() {
    let id = EntityId::new();
    let q = parse(&[
        ("applications.id", &id.to_string()),
        ("updated_at[gte]", "2026-01-01T00:00:00Z"),
    ])
    .unwrap();
    assert!(q.filters.iter().any(|f| matches!(
        f.target,
        Target::Ref {
            rel: "hosted_on",
            inverse: true
        }
    )));
    assert!(
        q.filters
            .iter()
            .any(|f| matches!(f.values[0], Scalar::Time(_)))
    );
    let q = ListQuery::parse(
        Kind::Datacenter.schema(),
        &pairs(&[("regions", "us-east-1")]),
    )
    .unwrap();
    assert_eq!(
        q.filters[0].target,
        Target::Json {
            path: vec!["regions".into()],
            array: Some(vec![]),
            numeric: false
        }
    );
}

#[test]
fn free_text_terms_are_lowercased() {
    let q = parse(&[("q", "  Web  10.0.0.1 ")]).unwrap();
    assert_eq!(q.terms, vec!["web", "10.0.0.1"]);
}

#[test]
fn objects_only_test_for_presence() {
    for key in ["os", "storage", "tags", "datacenters"] {
        let e = parse(&[(key, "x")]).unwrap_err();
        assert_eq!(e[0].field, key);
        assert!(e[0].message.contains("[exists]"), "{}", e[0].message);
        assert!(
            parse(&[(&format!("{key}[exists]"), "false")]).is_ok(),
            "{key}"
        );
    }
    let q = parse(&[("storage[exists]", "true")]).unwrap();
    assert!(
        matches!(&q.filters[0].target, Target::Json { array: Some(inner), .. } if inner.is_empty())
    );
}
