//! What a sync job did, for the job page: the connection it synced and a row per task (state,
//! message, counts, duration) read from the job's result, instead of the result's JSON.

use serde_json::Value;

use super::tasks::counts_text;
use super::{duration, state_badge};

/// One task of a finished sync.
pub struct SyncTask {
    pub task: String,
    pub state_label: &'static str,
    pub class: &'static str,
    pub message: String,
    pub counts: String,
    pub duration: String,
}

/// A discovery job as its page shows it.
pub struct SyncOutcome {
    /// The connection's page.
    pub connection: Option<String>,
    /// Empty until the sync has a result (still running, or failed: the error says why).
    pub tasks: Vec<SyncTask>,
}

/// The outcome of `job` when it is a discovery sync.
pub fn of_job(job: &Value) -> Option<SyncOutcome> {
    if job["module"] != "discovery" {
        return None;
    }
    let connection = job["params"]["connection"]
        .as_str()
        .map(|id| format!("/connections/{id}"));
    let tasks = job["result"]["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let state = t["state"].as_str().unwrap_or("never");
            let (state_label, class) = state_badge(state);
            SyncTask {
                task: t["task"].as_str().unwrap_or_default().to_owned(),
                state_label,
                class,
                message: t["message"].as_str().unwrap_or_default().to_owned(),
                counts: counts_text(&t["counts"]),
                duration: duration(t["duration_ms"].as_i64()),
            }
        })
        .collect();
    Some(SyncOutcome { connection, tasks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_sync_job_reads_as_its_tasks() {
        let job = json!({
            "module": "discovery",
            "params": {"connection": "c1", "task": null},
            "result": {"run": "r", "tasks": [
                {"task": "server-list", "state": "success", "message": "3 resources",
                 "counts": {"observed": 3, "created": 1}, "duration_ms": 1500},
                {"task": "cdns-list", "state": "warning", "message": "Empty result",
                 "counts": {"observed": 0}, "duration_ms": 20}
            ]}
        });
        let outcome = of_job(&job).expect("a discovery job");
        assert_eq!(outcome.connection.as_deref(), Some("/connections/c1"));
        let rows: Vec<_> = outcome
            .tasks
            .iter()
            .map(|t| {
                (
                    t.task.as_str(),
                    t.state_label,
                    t.counts.as_str(),
                    t.duration.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("server-list", "Success", "3 seen · 1 new", "1.5 s"),
                ("cdns-list", "Warning", "0 seen", "20 ms")
            ]
        );
        assert!(of_job(&json!({"module": "webhook", "result": {}})).is_none());
    }
}
