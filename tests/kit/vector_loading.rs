//! Loading and linting vector folders a user (or an attacker) made: symlink loops, FIFOs and
//! devices named `*.json`, oversized files, duplicate keys, colliding trial ids, undefined
//! placeholders, missing keys and expectations that check nothing. Every fixture is made in a
//! temporary folder at test time.

use crate::support::BIN;
use collections_conformance::spec::Spec;
use collections_conformance::vector::{self, LoadedVector, VectorError};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spec() -> Spec {
    Spec::load(&repo().join("specs")).unwrap()
}

/// A valid online vector: one remove step on a fixture collection.
fn online_vector() -> serde_json::Value {
    json!({
        "title": "Removing a tweet of the collection succeeds",
        "requirements": ["remove.success.envelope"],
        "level": "must",
        "evidence": "documented",
        "fixtures": { "collection": { "tweets": 2 } },
        "steps": [{
            "request": {
                "endpoint": "collections/entries/remove",
                "method": "POST",
                "query": { "id": "{{collection.id}}", "tweet_id": "{{tweets[0]}}" }
            },
            "expect": { "status": 200 }
        }]
    })
}

/// The bundled offline percent-encoding vector's text: valid, and runs without a target.
fn offline_text() -> String {
    std::fs::read_to_string(repo().join("vectors/oauth/percent-encoding.json")).unwrap()
}

fn write(dir: &Path, relative: &str, text: &str) -> PathBuf {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn write_json(dir: &Path, relative: &str, value: &serde_json::Value) -> PathBuf {
    write(dir, relative, &serde_json::to_string_pretty(value).unwrap())
}

fn load(dir: &Path) -> Vec<LoadedVector> {
    vector::load_all(dir, &spec()).unwrap()
}

/// The problems of the one loaded file whose path ends with `name`.
fn errors_of<'a>(loaded: &'a [LoadedVector], name: &str) -> &'a [VectorError] {
    let found = loaded
        .iter()
        .find(|v| v.path.ends_with(name))
        .unwrap_or_else(|| panic!("{name} not loaded: {:?}", ids(loaded)));
    match &found.vector {
        Ok(_) => panic!("{name} loaded as valid"),
        Err(errors) => errors,
    }
}

fn ids(loaded: &[LoadedVector]) -> Vec<String> {
    loaded.iter().map(|v| v.id.clone()).collect()
}

fn rendered(errors: &[VectorError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `lint` or `run` on `vectors`, killed after `limit`: a hang fails the test instead of
/// blocking it. `lint` also runs under a 1 GiB address-space limit, so a runaway read fails fast
/// instead of taking the machine's memory (`run` starts a runtime whose thread arenas need more).
fn bin_within(args: &[&str], limit: Duration) -> Output {
    let memory = if args[0] == "lint" {
        "1048576"
    } else {
        "unlimited"
    };
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {memory}; exec \"$@\""))
        .arg("sh")
        .arg(BIN)
        .args(args)
        .env_remove("CONFORMANCE_BASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "`{}` still running after {limit:?}:\n{}",
                args.join(" "),
                text(&output)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The trial line of `id` (libtest pads names, so lines are matched by id and verdict).
fn trial_line<'a>(out: &'a str, id: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with("test ") && l.split_whitespace().any(|w| w == id))
        .unwrap_or_else(|| panic!("no trial line for {id} in:\n{out}"))
}

#[cfg(unix)]
#[test]
fn a_directory_symlink_loop_is_read_once_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_json(dir.path(), "a.json", &online_vector());
    write_json(dir.path(), "sub/b.json", &online_vector());
    std::os::unix::fs::symlink("..", dir.path().join("sub/loop")).unwrap();

    let loaded = load(dir.path());
    assert_eq!(loaded.len(), 3, "{:?}", ids(&loaded));
    let valid: Vec<_> = loaded.iter().filter(|v| v.vector.is_ok()).collect();
    assert_eq!(valid.len(), 2, "{:?}", ids(&loaded));
    let errors = rendered(errors_of(&loaded, "sub/loop"));
    assert!(errors.contains("symlink loop"), "{errors}");
    assert!(errors.contains("not followed"), "{errors}");
}

#[cfg(unix)]
#[test]
fn a_second_symlink_to_a_folder_already_read_is_not_read_twice() {
    let dir = tempfile::tempdir().unwrap();
    write_json(dir.path(), "real/a.json", &online_vector());
    std::os::unix::fs::symlink("real", dir.path().join("twin")).unwrap();

    let loaded = load(dir.path());
    assert_eq!(loaded.len(), 2, "{:?}", ids(&loaded));
    assert!(loaded.iter().any(|v| v.id == "real::a" && v.vector.is_ok()));
    let errors = rendered(errors_of(&loaded, "twin"));
    assert!(errors.contains("already read"), "{errors}");
}

#[cfg(unix)]
#[test]
fn the_real_folder_wins_over_a_link_to_it_that_sorts_first() {
    let dir = tempfile::tempdir().unwrap();
    write_json(dir.path(), "real/a.json", &online_vector());
    std::os::unix::fs::symlink("real", dir.path().join("a-link")).unwrap();
    std::os::unix::fs::symlink("nowhere.json", dir.path().join("dangling.json")).unwrap();

    let loaded = load(dir.path());
    assert!(loaded.iter().any(|v| v.id == "real::a" && v.vector.is_ok()));
    let errors = rendered(errors_of(&loaded, "a-link"));
    assert!(
        errors.contains("real") && errors.contains("already read"),
        "{errors}"
    );
    let errors = rendered(errors_of(&loaded, "dangling.json"));
    assert!(errors.contains("a symlink to nowhere.json"), "{errors}");
    assert_eq!(loaded.len(), 3, "{:?}", ids(&loaded));
}

#[cfg(unix)]
#[test]
fn a_fifo_named_json_hangs_neither_lint_nor_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "oauth/encoding.json", &offline_text());
    let fifo = dir.path().join("x.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let vectors = dir.path().to_str().unwrap();

    let output = bin_within(&["lint", "--vectors", vectors], Duration::from_secs(30));
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("x.json"), "{out}");
    assert!(out.contains("not a regular file (a FIFO)"), "{out}");

    // An invalid vector file makes the run unusable (2), yet every other trial still runs.
    let output = bin_within(&["run", "--vectors", vectors], Duration::from_secs(60));
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(trial_line(&out, "x").ends_with("FAILED"), "{out}");
    assert!(trial_line(&out, "oauth::encoding").ends_with("ok"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_symlink_to_dev_zero_is_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.json", &offline_text());
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.json")).unwrap();
    let vectors = dir.path().to_str().unwrap();

    let output = bin_within(&["lint", "--vectors", vectors], Duration::from_secs(30));
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("zero.json"), "{out}");
    assert!(
        out.contains("not a regular file (a character device)"),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_to_a_regular_vector_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "elsewhere/real.txt", &offline_text());
    std::os::unix::fs::symlink(
        dir.path().join("elsewhere/real.txt"),
        dir.path().join("linked.json"),
    )
    .unwrap();
    let loaded = load(dir.path());
    let linked = loaded.iter().find(|v| v.id == "linked").unwrap();
    assert!(linked.vector.is_ok(), "{:?}", linked.vector);
}

#[test]
fn a_file_over_the_size_cap_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = online_vector();
    big["description"] = json!("x".repeat(2 * 1024 * 1024));
    write_json(dir.path(), "big.json", &big);
    write_json(dir.path(), "small.json", &online_vector());

    let loaded = load(dir.path());
    let errors = rendered(errors_of(&loaded, "big.json"));
    assert!(errors.contains("big.json"), "{errors}");
    assert!(errors.contains("larger than 1 MiB"), "{errors}");
    assert!(loaded.iter().any(|v| v.id == "small" && v.vector.is_ok()));
}

#[test]
fn duplicate_json_keys_are_named_with_their_object() {
    let dir = tempfile::tempdir().unwrap();
    let text = serde_json::to_string_pretty(&online_vector())
        .unwrap()
        .replacen(
            "\"level\": \"must\",",
            "\"level\": \"must\",\n  \"level\": \"may\",",
            1,
        )
        .replacen(
            "\"method\": \"POST\",",
            "\"method\": \"POST\", \"method\": \"GET\",",
            1,
        );
    write(dir.path(), "dup.json", &text);

    let loaded = load(dir.path());
    let errors = errors_of(&loaded, "dup.json");
    let at = |pointer: &str| {
        errors
            .iter()
            .find(|e| e.pointer == pointer)
            .unwrap_or_else(|| panic!("nothing at `{pointer}`: {}", rendered(errors)))
    };
    assert!(at("").message.contains("duplicate key `level`"));
    assert!(
        at("/steps/0/request")
            .message
            .contains("duplicate key `method`")
    );
}

#[test]
fn colliding_trial_ids_are_an_error_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    write_json(dir.path(), "remove/a-b.json", &online_vector());
    write_json(dir.path(), "remove/a_b.json", &online_vector());
    write_json(dir.path(), "remove/c.json", &online_vector());

    let loaded = load(dir.path());
    for name in ["a-b.json", "a_b.json"] {
        let errors = rendered(errors_of(&loaded, name));
        assert!(errors.contains("remove::a_b"), "{errors}");
        assert!(errors.contains("a-b.json"), "{errors}");
        assert!(errors.contains("a_b.json"), "{errors}");
    }
    assert!(
        loaded
            .iter()
            .any(|v| v.id == "remove::c" && v.vector.is_ok())
    );
}

#[test]
fn undefined_placeholders_are_lint_errors_wherever_they_appear() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = online_vector();
    let step = v["steps"][0].clone();
    let mut steps = Vec::new();
    let mut with = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut s = step.clone();
        change(&mut s);
        steps.push(s);
    };
    with(&|s| {
        s["request"].as_object_mut().unwrap().remove("endpoint");
        s["request"]["path"] = json!("/1.1/collections/{{colection.id}}.json");
    });
    with(&|s| s["request"]["query"]["tweet_id"] = json!("{{tweets[2]}}"));
    with(&|s| {
        s["request"]["form"] = json!([["{{form_key}}", "1"]]);
        s["request"].as_object_mut().unwrap().remove("query");
    });
    with(&|s| s["request"]["body"] = json!({"content_type": "text/plain", "text": "{{body}}"}));
    with(&|s| s["request"]["headers"] = json!({"X-Id": "{{header}}"}));
    with(&|s| s["expect"]["json"] = json!({"mode": "subset", "value": {"{{key}}": "{{value}}"}}));
    with(&|s| {
        s["expect"]["soft_errors"] =
            json!([{"op": "remove", "tweet_id": "{{soft}}", "reason": "not_found"}])
    });
    with(&|s| s["expect"]["timeline"] = json!(["{{tweets[0]}}", "{{timeline}}"]));
    with(&|s| {
        s["expect"] = json!({"any_of": [{"status": 200}, {"status": 404, "timeline": ["{{alt}}"]}]})
    });
    with(&|s| s["expect"]["headers"] = json!({"x-echo": {"equals": "{{echo}}"}}));
    v["steps"] = json!(steps);
    write_json(dir.path(), "placeholders.json", &v);

    let loaded = load(dir.path());
    let errors = errors_of(&loaded, "placeholders.json");
    let expected = [
        ("/steps/0/request/path", "colection.id"),
        ("/steps/1/request/query/tweet_id", "tweets[2]"),
        ("/steps/2/request/form/0", "form_key"),
        ("/steps/3/request/body/text", "body"),
        ("/steps/4/request/headers/X-Id", "header"),
        ("/steps/5/expect/json/value", "key"),
        ("/steps/6/expect/soft_errors/0", "soft"),
        ("/steps/7/expect/timeline/1", "timeline"),
        ("/steps/8/expect/any_of/1/timeline/0", "alt"),
        ("/steps/9/expect/headers/x-echo/equals", "echo"),
    ];
    for (pointer, name) in expected {
        assert!(
            errors
                .iter()
                .any(|e| e.pointer == pointer && e.message.contains(&format!("`{name}`"))),
            "no error about `{name}` at {pointer}:\n{}",
            rendered(errors)
        );
    }
    assert_eq!(errors.len(), expected.len(), "{}", rendered(errors));
}

#[test]
fn captured_names_exist_only_after_their_step_and_value_checks_are_linted() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = online_vector();
    let step = v["steps"][0].clone();
    let mut first = step.clone();
    // Used in the step that captures it: not yet defined.
    first["request"]["query"]["tweet_id"] = json!("{{next}}");
    first["capture"] = json!({"next": "/response/cursors/next_cursor"});
    let mut second = step.clone();
    second["request"]["query"]["tweet_id"] = json!("{{next}}");
    second["expect"]["values"] = json!([
        {"pointer": "/response/{{nope}}", "present": true},
        {"pointer": "/response/errors", "lacks_item": {"tweet_id": "{{later}}"}},
        {"pointer": "/response/errors", "present": true, "equals": "{{next}}"}
    ]);
    second["capture"] = json!({"later": "/response/x"});
    v["steps"] = json!([first, second]);
    v["fixtures"]["collection"]["at_capacity"] = json!(true);
    write_json(dir.path(), "captures.json", &v);

    let loaded = load(dir.path());
    let errors = errors_of(&loaded, "captures.json");
    let expected = [
        ("/steps/0/request/query/tweet_id", "`next` is not defined"),
        ("/steps/1/expect/values/0/pointer", "`nope` is not defined"),
        (
            "/steps/1/expect/values/1/lacks_item",
            "`later` is not defined",
        ),
        ("/fixtures/collection", "drop `tweets`"),
    ];
    for (pointer, text) in expected {
        assert!(
            errors
                .iter()
                .any(|e| e.pointer == pointer && e.message.contains(text)),
            "no error containing {text:?} at {pointer}:\n{}",
            rendered(errors)
        );
    }
    assert_eq!(errors.len(), expected.len(), "{}", rendered(errors));

    // The schema refuses a capture that is not a JSON pointer and a value check that checks nothing.
    let mut v = online_vector();
    v["steps"][0]["capture"] = json!({"next": "response/cursors"});
    v["steps"][0]["expect"]["values"] = json!([{"pointer": "/response"}]);
    write_json(dir.path(), "shapes.json", &v);
    let loaded = load(dir.path());
    let errors = rendered(errors_of(&loaded, "shapes.json"));
    assert!(errors.contains("/steps/0/capture/next"), "{errors}");
    assert!(errors.contains("/steps/0/expect/values/0"), "{errors}");
}

#[test]
fn a_missing_required_key_is_named_at_its_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let mut no_steps = online_vector();
    no_steps.as_object_mut().unwrap().remove("steps");
    write_json(dir.path(), "no-steps.json", &no_steps);
    let mut no_expect = online_vector();
    no_expect["steps"][0]
        .as_object_mut()
        .unwrap()
        .remove("expect");
    write_json(dir.path(), "no-expect.json", &no_expect);
    let mut no_method = online_vector();
    no_method["steps"][0]["request"]
        .as_object_mut()
        .unwrap()
        .remove("method");
    write_json(dir.path(), "no-method.json", &no_method);

    let loaded = load(dir.path());
    for (file, pointer, key) in [
        ("no-steps.json", "", "steps"),
        ("no-expect.json", "/steps/0", "expect"),
        ("no-method.json", "/steps/0/request", "method"),
    ] {
        let errors = errors_of(&loaded, file);
        assert_eq!(errors.len(), 1, "{}", rendered(errors));
        assert_eq!(errors[0].pointer, pointer, "{}", rendered(errors));
        assert!(
            errors[0]
                .message
                .starts_with(&format!("missing key `{key}`")),
            "{}",
            rendered(errors)
        );
        // No dump of the file: the message names the problem, not the whole instance.
        assert!(
            !errors[0].message.contains("Removing a tweet"),
            "{}",
            rendered(errors)
        );
    }
}

#[test]
fn an_expectation_with_only_a_label_is_a_lint_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut single = online_vector();
    single["steps"][0]["expect"] = json!({"label": "anything goes"});
    write_json(dir.path(), "single.json", &single);
    let mut alternative = online_vector();
    alternative["steps"][0]["expect"] =
        json!({"any_of": [{"label": "ok", "status": 200}, {"label": "or anything"}]});
    write_json(dir.path(), "alternative.json", &alternative);

    let loaded = load(dir.path());
    for (file, pointer) in [
        ("single.json", "/steps/0/expect"),
        ("alternative.json", "/steps/0/expect/any_of/1"),
    ] {
        let errors = errors_of(&loaded, file);
        assert!(
            errors
                .iter()
                .any(|e| e.pointer == pointer && e.message.contains("checks nothing")),
            "{}",
            rendered(errors)
        );
    }
}

#[test]
fn lint_prints_every_problem_and_exits_1_while_run_keeps_the_valid_trials() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "oauth/encoding.json", &offline_text());
    // The defect as found: a typo in a placeholder of `request.path` was sent as is and judged
    // as a MUST failure of the target.
    let mut broken = online_vector();
    let request = broken["steps"][0]["request"].as_object_mut().unwrap();
    request.remove("endpoint");
    request.insert(
        "path".into(),
        json!("/1.1/collections/entries/remove.json?id={{colection.id}}"),
    );
    write_json(dir.path(), "broken.json", &broken);
    let vectors = dir.path().to_str().unwrap();

    let output = bin_within(&["lint", "--vectors", vectors], Duration::from_secs(30));
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("broken.json at /steps/0/request/path"),
        "{out}"
    );
    assert!(out.contains("`colection.id` is not defined"), "{out}");
    assert!(out.contains("1 problem(s) in 1 of 2 vector files"), "{out}");

    // An invalid vector file makes the run unusable (2), yet every other trial still runs.
    let output = bin_within(&["run", "--vectors", vectors], Duration::from_secs(60));
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    let broken = trial_line(&out, "broken");
    assert!(
        broken.contains("[invalid]") && broken.ends_with("FAILED"),
        "{out}"
    );
    assert!(trial_line(&out, "oauth::encoding").ends_with("ok"), "{out}");
    assert!(out.contains("invalid vector file"), "{out}");
}
