//! Target files: parsing, `${VAR}` references, every error naming the file and the key, the
//! precedence of flags and environment over the file, and `serve --write-target` feeding
//! `run --target`.

use crate::support::{BIN, Served};
use clap::{CommandFactory, FromArgMatches};
use collections_conformance::run::RunArgs;
use collections_conformance::runner::Profile;
use collections_conformance::target_file::{self, Given, TargetFile};
use std::path::{Path, PathBuf};
use std::process::Command;

fn env(name: &str) -> Option<String> {
    match name {
        "TF_SECRET" => Some("consumer-secret-from-env".into()),
        "TF_TOKEN_SECRET" => Some("token-secret-from-env".into()),
        "TF_EMPTY" => Some(String::new()),
        _ => None,
    }
}

fn parse(text: &str) -> Result<TargetFile, String> {
    TargetFile::parse(Path::new("targets/mine.toml"), text, &env)
}

const GOOD: &str = r#"
base_url = "http://127.0.0.1:9/"
consumer_key = "ck"
consumer_secret = "${TF_SECRET}"
bearer_token = "bearer-$${literal}"
tweet_ids = ["20", "21"]
timeout = 2.5
concurrency = 3
max_wait = 7
consistency_window = 0.5
profile = "strict"

[user]
access_token = "1-main"
access_token_secret = "${TF_TOKEN_SECRET}"

[other_user]
access_token = "2-other"
access_token_secret = "other-secret"
"#;

#[test]
fn a_target_file_sets_every_key_and_resolves_references() {
    let file = parse(GOOD).unwrap();
    assert_eq!(file.name, "mine", "the name defaults to the file name");
    let s = &file.settings;
    assert_eq!(
        s.consumer_secret.as_deref(),
        Some("consumer-secret-from-env")
    );
    assert_eq!(s.bearer_token.as_deref(), Some("bearer-${literal}"));
    assert_eq!(
        s.user.as_ref().unwrap().access_token_secret,
        "token-secret-from-env"
    );
    assert!(s.limited_user.is_none());

    let (args, overridden) = file.apply(&RunArgs::default());
    assert!(overridden.is_empty(), "{overridden:?}");
    let target = args.target.resolve().unwrap();
    assert_eq!(target.base_url.as_str(), "http://127.0.0.1:9/");
    assert_eq!(target.consumer_key, "ck");
    assert_eq!(target.user.token, "1-main");
    assert_eq!(target.other_user.unwrap().token, "2-other");
    assert!(target.limited_user.is_none());
    assert_eq!(target.tweet_ids, ["20", "21"]);
    assert_eq!(target.timeout.as_secs_f64(), 2.5);
    assert_eq!(args.concurrency, 3);
    assert_eq!(args.max_wait, 7.0);
    assert_eq!(args.consistency_window, 0.5);
    assert_eq!(args.effective_profile(), Profile::Strict);

    let named = parse(&format!("name = \"staging\"\n{GOOD}")).unwrap();
    assert_eq!(named.name, "staging");
}

/// Each broken file is refused with the file's path and the offending key (or line and column).
#[test]
fn every_error_names_the_file_and_the_key() {
    let cases: &[(&str, String, &[&str])] = &[
        (
            "syntax error",
            GOOD.replace("timeout = 2.5", "timeout = = 2.5"),
            &["line 7, column"],
        ),
        (
            "unknown key",
            GOOD.replace("timeout = 2.5", "timout = 2.5"),
            &["unknown field `timout`", "line 7"],
        ),
        (
            "unknown key in a table",
            GOOD.replace("access_token = \"1-main\"", "acces_token = \"1-main\""),
            &["unknown field `acces_token`"],
        ),
        (
            "wrong type",
            GOOD.replace("concurrency = 3", "concurrency = \"three\""),
            &["line 8", "concurrency"],
        ),
        (
            "unset variable",
            GOOD.replace("${TF_TOKEN_SECRET}", "${TF_NOT_SET}"),
            &["key `user.access_token_secret`", "${TF_NOT_SET} is not set"],
        ),
        (
            "empty variable",
            GOOD.replace("${TF_SECRET}", "${TF_EMPTY}"),
            &["key `consumer_secret`", "${TF_EMPTY} is set but empty"],
        ),
        (
            "unclosed reference",
            GOOD.replace("${TF_SECRET}", "${TF_SECRET"),
            &["key `consumer_secret`", "closing"],
        ),
        (
            "missing base_url",
            GOOD.replace("base_url = \"http://127.0.0.1:9/\"", ""),
            &["key `base_url` is missing"],
        ),
        (
            "bad profile",
            GOOD.replace("\"strict\"", "\"lenient\""),
            &["key `profile`", "`lenient` is not a profile"],
        ),
        (
            "zero concurrency",
            GOOD.replace("concurrency = 3", "concurrency = 0"),
            &["key `concurrency`"],
        ),
        (
            "negative seconds",
            GOOD.replace("max_wait = 7", "max_wait = -1"),
            &["key `max_wait`"],
        ),
        (
            "half a token pair",
            GOOD.replace("access_token_secret = \"other-secret\"", ""),
            &["missing field `access_token_secret`"],
        ),
    ];
    for (what, text, expected) in cases {
        let error = parse(text).expect_err(what);
        assert!(
            error.starts_with("target file targets/mine.toml: "),
            "{what}: {error}"
        );
        for needle in *expected {
            assert!(
                error.contains(needle),
                "{what}: {needle:?} not in:\n{error}"
            );
        }
    }
}

#[test]
fn missing_files_empty_folders_and_twin_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let error = target_file::load_all(std::slice::from_ref(&missing)).unwrap_err();
    assert!(
        error.contains(&format!(
            "target file {}: cannot read it",
            missing.display()
        )),
        "{error}"
    );

    let error = target_file::load_all(&[dir.path().to_path_buf()]).unwrap_err();
    assert!(error.contains("holds no target file (*.toml)"), "{error}");

    let good = GOOD
        .replace("${TF_SECRET}", "s")
        .replace("${TF_TOKEN_SECRET}", "t");
    std::fs::write(
        dir.path().join("a.toml"),
        format!("name = \"twin\"\n{good}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.toml"),
        format!("name = \"twin\"\n{good}"),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a target").unwrap();
    let error = target_file::load_all(&[dir.path().to_path_buf()]).unwrap_err();
    assert!(error.contains("are both named `twin`"), "{error}");

    std::fs::write(
        dir.path().join("b.toml"),
        format!("name = \"other\"\n{good}"),
    )
    .unwrap();
    let names: Vec<String> = target_file::load_all(&[dir.path().to_path_buf()])
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(
        names,
        ["twin", "other"],
        "a folder is its *.toml files in name order"
    );
}

/// RunArgs as `collections-conformance run` parses them (flags only; no CONFORMANCE_* variable
/// of this process is read because every one is given or irrelevant here).
fn parsed(args: &[&str]) -> RunArgs {
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        run: RunArgs,
    }
    let matches = Cli::command()
        .try_get_matches_from(std::iter::once("run").chain(args.iter().copied()))
        .unwrap();
    let mut run = Cli::from_arg_matches(&matches).unwrap().run;
    run.given = Given::from_matches(&matches);
    run
}

#[test]
fn flags_override_the_file_and_the_file_overrides_defaults() {
    let read = [
        "CONFORMANCE_TIMEOUT",
        "CONFORMANCE_CONCURRENCY",
        "CONFORMANCE_MAX_WAIT",
        "CONFORMANCE_CONSISTENCY_WINDOW",
        "CONFORMANCE_PROFILE",
        "CONFORMANCE_BASE_URL",
    ];
    if read.iter().any(|name| std::env::var_os(name).is_some()) {
        eprintln!("note: {read:?} set in this environment; precedence not checked here");
        return;
    }
    let file = parse(GOOD).unwrap();

    let (args, overridden) = file.apply(&parsed(&[]));
    assert_eq!(args.target.timeout_secs, 2.5, "the file beats the default");
    assert_eq!(args.concurrency, 3);
    assert!(overridden.is_empty());

    let (args, overridden) = file.apply(&parsed(&[
        "--timeout",
        "4",
        "--concurrency",
        "32",
        "--base-url",
        "http://127.0.0.1:8/",
        "--profile",
        "default",
    ]));
    assert_eq!(
        args.target.timeout_secs, 4.0,
        "a flag beats the file, even at the default's value"
    );
    assert_eq!(args.concurrency, 32);
    assert_eq!(args.target.base_url.as_deref(), Some("http://127.0.0.1:8/"));
    assert_eq!(args.effective_profile(), Profile::Default);
    assert_eq!(
        args.max_wait, 7.0,
        "what no flag gives still comes from the file"
    );
    assert_eq!(
        overridden,
        ["base_url", "timeout", "concurrency", "profile"],
        "the keys overridden are reported"
    );
}

fn run_cli(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("CONFORMANCE_")) {
        command.env_remove(name);
    }
    let output = command
        .arg("run")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_broken_target_file_stops_run_with_exit_2_naming_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let (code, _, stderr) = run_cli(&["--target", missing.to_str().unwrap()], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "target file {}: cannot read it",
            missing.display()
        )),
        "{stderr}"
    );

    let file = dir.path().join("secretive.toml");
    std::fs::write(
        &file,
        GOOD.replace("${TF_TOKEN_SECRET}", "${TF_UNSET_HERE}"),
    )
    .unwrap();
    let (code, _, stderr) = run_cli(
        &["--target", file.to_str().unwrap()],
        &[("TF_SECRET", "set")],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("key `user.access_token_secret`: ${TF_UNSET_HERE} is not set"),
        "{stderr}"
    );
    assert!(stderr.contains("secretive.toml"), "{stderr}");

    // Resolved from the environment of `run`, then checked like any target: a file without
    // [user] says which key is missing.
    std::fs::write(
        &file,
        "base_url = \"http://127.0.0.1:9\"\nconsumer_key = \"k\"\nconsumer_secret = \"${TF_S}\"\n",
    )
    .unwrap();
    let (code, _, stderr) = run_cli(&["--target", file.to_str().unwrap()], &[("TF_S", "x")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("CONFORMANCE_ACCESS_TOKEN is not set")
            && stderr.contains("(in the target file: `user.access_token`)"),
        "{stderr}"
    );
}

fn written_target(options: &[&str], dir: &Path, name: &str) -> (Served, PathBuf) {
    let path = dir.join(name);
    let mut all = vec!["--write-target", path.to_str().unwrap()];
    all.extend_from_slice(options);
    let served = Served::start_with(&all);
    (served, path)
}

#[test]
fn serve_write_target_then_run_target_passes() {
    let dir = tempfile::tempdir().unwrap();
    let (served, path) = written_target(&[], dir.path(), "reference.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# Target file of the collections-conformance reference server"));
    let file = TargetFile::load(&path).unwrap();
    assert_eq!(
        file.settings.base_url.as_deref(),
        Some(served.base_url().as_str())
    );
    assert!(file.settings.other_user.is_some() && file.settings.limited_user.is_some());

    let matrix = dir.path().join("matrix.json");
    let (code, stdout, stderr) = run_cli(
        &[
            "--target",
            path.to_str().unwrap(),
            "--quiet",
            "--skip",
            "requirement::",
            "--matrix-json",
            matrix.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    // One target: the usual run, and a one-column matrix on request.
    let matrix: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&matrix).unwrap()).unwrap();
    assert_eq!(matrix["columns"][0]["name"], "reference");
    assert_eq!(matrix["columns"][0]["outcome"], "passed");
    assert_eq!(matrix["columns"].as_array().unwrap().len(), 1);
    let rows = matrix["rows"].as_array().unwrap();
    assert!(rows.len() > 80);
    assert!(
        rows.iter()
            .all(|row| row["cells"]["reference"]["verdict"] == "passed"),
        "{matrix}"
    );
    assert!(
        stdout.contains(&format!("conformance: target at {}", served.base_url())),
        "{stdout}"
    );
    assert!(
        !stdout.contains("not judged"),
        "a written target file holds every user the suite needs:\n{stdout}"
    );

    let closed = closed_port_url();
    // The same file through CONFORMANCE_TARGET (what `cargo test --test conformance` reads),
    // and a flag overriding its base URL wins, with a note.
    let (code, stdout, stderr) = run_cli(
        &["--quiet", "--skip", "requirement::", "--base-url", &closed],
        &[("CONFORMANCE_TARGET", path.to_str().unwrap())],
    );
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("base_url given by flag or CONFORMANCE_* variable, overriding the file"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{}/ is up and answering", closed)),
        "the flag's URL was tested, not the file's: {stderr}"
    );
}

/// A loopback URL nothing listens on: connections are refused at once.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
