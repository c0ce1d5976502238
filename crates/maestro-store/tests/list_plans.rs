//! SQLite list plans on a list large enough to be walked in index order: every page, across the
//! boundary between present and missing sort values, matches the order a plain sort gives.

use maestro_core::Access;
use maestro_core::ports::Store;
use maestro_model::query::ListQuery;
use maestro_model::schema::{FamilyScope, Kind};
use maestro_store::Db;
use sqlx::Connection;

const N: i64 = 6_000;

/// Servers with a hostname (missing on every 7th), a CPU count and an environment, written
/// straight into the table (the domain services are not what is measured here).
async fn load(path: &std::path::Path) -> Db {
    let url = format!("sqlite://{}", path.display());
    let db = Db::connect(&url, 1).await.unwrap();
    db.migrate().await.unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {N})
         INSERT INTO entities (id, kind, family, name, active, owner_kind, owner_id, revision,
                               created_at, updated_at, search, data)
         SELECT printf('00000000-0000-7000-8000-%012d', i), 'server', NULL, printf('s%05d', i),
                TRUE, 'user', '00000000-0000-7000-8000-000000000000', 1, i, (i * 37) % {N}, '',
                jsonb(CASE WHEN i % 7 = 0
                    THEN json_object('cpu', i % 16, 'environment', CASE i % 3 WHEN 0 THEN 'Production' ELSE 'Staging' END)
                    ELSE json_object('hostname', printf('h%05d', (i * 7919) % 1000), 'cpu', i % 16,
                                     'environment', CASE i % 3 WHEN 0 THEN 'Production' ELSE 'Staging' END)
                END)
         FROM n"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
    db
}

/// Row numbers (1..=N) of the whole list, read page by page.
async fn read_all(db: &Db, query: &str, limit: u32) -> Vec<i64> {
    let mut out = Vec::new();
    for page in 1.. {
        let q = format!("{query}&limit={limit}&page={page}");
        let pairs: Vec<(String, String)> = q
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let q = ListQuery::parse(Kind::Server.schema(), &pairs).unwrap();
        let (rows, total) = db
            .list_entities(&Access::All, Kind::Server, FamilyScope::None, &q)
            .await
            .unwrap();
        if rows.is_empty() {
            assert!(
                out.len() as u64 == total,
                "{query}: read {} of {total}",
                out.len()
            );
            return out;
        }
        out.extend(rows.iter().map(|r| {
            let id = r.id.to_string();
            id[id.len() - 12..].parse::<i64>().unwrap()
        }));
    }
    unreachable!()
}

fn hostname(i: i64) -> Option<i64> {
    (i % 7 != 0).then_some((i * 7919) % 1000)
}

fn production(i: i64) -> bool {
    i % 3 == 0
}

#[tokio::test]
async fn walked_pages_match_a_sort() {
    let dir = tempfile::tempdir().unwrap();
    let db = load(&dir.path().join("plans.db")).await;

    // Ascending: values in order (ties by insertion), then the servers without one.
    let mut expected: Vec<i64> = (1..=N).collect();
    expected.sort_by_key(|&i| (hostname(i).is_none(), hostname(i), i));
    assert_eq!(read_all(&db, "sort=hostname", 100).await, expected);
    // A page size that straddles the boundary between values and missing ones.
    assert_eq!(read_all(&db, "sort=hostname", 77).await, expected);

    // Descending: values in reverse order, still the missing ones last.
    let mut expected: Vec<i64> = (1..=N).collect();
    expected.sort_by_key(|&i| (hostname(i).is_none(), std::cmp::Reverse((hostname(i), i))));
    assert_eq!(read_all(&db, "sort=-hostname", 100).await, expected);

    // Filtered by a facet, sorted by an identifier (walked) and by a facet (inside its index).
    let mut expected: Vec<i64> = (1..=N).filter(|&i| production(i)).collect();
    expected.sort_by_key(|&i| (hostname(i).is_none(), hostname(i), i));
    assert_eq!(
        read_all(&db, "environment=Production&sort=hostname", 100).await,
        expected
    );
    let mut expected: Vec<i64> = (1..=N).filter(|&i| production(i)).collect();
    expected.sort_by_key(|&i| std::cmp::Reverse((i % 16, i)));
    assert_eq!(
        read_all(&db, "environment=Production&sort=-cpu", 100).await,
        expected
    );

    // A column order walked in its index.
    let mut expected: Vec<i64> = (1..=N).collect();
    expected.sort_by_key(|&i| std::cmp::Reverse(((i * 37) % N, i)));
    assert_eq!(read_all(&db, "sort=-updated_at", 500).await, expected);
}
