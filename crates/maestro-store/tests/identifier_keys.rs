//! Identifier counts of a database written before they existed (or after an identifier field
//! changed) are taken again from the documents at start, and answer duplicates from then on.

use maestro_core::Access;
use maestro_core::ports::Store;
use maestro_model::schema::Kind;
use maestro_store::Db;
use serde_json::json;
use sqlx::Connection;

#[tokio::test]
async fn keys_are_rebuilt_from_documents_when_stale() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let db = Db::connect(&url, 1).await.unwrap();
    db.migrate().await.unwrap();
    // Rows written behind the store's back, as an older version would have left them: five
    // servers on two hostnames and one inactive server sharing the first.
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for (i, (host, active)) in [
        ("a.prod", true),
        ("a.prod", true),
        ("a.prod", false),
        ("b.prod", true),
        ("b.prod", true),
        ("c.prod", true),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query(
            "INSERT INTO entities (id, kind, family, name, active, owner_kind, owner_id, revision, \
             created_at, updated_at, search, data) \
             VALUES (?, 'server', NULL, ?, ?, 'user', '00000000-0000-7000-8000-000000000000', 1, 0, 0, '', jsonb(?))",
        )
        .bind(format!("00000000-0000-7000-8000-{i:012}"))
        .bind(format!("s{i}"))
        .bind(active)
        // Provider ids as numbers (a person may type one): held as their text.
        .bind(json!({"hostname": host, "ipv4_private": "", "unique_id": 42}).to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let dups = || db.duplicate_values(&Access::All, Kind::Server, "hostname", 20);
    assert!(dups().await.unwrap().is_empty(), "nothing indexed yet");

    sqlx::query("DELETE FROM meta WHERE key = 'key_counts.fields'")
        .execute(&mut conn)
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let found: Vec<(String, u64)> = dups()
        .await
        .unwrap()
        .into_iter()
        .map(|(v, n)| (v.as_str().unwrap().to_owned(), n))
        .collect();
    assert_eq!(found, vec![("a.prod".into(), 2), ("b.prod".into(), 2)]);
    let ips = db
        .duplicate_values(&Access::All, Kind::Server, "ipv4_private", 20)
        .await
        .unwrap();
    assert!(ips.is_empty(), "empty values are not identifiers: {ips:?}");
    let ids = db
        .duplicate_values(&Access::All, Kind::Server, "unique_id", 20)
        .await
        .unwrap();
    assert_eq!(
        ids,
        vec![(json!("42"), 5)],
        "numbers are counted and found as their text"
    );
    let holders = db
        .find_equal(
            &Access::All,
            Kind::Server,
            &[("unique_id", &json!(42))],
            None,
        )
        .await
        .unwrap();
    assert_eq!(holders.len(), 5);
    let holders = db
        .find_any(&Access::All, Kind::Server, "unique_id", &["42".to_owned()])
        .await
        .unwrap();
    assert_eq!(holders.len(), 5);
    assert!(holders.iter().all(|(v, _)| v == "42"));

    // A second start finds the keys current and leaves them alone.
    db.migrate().await.unwrap();
    assert_eq!(dups().await.unwrap().len(), 2);
}
