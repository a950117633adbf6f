//! Golden tests of failure text: representative broken responses, judged by the real checks
//! against real vectors, must read exactly as the files under `tests/golden/` say.
//!
//! After an intended change of wording, regenerate with `UPDATE_GOLDEN=1 cargo test --test
//! failure_text` and review the diff.

use collections_conformance::exchange::{Exchange, RecordedRequest, RecordedResponse};
use collections_conformance::runner::{judge_step, step_name};
use collections_conformance::spec::Spec;
use collections_conformance::vector::{self, Bindings, FixtureValues, VectorBody};
use collections_conformance::verdict::failure_text;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bindings() -> Bindings {
    Bindings::from_fixtures(&FixtureValues {
        collection: Some((
            "custom-1500000000000000001".into(),
            vec!["1404000000000000001".into(), "1404000000000000002".into()],
        )),
        other_collection: None,
        spare_tweets: vec!["1404000000000000009".into()],
    })
}

fn response(status: u16, content_type: &str, body: &str) -> Result<RecordedResponse, String> {
    Ok(RecordedResponse {
        status,
        headers: vec![("content-type".into(), content_type.into())],
        body: body.into(),
        json: serde_json::from_str(body).ok(),
        truncated: false,
    })
}

fn exchange(response: Result<RecordedResponse, String>) -> Exchange {
    Exchange {
        request: RecordedRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:8080/1.1/collections/entries/remove.json?id=custom-1500000000000000001&tweet_id=1404000000000000001".into(),
            headers: vec![("Authorization".into(), "OAuth oauth_consumer_key=\"key\", oauth_signature=\"$OAUTH_SIGNATURE\"".into())],
            body: None,
            curl: "curl -i -X POST 'http://127.0.0.1:8080/1.1/collections/entries/remove.json?id=custom-1500000000000000001&tweet_id=1404000000000000001' -H 'Authorization: OAuth oauth_consumer_key=\"key\", oauth_signature=\"$OAUTH_SIGNATURE\"'".into(),
        },
        response,
        duration: Duration::from_millis(3),
    }
}

/// The failure text of `vector_file`'s step `step` judged against `answer`.
fn text_of(vector_file: &str, step: usize, answer: Result<RecordedResponse, String>) -> String {
    let spec = Spec::load(&repo().join("specs")).unwrap();
    let root = repo().join("vectors");
    let loaded = vector::load_all(&root, &spec)
        .unwrap()
        .into_iter()
        .find(|v| v.path.ends_with(vector_file))
        .unwrap_or_else(|| panic!("no vector {vector_file}"));
    let vector = loaded.vector.unwrap();
    let VectorBody::Steps(steps) = &vector.body else {
        panic!("{vector_file} has no steps")
    };
    let record = judge_step(
        step_name(&steps[step]),
        &steps[step],
        vec![exchange(answer)],
        &spec,
        &bindings(),
        None,
    );
    assert!(!record.passed, "the broken answer passed {vector_file}");
    failure_text(
        &loaded.id,
        Path::new("vectors").join(vector_file).as_path(),
        &vector,
        &spec,
        steps.len(),
        step,
        &record,
    )
}

fn golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(format!("{name}.txt"));
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert_eq!(
        expected, actual,
        "failure text changed; if intended, run UPDATE_GOLDEN=1 cargo test --test kit failure_text"
    );
}

#[test]
fn success_answered_with_a_hard_404() {
    golden(
        "success-answered-with-hard-404",
        &text_of(
            "remove/envelope/success.json",
            0,
            response(
                404,
                "application/json; charset=utf-8",
                r#"{"errors":[{"code":34,"message":"Sorry, that page does not exist."}]}"#,
            ),
        ),
    );
}

#[test]
fn not_found_with_a_numeric_tweet_id() {
    golden(
        "not-found-with-numeric-tweet-id",
        &text_of(
            "remove/envelope/not-found.json",
            0,
            response(
                200,
                "application/json",
                r#"{"response":{"errors":[{"change":{"tweet_id":1404000000000000009,"op":"remove"},"reason":"not_found"}]},"objects":{}}"#,
            ),
        ),
    );
}

#[test]
fn two_acceptable_outcomes_and_neither_met() {
    golden(
        "any-of-neither-met",
        &text_of(
            "remove/params/non-numeric-tweet-id.json",
            0,
            response(
                500,
                "text/html",
                "<html><body>Internal Server Error</body></html>",
            ),
        ),
    );
}

#[test]
fn wrong_error_code() {
    golden(
        "wrong-error-code",
        &text_of(
            "remove/params/missing-parameter-code.json",
            0,
            response(
                400,
                "application/json",
                r#"{"errors":[{"code":44,"message":"attachment_url parameter is invalid."}]}"#,
            ),
        ),
    );
}

#[test]
fn no_response_at_all() {
    golden(
        "no-response",
        &text_of(
            "remove/envelope/success.json",
            0,
            Err("timed out: error sending request for url (http://127.0.0.1:8080/1.1/collections/entries/remove.json?…): operation timed out".into()),
        ),
    );
}
