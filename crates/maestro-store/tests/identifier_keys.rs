//! Identifier keys of a database written before they existed (or after an identifier field
//! changed) are rebuilt from the documents at start, and answer duplicates from then on.

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
        .bind(json!({"hostname": host, "ipv4_private": ""}).to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let dups = || db.duplicate_values(&Access::All, Kind::Server, "hostname", 20);
    assert!(dups().await.unwrap().is_empty(), "nothing indexed yet");

    sqlx::query("DELETE FROM meta WHERE key = 'entity_keys.fields'")
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

    // A second start finds the keys current and leaves them alone.
    db.migrate().await.unwrap();
    assert_eq!(dups().await.unwrap().len(), 2);
}
