//! The cross-implementation matrix: two `serve` instances (one clean, one with a fault), each
//! described by the target file it wrote, compared in one run; the faulty column is red exactly
//! where the kill matrix says that fault is caught, the HTML renders in headless Chromium, and
//! the exit code is the worst target's.

use crate::support::{BIN, Served};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FAULT: &str = "hard-not-found";

fn command() -> Command {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("CONFORMANCE_")) {
        command.env_remove(name);
    }
    command
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn serve(dir: &Path, name: &str, options: &[&str]) -> (Served, PathBuf) {
    let path = dir.join(format!("{name}.toml"));
    let mut all = vec!["--write-target", path.to_str().unwrap()];
    all.extend_from_slice(options);
    (Served::start_with(&all), path)
}

fn run(targets: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut command = command();
    command.arg("run");
    for target in targets {
        command.arg("--target").arg(target);
    }
    command
        .arg("--matrix-html")
        .arg(out.join("matrix.html"))
        .arg("--matrix-json")
        .arg(out.join("matrix.json"))
        .args(["--quiet", "--skip", "requirement::"])
        .args(extra)
        .output()
        .unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Column name -> vector id -> verdict.
fn verdicts(matrix: &Value) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut by_column: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for row in matrix["rows"].as_array().unwrap() {
        for (column, cell) in row["cells"].as_object().unwrap() {
            by_column.entry(column.clone()).or_default().insert(
                row["id"].as_str().unwrap().to_string(),
                cell["verdict"].as_str().unwrap().to_string(),
            );
        }
    }
    by_column
}

fn ids_with(column: &BTreeMap<String, String>, verdict: &str) -> Vec<String> {
    column
        .iter()
        .filter(|(_, v)| *v == verdict)
        .map(|(id, _)| id.clone())
        .collect()
}

/// What the kill matrix says about the fault: the vectors that catch it at its level, and those
/// that fail below it; also renders the kill matrix in the matrix shape.
fn kill_matrix(out: &Path) -> (Vec<String>, Vec<String>, Value) {
    let output = command()
        .args(["mutants", "--fault", FAULT, "--format", "json"])
        .arg("--matrix-html")
        .arg(out.join("mutants.html"))
        .arg("--matrix-json")
        .arg(out.join("mutants.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let kill: Value = serde_json::from_slice(&output.stdout).unwrap();
    let row = &kill["faults"][0];
    let list = |key: &str| -> Vec<String> {
        let mut ids: Vec<String> = row[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    (
        list("killed_by"),
        list("also_failed"),
        read_json(&out.join("mutants.json")),
    )
}

#[test]
fn two_served_targets_one_matrix_red_exactly_where_the_fault_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (_clean, clean) = serve(dir.path(), "clean", &[]);
    let (_faulty, faulty) = serve(dir.path(), "faulty", &["--fault", FAULT]);
    let output = run(
        &[&clean, &faulty],
        &out,
        &["--report-json", out.join("report.json").to_str().unwrap()],
    );
    let printed = text(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the worst target failed:\n{printed}"
    );
    assert!(
        printed.contains("conformance: 2 targets: `clean` passed · `faulty` failed"),
        "{printed}"
    );

    let matrix = read_json(&out.join("matrix.json"));
    let columns: Vec<(&str, &str)> = matrix["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(columns, [("clean", "passed"), ("faulty", "failed")]);
    let by_column = verdicts(&matrix);
    let (clean_column, faulty_column) = (&by_column["clean"], &by_column["faulty"]);
    assert!(
        clean_column.len() > 80,
        "every vector is a row: {clean_column:?}"
    );
    let not_passed: Vec<_> = clean_column
        .iter()
        .filter(|(_, v)| *v != "passed")
        .collect();
    assert!(
        not_passed.is_empty(),
        "the clean column is all green: {not_passed:?}"
    );

    // Red exactly where the kill matrix says the fault is caught; yellow where it fails below
    // its level; green everywhere else.
    let (killed_by, also_failed, mutants) = kill_matrix(&out);
    assert!(!killed_by.is_empty());
    assert_eq!(ids_with(faulty_column, "failed"), killed_by, "red cells");
    assert_eq!(
        ids_with(faulty_column, "not_met"),
        also_failed,
        "yellow cells"
    );
    assert_eq!(
        ids_with(faulty_column, "passed").len(),
        faulty_column.len() - killed_by.len() - also_failed.len()
    );

    // Every red cell carries that exchange's failure text.
    for row in matrix["rows"].as_array().unwrap() {
        let cell = &row["cells"]["faulty"];
        if cell["verdict"] == "failed" {
            let message = cell["message"].as_str().unwrap_or_default();
            let id = row["id"].as_str().unwrap();
            assert!(
                message.starts_with(&format!("{id}: "))
                    && (message.contains("step ") || message.contains("reproducing sequence")),
                "{id}: {message}"
            );
            assert!(
                message.contains("144"),
                "the fault's answer is quoted: {message}"
            );
        }
    }

    // The summaries count what the run's own summary lines say.
    for column in matrix["columns"].as_array().unwrap() {
        let must = &column["summary"]["must"];
        let line = format!(
            "MUST {}/{} judged, {} passed",
            must["judged"], must["total"], must["passed"]
        );
        assert!(printed.contains(&line), "{line} not in:\n{printed}");
    }
    assert_eq!(
        matrix["columns"][1]["summary"]["must"]["passed"]
            .as_u64()
            .unwrap() as usize,
        matrix["columns"][1]["summary"]["must"]["total"]
            .as_u64()
            .unwrap() as usize
            - killed_by.len()
    );
    assert!(out.join("report.clean.json").exists() && out.join("report.faulty.json").exists());

    // The kill matrix in the same shape: the fault's column is red where it is caught.
    let mutants_columns = verdicts(&mutants);
    let fault_column = &mutants_columns[&format!("fault:{FAULT}")];
    assert_eq!(ids_with(fault_column, "failed"), killed_by);
    assert_eq!(ids_with(fault_column, "not_met"), also_failed);
    assert!(mutants_columns["clean"].values().all(|v| v == "passed"));

    // The page: one red cell per failed vector of the faulty column, each linking to its text.
    let html = std::fs::read_to_string(out.join("matrix.html")).unwrap();
    assert_eq!(
        html.matches("<td class=\"v-failed\"").count(),
        killed_by.len(),
        "red cells in the page"
    );
    for (r, _) in html.match_indices("<td class=\"v-failed\"") {
        let link = &html[r..];
        let target = &link[link.find("href=\"#").unwrap() + 7..];
        let target = &target[..target.find('"').unwrap()];
        assert!(
            html.contains(&format!("id=\"{target}\"")),
            "cell links to #{target}, which is not on the page"
        );
    }
    let mutants_html = std::fs::read_to_string(out.join("mutants.html")).unwrap();
    assert!(mutants_html.contains(&format!("fault:{FAULT}")));
    render_in_chromium(&out.join("matrix.html"), &["faulty", "Implementations"]);
}

/// A target that never answers makes the run unusable (exit 2) but the matrix is still written,
/// its column saying why; a hostile name is escaped in the page.
#[test]
fn an_unusable_target_is_the_worst_and_names_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (_clean, clean) = serve(dir.path(), "clean", &[]);
    let hostile = "<img src=x onerror=alert(1)>\"'&";
    let down = dir.path().join("down.toml");
    let written = std::fs::read_to_string(&clean).unwrap();
    let base = written
        .lines()
        .find(|l| l.starts_with("base_url"))
        .unwrap()
        .to_string();
    std::fs::write(
        &down,
        format!(
            "name = {}\n{}",
            toml_string(hostile),
            written.replace(
                &base,
                &format!("base_url = \"{}\"", crate::target_files::closed_port_url())
            )
        ),
    )
    .unwrap();
    let output = run(&[&clean, &down], &out, &[]);
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(2), "{printed}");
    assert!(printed.contains("is up and answering"), "{printed}");

    let matrix = read_json(&out.join("matrix.json"));
    assert_eq!(matrix["columns"][0]["outcome"], "passed");
    assert_eq!(matrix["columns"][1]["name"], hostile);
    assert_eq!(matrix["columns"][1]["outcome"], "unusable");
    assert!(
        matrix["columns"][1]["note"]
            .as_str()
            .unwrap()
            .contains("is up and answering")
    );
    let html = std::fs::read_to_string(out.join("matrix.html")).unwrap();
    assert!(
        !html.contains("<img"),
        "a target's name is escaped in the page"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"));
}

#[test]
fn settings_that_name_one_target_are_refused_with_several() {
    let dir = tempfile::tempdir().unwrap();
    let (_clean, clean) = serve(dir.path(), "clean", &[]);
    let copy = dir.path().join("copy.toml");
    std::fs::copy(&clean, &copy).unwrap();
    let output = command()
        .arg("run")
        .arg("--target")
        .arg(dir.path())
        .args(["--base-url", "http://127.0.0.1:1", "--quiet"])
        .output()
        .unwrap();
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(2), "{printed}");
    assert!(
        printed.contains("CONFORMANCE_BASE_URL given by flag or environment variable, but --target names 2 targets"),
        "{printed}"
    );
}

fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders a page in headless Chromium (DOM and screenshot), as `reports.rs` does for the HTML
/// report; skipped with a note without Chromium unless `CONFORMANCE_REQUIRE_BROWSER=1`.
fn render_in_chromium(page: &Path, expected: &[&str]) {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(chromium) = chromium else {
        assert!(
            std::env::var("CONFORMANCE_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "Chromium is required (CONFORMANCE_REQUIRE_BROWSER=1) but not installed: apt-get install chromium"
        );
        eprintln!("note: Chromium not installed; matrix rendering not checked");
        return;
    };
    let url = format!("file://{}", page.display());
    let profile = tempfile::tempdir().unwrap();
    let browser = |extra: &[&str]| {
        Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1280,2400",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    let dom = browser(&["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("id=\"matrix\""), "{dom}");
    for needle in expected {
        assert!(dom.contains(needle), "{needle} not rendered");
    }
    let screenshot = page.with_extension("png");
    let shot = browser(&[&format!("--screenshot={}", screenshot.display())]);
    let size = std::fs::metadata(&screenshot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "screenshot {size} bytes: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    if let Ok(keep) = std::env::var("CONFORMANCE_KEEP_MATRIX_SCREENSHOT") {
        std::fs::copy(&screenshot, keep).unwrap();
    }
}
