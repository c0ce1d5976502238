//! Database administration for tools (benchmarks): creating and dropping a PostgreSQL database.

use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// A connection to a PostgreSQL server's maintenance database.
pub struct PgAdmin {
    conn: tokio::sync::Mutex<PgConnection>,
}

fn checked(name: &str) -> Result<&str, String> {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(name)
    } else {
        Err(format!("invalid database name {name:?}"))
    }
}

impl PgAdmin {
    pub async fn connect(url: &str) -> Result<Self, String> {
        let conn = PgConnection::connect(url)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self {
            conn: tokio::sync::Mutex::new(conn),
        })
    }

    pub async fn create_database(&self, name: &str) -> Result<(), String> {
        let name = checked(name)?;
        let mut c = self.conn.lock().await;
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut *c)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    pub async fn drop_database(&self, name: &str) -> Result<(), String> {
        let name = checked(name)?;
        let mut c = self.conn.lock().await;
        sqlx::query(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut *c)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
    }
}
