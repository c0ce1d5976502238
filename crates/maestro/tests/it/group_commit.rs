//! Concurrent writes share transactions (group commit) without sharing fates: every write lands
//! exactly once with its history, and a write that fails — a stale revision — fails alone.

use futures::future::join_all;
use maestro_core::Access;
use maestro_core::ports::{EntityWrite, StoreError, WriteBatch};
use maestro_model::EntityId;
use reqwest::StatusCode;
use serde_json::json;

use crate::backends;
use crate::harness::{TestApp, id};
use crate::support::{history, list, ops};

backends!(
    concurrent_creates_each_land_once_with_their_history,
    a_stale_write_fails_alone_among_concurrent_ones,
);

async fn concurrent_creates_each_land_once_with_their_history(app: &TestApp) {
    let u = app.user("Bulk").await;
    let t = &u.token;
    let answers = join_all((0..40).map(|i| {
        app.post(
            t,
            "/api/v1/servers",
            json!({"name": format!("g{i:02}"), "hostname": format!("g{i:02}.lan"), "cpu": i % 8 + 1}),
        )
    }))
    .await;
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
    }
    let listed = list(app, t, "/api/v1/servers?limit=100&sort=name").await;
    assert_eq!(listed["total"], 40);
    for (i, (_, body)) in answers.iter().enumerate() {
        assert_eq!(body["name"], format!("g{i:02}"));
        let h = history(app, t, "servers", &id(body)).await;
        assert_eq!(ops(&h), ["create"], "one entry for g{i:02}");
    }
}

async fn a_stale_write_fails_alone_among_concurrent_ones(app: &TestApp) {
    let u = app.user("Racer").await;
    let t = &u.token;
    let s = app
        .create(
            t,
            "servers",
            json!({"name": "base", "hostname": "base.lan"}),
        )
        .await;
    let store = app.core.store.clone();
    let base_id: EntityId = id(&s).parse().unwrap();
    let base = store.entity(&Access::All, base_id).await.unwrap().unwrap();

    // Two updates of one entity from the same revision (only one may win), a third from a
    // revision that never was, and new entities around them, all at once.
    let update = |name: &str, expected: i64| {
        let mut record = base.clone();
        record.name = name.into();
        record.data.insert("name".into(), json!(name));
        record.revision = expected + 1;
        WriteBatch {
            entities: vec![EntityWrite {
                record,
                expected_revision: Some(expected),
            }],
            ..Default::default()
        }
    };
    let create = |i: usize| {
        let mut record = base.clone();
        record.id = EntityId::new();
        record.name = format!("new{i}");
        record.data.insert("name".into(), json!(format!("new{i}")));
        record
            .data
            .insert("hostname".into(), json!(format!("new{i}.lan")));
        record.revision = 1;
        WriteBatch {
            entities: vec![EntityWrite {
                record,
                expected_revision: None,
            }],
            ..Default::default()
        }
    };
    let mut batches: Vec<WriteBatch> = (0..10).map(create).collect();
    batches.insert(3, update("first", base.revision));
    batches.insert(6, update("second", base.revision));
    batches.insert(9, update("never", base.revision + 40));
    let results: Vec<Result<(), StoreError>> = join_all(
        batches
            .into_iter()
            .map(|b| async { store.write(b).await.map(drop) }),
    )
    .await;

    let conflict = |r: &Result<(), StoreError>| matches!(r, Err(StoreError::Conflict(_)));
    assert!(conflict(&results[9]), "stale revision: {:?}", results[9]);
    assert_eq!(
        [conflict(&results[3]), conflict(&results[6])]
            .iter()
            .filter(|c| **c)
            .count(),
        1,
        "exactly one of two updates from one revision wins: {:?} {:?}",
        results[3],
        results[6]
    );
    for (i, r) in results.iter().enumerate() {
        if ![3, 6, 9].contains(&i) {
            assert!(r.is_ok(), "write {i}: {r:?}");
        }
    }
    let after = store.entity(&Access::All, base_id).await.unwrap().unwrap();
    assert_eq!(after.revision, base.revision + 1);
    assert!(["first", "second"].contains(&after.name.as_str()));
    let listed = list(app, t, "/api/v1/servers?limit=100").await;
    assert_eq!(listed["total"], 11, "the base and ten new servers");
}
