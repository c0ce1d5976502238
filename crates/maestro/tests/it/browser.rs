//! The browser walk-through: runs `node tests/browser/day.mjs <base-url>` (playwright-core
//! driving headless Chromium) against a real Maestro. Without Chromium or the npm packages the
//! test says it skipped, unless `MAESTRO_TEST_REQUIRE_BROWSER=1` (CI), which makes that a failure.

use std::path::{Path, PathBuf};

use crate::harness::TestApp;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("workspace root")
        .to_path_buf()
}

fn required() -> bool {
    std::env::var("MAESTRO_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1" || v == "true")
}

/// Why the browser test cannot run here, if it cannot.
fn missing(dir: &Path) -> Option<String> {
    let chromium = std::env::var("MAESTRO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "{chromium} is not installed (apt-get install chromium)"
        ));
    }
    if !dir.join("node_modules/playwright-core").exists() {
        return Some(format!(
            "{}/node_modules is missing (npm ci)",
            dir.display()
        ));
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("node is not installed".into());
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_users_day_in_chromium() {
    let dir = workspace_root().join("tests/browser");
    if let Some(why) = missing(&dir) {
        assert!(
            !required(),
            "the browser test is required (MAESTRO_TEST_REQUIRE_BROWSER=1) but {why}"
        );
        eprintln!("skipping the browser test: {why}");
        return;
    }
    let app = TestApp::sqlite().await;
    let run = tokio::process::Command::new("node")
        .arg("day.mjs")
        .arg(&app.base)
        .current_dir(&dir)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(300), run)
        .await
        .expect("the browser walk-through finishes within 5 minutes")
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the browser walk-through failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all steps passed"), "{stdout}");
}
