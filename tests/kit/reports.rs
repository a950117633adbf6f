//! Reports of a failing run: JUnit a parser reads with one failing testcase per failing vector, a
//! JSON report, an HTML report a browser renders with the summary, exit code 1, and no secret in
//! any of them.

use crate::support::{BIN, Served};
use collections_conformance::server::Seed;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct FailingRun {
    dir: tempfile::TempDir,
    output: Output,
}

impl FailingRun {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

/// Two passing vectors, two with a wrong expectation (one MUST, one SHOULD), one ignored.
fn failing_run(extra: &[&str]) -> FailingRun {
    failing_run_with(extra, true)
}

/// [`failing_run`], with or without the `requirement::` coverage trials.
fn failing_run_with(extra: &[&str], skip_coverage: bool) -> FailingRun {
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("vectors");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors");
    std::fs::create_dir_all(vectors.join("remove/envelope")).unwrap();
    for file in [
        "remove/envelope/success.json",
        "remove/envelope/not-found.json",
    ] {
        std::fs::copy(repo.join(file), vectors.join(file)).unwrap();
    }
    let mut wrong: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.join("remove/envelope/success.json")).unwrap(),
    )
    .unwrap();
    wrong["steps"][0]["expect"]["status"] = 202.into();
    std::fs::write(vectors.join("remove/wrong-must.json"), wrong.to_string()).unwrap();
    wrong["level"] = "should".into();
    std::fs::write(vectors.join("remove/wrong-should.json"), wrong.to_string()).unwrap();
    let mut ignored = wrong.clone();
    ignored["steps"][0]["request"]["auth"] = "bearer".into();
    ignored["level"] = "must".into();
    std::fs::write(
        vectors.join("remove/needs-bearer.json"),
        ignored.to_string(),
    )
    .unwrap();

    let server = Served::start();
    let output = Command::new(BIN)
        .envs(server.env(60))
        .env_remove("CONFORMANCE_BEARER_TOKEN")
        .arg("run")
        .arg("--vectors")
        .arg(&vectors)
        .arg("--junit")
        .arg(dir.path().join("out/junit.xml"))
        .arg("--report-json")
        .arg(dir.path().join("out/report.json"))
        .arg("--report-html")
        .arg(dir.path().join("out/report.html"))
        .arg("--allow-incomplete")
        .args(extra)
        .args(if skip_coverage {
            &["--skip", "requirement::"][..]
        } else {
            &[]
        })
        .output()
        .unwrap();
    FailingRun { dir, output }
}

fn secrets() -> Vec<String> {
    let seed = Seed::default();
    let mut secrets = vec![
        seed.app.consumer_secret.clone(),
        seed.app.bearer_token.clone(),
    ];
    secrets.extend(seed.users.iter().map(|u| u.access_token_secret.clone()));
    secrets
}

#[test]
fn junit_json_and_html_report_one_failure_per_failing_vector_and_no_secret() {
    let run = failing_run(&[]);
    let stdout = String::from_utf8_lossy(&run.output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&run.output.stderr).to_string();
    assert_eq!(run.output.status.code(), Some(1), "{stdout}{stderr}");

    let junit = run.read("out/junit.xml");
    let document = roxmltree::Document::parse(&junit).expect("JUnit parses as XML");
    let cases: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 5, "{junit}");
    let failing: Vec<&str> = cases
        .iter()
        .filter(|c| {
            c.children()
                .any(|n| n.has_tag_name("failure") || n.has_tag_name("error"))
        })
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failing, ["remove::wrong_must"], "{junit}");
    let skipped: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    // Not judged, and a SHOULD not met under the default profile: both visible, neither a pass.
    assert_eq!(
        skipped,
        ["remove::needs_bearer", "remove::wrong_should"],
        "{junit}"
    );
    assert!(junit.contains("not judged: needs the app"), "{junit}");
    assert!(
        junit.contains("SHOULD not met (tolerated by the Default profile; --strict fails on it)"),
        "{junit}"
    );
    assert!(
        junit.contains("status: expected 202, actual 200"),
        "{junit}"
    );
    assert!(
        junit.contains(r#"<property name="verdict" value="not_met"/>"#),
        "{junit}"
    );

    let json: serde_json::Value = serde_json::from_str(&run.read("out/report.json")).unwrap();
    let verdicts: Vec<(String, String)> = json["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        verdicts.contains(&("remove::wrong_must".into(), "failed".into())),
        "{verdicts:?}"
    );
    assert!(
        verdicts.contains(&("remove::wrong_should".into(), "not_met".into())),
        "{verdicts:?}"
    );
    assert!(
        verdicts.contains(&("remove::envelope::success".into(), "passed".into())),
        "{verdicts:?}"
    );
    assert!(json["vectors"][0]["steps"].is_array());

    let html = run.read("out/report.html");
    let line = "MUST 3/4 judged, 2 passed · 1 not judged (1 configuration missing) · SHOULD 1/1 judged, 0 passed";
    assert!(html.contains(line), "{html}");
    assert!(stdout.contains(line), "{stdout}");
    assert_eq!(json["summary"]["levels"]["must"]["not_judged"], 1, "{json}");
    assert_eq!(json["summary"]["complete"], false, "{json}");
    assert!(
        stdout.contains("not met, not failing this profile: remove::wrong_should (SHOULD)"),
        "{stdout}"
    );

    for (name, text) in [
        ("stdout", &stdout),
        ("stderr", &stderr),
        ("junit", &junit),
        ("html", &html),
        ("json", &run.read("out/report.json")),
    ] {
        for secret in secrets() {
            assert!(!text.contains(&secret), "{name} holds a secret");
        }
        assert!(
            !text.contains("oauth_signature=\"")
                || text.matches("oauth_signature=\"").count()
                    == text.matches("oauth_signature=\"$OAUTH_SIGNATURE").count()
                        + text.matches("oauth_signature=\\\"$OAUTH_SIGNATURE").count(),
            "{name} holds a signature"
        );
    }
}

#[test]
fn strict_profile_fails_the_should_vector_too() {
    let run = failing_run(&["--strict"]);
    assert_eq!(run.output.status.code(), Some(1));
    let junit = run.read("out/junit.xml");
    let document = roxmltree::Document::parse(&junit).unwrap();
    let failing = document
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failing, 2, "{junit}");
}

#[test]
fn requirements_no_vector_covers_fail_in_junit_as_in_the_trials() {
    let run = failing_run_with(&[], false);
    assert_eq!(run.output.status.code(), Some(1));
    let junit = run.read("out/junit.xml");
    let document = roxmltree::Document::parse(&junit).unwrap();
    let requirement_cases: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.attribute("classname") == Some("requirements"))
        .collect();
    assert!(requirement_cases.len() > 40, "{junit}");
    let covered = |name: &str| {
        requirement_cases
            .iter()
            .find(|c| c.attribute("name") == Some(name))
            .map(|c| !c.children().any(|n| n.has_tag_name("failure")))
    };
    assert_eq!(
        covered("requirement::remove.success.envelope"),
        Some(true),
        "{junit}"
    );
    assert_eq!(
        covered("requirement::ratelimit.exhausted"),
        Some(false),
        "{junit}"
    );
}

/// Renders the HTML report in headless Chromium: the rendered page shows the summary, and a
/// screenshot is taken. Skipped with a note when Chromium is not installed, unless
/// `CONFORMANCE_REQUIRE_BROWSER=1` (CI sets it and installs Debian's `chromium`).
#[test]
fn the_html_report_renders_in_headless_chromium() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(chromium) = chromium else {
        assert!(
            std::env::var("CONFORMANCE_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "Chromium is required (CONFORMANCE_REQUIRE_BROWSER=1) but not installed: apt-get install chromium"
        );
        eprintln!(
            "note: Chromium not installed; HTML rendering not checked (apt-get install chromium)"
        );
        return;
    };
    let run = failing_run(&[]);
    let page = format!("file://{}", run.path("out/report.html").display());
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
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&page)
            .output()
            .unwrap()
    };
    let dom = browser(&["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("id=\"summary\""), "{dom}");
    assert!(
        dom.contains("MUST 3/4 judged, 2 passed · 1 not judged (1 configuration missing) · SHOULD 1/1 judged, 0 passed"),
        "{dom}"
    );
    let screenshot = run.path("out/report.png");
    let shot = browser(&[&format!("--screenshot={}", screenshot.display())]);
    let size = std::fs::metadata(&screenshot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "screenshot {size} bytes: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    if let Ok(keep) = std::env::var("CONFORMANCE_KEEP_SCREENSHOT") {
        std::fs::copy(&screenshot, keep).unwrap();
    }
}
