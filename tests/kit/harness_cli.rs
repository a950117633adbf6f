//! The harness as a user meets it: the `collections-conformance` binary on vector folders of the
//! test's own making, against the embedded server or a separately started one.

use crate::support::{BIN, Served};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary vectors folder holding copies of the named vectors of the kit.
fn vectors_with(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in files {
        copy_vector(dir.path(), file, file);
    }
    dir
}

fn copy_vector(dir: &Path, from: &str, to: &str) {
    let target = dir.join(to);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(repo().join("vectors").join(from), target).unwrap();
}

fn run(vectors: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .arg("run")
        .arg("--vectors")
        .arg(vectors)
        .args(extra)
        .env_remove("CONFORMANCE_BASE_URL")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The trial line of `id` (libtest pads names, so lines are matched by id and verdict).
fn trial_line<'a>(out: &'a str, id: &str) -> &'a str {
    out.lines()
        .find(|line| line.starts_with("test ") && line.split_whitespace().any(|w| w == id))
        .unwrap_or_else(|| panic!("no trial line for {id} in:\n{out}"))
}

fn listed_vectors(vectors: &Path) -> Vec<String> {
    let output = run(vectors, &["--list"]);
    assert!(output.status.success(), "{}", text(&output));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.ends_with(": test") && !line.contains("requirement::"))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_copied_vector_is_one_more_trial_without_recompiling() {
    let dir = vectors_with(&["remove/envelope/success.json"]);
    assert_eq!(listed_vectors(dir.path()).len(), 1);

    copy_vector(
        dir.path(),
        "remove/envelope/success.json",
        "remove/success-again.json",
    );
    let listed = listed_vectors(dir.path());
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().any(|l| l.contains("remove::success_again")));

    let output = run(dir.path(), &["remove::"]);
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    assert!(
        trial_line(&out, "remove::success_again").ends_with("... ok"),
        "{out}"
    );
}

#[test]
fn a_wrong_expectation_fails_with_requirement_level_diff_and_reproducer() {
    let dir = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(repo().join("vectors/remove/envelope/success.json")).unwrap();
    let mut vector: serde_json::Value = serde_json::from_str(&original).unwrap();
    let expect = &mut vector["steps"][0]["expect"];
    expect["status"] = 201.into();
    expect["schema"] = "hard-error-envelope".into();
    expect["json"]["value"]["objects"] = serde_json::json!({"kept": true});
    std::fs::create_dir_all(dir.path().join("remove")).unwrap();
    std::fs::write(
        dir.path().join("remove/wrong.json"),
        serde_json::to_string_pretty(&vector).unwrap(),
    )
    .unwrap();

    let output = run(dir.path(), &["remove::"]);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        trial_line(&out, "remove::wrong").ends_with("... FAILED"),
        "{out}"
    );
    for needle in [
        "requirement remove.success.envelope [MUST, documented]",
        "source: https://developer.twitter.com/",
        "status: expected 201, actual 200",
        "schema hard-error-envelope at /:",
        "json at /objects/kept: expected true, actual key missing",
        "curl -i -X POST 'http://127.0.0.1:",
        "oauth_signature=\"$OAUTH_SIGNATURE\"",
        "MUST 1/1 judged, 0 passed",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
    let seed = collections_conformance::server::Seed::default();
    assert!(
        !out.contains(&seed.app.consumer_secret),
        "consumer secret leaked:\n{out}"
    );
    for user in &seed.users {
        assert!(
            !out.contains(&user.access_token_secret),
            "token secret leaked:\n{out}"
        );
    }
}

#[test]
fn a_broken_vector_names_file_and_pointer_and_the_others_still_run() {
    let dir = vectors_with(&["remove/envelope/success.json"]);
    std::fs::write(
        dir.path().join("remove/broken.json"),
        r#"{"title": "t", "requirements": ["remove.success.envelope"], "level": "must", "evidence": "documented",
            "steps": [{"request": {"endpoint": "collections/entries/remove", "method": "POST"}, "expect": {"stauts": 200}}]}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("remove/not-json.json"), "{ nope").unwrap();

    let output = run(dir.path(), &["remove::"]);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(
        trial_line(&out, "remove::envelope::success").ends_with("... ok"),
        "{out}"
    );
    assert!(
        trial_line(&out, "remove::broken").ends_with("... FAILED"),
        "{out}"
    );
    assert!(out.contains("broken.json at /steps/0/expect"), "{out}");
    assert!(out.contains("unknown key `stauts`"), "{out}");
    assert!(
        out.contains("not-json.json at /: not valid JSON at line 1"),
        "{out}"
    );
    assert!(out.contains("2 invalid"), "{out}");

    let lint = Command::new(BIN)
        .arg("lint")
        .arg("--vectors")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(lint.status.code(), Some(1), "{}", text(&lint));
    assert!(text(&lint).contains("broken.json at /steps/0/expect"));
}

#[test]
fn the_bundled_vectors_lint_clean() {
    let output = Command::new(BIN).arg("lint").output().unwrap();
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn a_separately_started_server_is_tested_through_environment_variables() {
    let server = Served::start();
    let dir = vectors_with(&[
        "remove/envelope/success.json",
        "remove/envelope/not-found.json",
        "remove/auth/none.json",
    ]);
    let output = Command::new(BIN)
        .args(["run", "--vectors"])
        .arg(dir.path())
        .arg("remove::")
        .envs(server.env(60))
        .output()
        .unwrap();
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    let origin = format!("conformance: target at {}", server.base_url());
    assert!(out.contains(&origin), "{out}");
    assert!(out.contains("MUST 3/3 judged, 3 passed"), "{out}");
}

#[test]
fn a_must_vector_whose_needs_are_not_configured_makes_the_run_incomplete() {
    let server = Served::start();
    let dir = vectors_with(&["remove/rate_limit/exhausted.json"]);
    let run = |extra: &[&str]| {
        let output = Command::new(BIN)
            .args(["run", "--vectors"])
            .arg(dir.path())
            .args(extra)
            .arg("remove::")
            .envs(server.env(60))
            .env_remove("CONFORMANCE_LIMITED_ACCESS_TOKEN")
            .env_remove("CONFORMANCE_LIMITED_ACCESS_TOKEN_SECRET")
            .output()
            .unwrap();
        (output.status.code(), text(&output))
    };
    let (code, out) = run(&[]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        trial_line(&out, "remove::rate_limit::exhausted")
            .contains("ignored (not judged: needs a user with a small rate limit on remove"),
        "{out}"
    );
    for needle in [
        "MUST 0/1 judged, 0 passed · 1 not judged (1 configuration missing)",
        "incomplete run: 1 MUST vector(s) were not judged",
        "set CONFORMANCE_LIMITED_ACCESS_TOKEN and CONFORMANCE_LIMITED_ACCESS_TOKEN_SECRET",
        "MUST vectors left unjudged: remove::rate_limit::exhausted",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }

    let (code, out) = run(&["--allow-incomplete"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("1 not judged (1 configuration missing)"),
        "{out}"
    );
}

/// A step whose capture finds nothing fails where it is, naming the name and the pointer, and
/// the steps that would have sent the value are not sent; with the pointer right, the same vector
/// passes (against the embedded server).
#[test]
fn a_capture_that_finds_nothing_fails_its_step_by_name_and_pointer() {
    let dir = vectors_with(&["entries/page-follow.json"]);
    let path = dir.path().join("entries/page-follow.json");
    let right = std::fs::read_to_string(&path).unwrap();
    let coverage = ["--skip", "requirement::"];
    assert!(run(dir.path(), &coverage).status.success());

    let wrong = right.replace(
        "/response/position/min_position",
        "/response/position/minimum",
    );
    assert_ne!(wrong, right);
    std::fs::write(&path, wrong).unwrap();
    let output = run(dir.path(), &coverage);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        trial_line(&out, "entries::page_follow").ends_with("FAILED"),
        "{out}"
    );
    assert!(out.contains("step 1 of 2"), "{out}");
    assert!(
        out.contains("capture `older` at /response/position/minimum: expected a string or a number for the steps after this one, actual nothing there"),
        "{out}"
    );
}

/// `run --list | head -c 1`: a listing longer than its pipe holds ends when the reader goes
/// away, without libtest's panic about the broken pipe. The pipe is made one page small before
/// the child starts, so the listing (24 KB) cannot fit in it whatever the scheduling.
#[cfg(target_os = "linux")]
#[test]
fn a_listing_whose_reader_goes_away_ends_without_a_panic() {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2(2) writes; each is owned once below.
    // Close-on-exec: the child must not hold the read end, or the pipe never breaks.
    let (reader, writer) = unsafe {
        assert_eq!(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC), 0);
        assert!(libc::fcntl(fds[1], libc::F_SETPIPE_SZ, 4096) >= 4096);
        (
            std::fs::File::from(OwnedFd::from_raw_fd(fds[0])),
            OwnedFd::from_raw_fd(fds[1]),
        )
    };
    let child = Command::new(BIN)
        .args(["run", "--list"])
        .env_remove("CONFORMANCE_BASE_URL")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    let mut reader = reader;
    reader.read_exact(&mut first).unwrap();
    // The reader is gone: the listing's next writes meet a closed pipe.
    drop(reader);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
