//! The signature matrix: vectors under `vectors/oauth-matrix/` generated from one table, so that
//! every OAuth placement meets every location of the API parameters and every class of value,
//! and the timestamp, nonce, realm, signing-key and body rules are applied in every placement.
//!
//! The files are the source of truth for the runner (they are ordinary vectors, data that never
//! recompiles). This module is what writes them: `UPDATE_SIGNATURE_MATRIX=1 cargo test --test kit
//! signature_matrix` rewrites the folder; without it the test fails when a committed file differs
//! from what the table generates, so the two cannot drift apart.
//!
//! Levels follow the one level rule: a cell is MUST only when everything it asserts is documented
//! (the Authorization header, parameters on the query string, RFC 5849 signature rules); a cell
//! whose acceptance rests on an UNVERIFIED point (oauth_* in the query or body, parameters in a
//! form body, an extra parameter being ignored, the timestamp window) is SHOULD. Refusals of a
//! tampered request are MUST wherever they travel.
//!
//! Every signature a cell sends is also computed by an independent OAuth 1.0a implementation
//! (the `oauth1-request` crate) and compared, so the kit's signer and the server's verifier
//! cannot be wrong together.

use collections_conformance::exchange::{Unsigned, authenticate, with_fixed_nonce};
use collections_conformance::oauth;
use collections_conformance::target::TargetArgs;
use collections_conformance::vector::{AuthMode, OAuthPlacement};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// Where the generated vectors live, under `vectors/`.
const FOLDER: &str = "oauth-matrix";

/// The three places RFC 5849 section 3.5 allows for the oauth_* parameters.
const PLACEMENTS: [&str; 3] = ["header", "query", "form"];

/// Where the API parameters (`id`, `tweet_id`) travel.
const LOCATIONS: [&str; 3] = ["query", "form", "split"];

/// Classes of parameter values clients and servers encode differently. Each travels in an extra
/// parameter (`note`; in a split request also `comment` in the body), since `id` and `tweet_id`
/// never hold such characters.
const VALUE_CLASSES: [(&str, &str, &str); 5] = [
    ("empty", "an empty value", ""),
    (
        "reserved",
        "reserved characters, a `%XX` sequence and a lone `%`",
        "a&b=c;d/e?f#g[h]i@j!k$l'm(n),o:p%41q%",
    ),
    ("plus-space", "`+` and spaces", " a+b c ++ d "),
    (
        "non-ascii",
        "non-ASCII characters (2, 3 and 4 UTF-8 bytes, a combining accent)",
        "é ☃ 😀 e\u{301}",
    ),
    ("tilde-star", "`~` and `*`", "~*~-._*"),
];

/// The JSON body of the non-form-body cells: read as a form it would be one strange key.
const JSON_BODY: &str = r#"{"note":"a JSON body is not a parameter source"}"#;

/// The remove endpoint's request in one placement and location, with extra parameters.
fn remove(
    placement: &str,
    location: &str,
    tweet: &str,
    extra: Option<&str>,
    auth: &str,
) -> Map<String, Value> {
    let mut query = Map::new();
    let mut form = Map::new();
    let id = json!("{{collection.id}}");
    let tweet = json!(tweet);
    match location {
        "query" => {
            query.insert("id".into(), id);
            query.insert("tweet_id".into(), tweet);
            if let Some(value) = extra {
                query.insert("note".into(), json!(value));
            }
        }
        "form" => {
            form.insert("id".into(), id);
            form.insert("tweet_id".into(), tweet);
            if let Some(value) = extra {
                form.insert("note".into(), json!(value));
            }
        }
        _ => {
            query.insert("id".into(), id);
            form.insert("tweet_id".into(), tweet);
            if let Some(value) = extra {
                query.insert("note".into(), json!(value));
                form.insert("comment".into(), json!(value));
            }
        }
    }
    let mut request = Map::new();
    request.insert("endpoint".into(), json!("collections/entries/remove"));
    request.insert("method".into(), json!("POST"));
    if !query.is_empty() {
        request.insert("query".into(), Value::Object(query));
    }
    if !form.is_empty() {
        request.insert("form".into(), Value::Object(form));
    }
    request.insert("auth".into(), json!(auth));
    request.insert("oauth_in".into(), json!(placement));
    request
}

fn step(name: &str, request: Map<String, Value>, expect: Value) -> Value {
    json!({"name": name, "request": request, "expect": expect})
}

/// A refusal: 4xx with the hard error envelope (the refusals of auth.signature.verified).
fn refused() -> Value {
    json!({"status": [400, 401, 403], "content_type": "application/json", "schema": "hard-error-envelope"})
}

/// The success envelope of a remove that took the tweet away.
fn removed() -> Value {
    json!({
        "status": 200,
        "content_type": "application/json",
        "schema": "entry-change-envelope",
        "json": {"mode": "subset", "value": {"response": {"errors": []}}}
    })
}

/// Accepted by the signature check, whatever else the server thinks of the request: the soft
/// not_found for a tweet not in the collection, or a refusal that is not the 401 of a signature
/// that does not verify (a server may refuse the extra parameter or the body).
fn verified_not_found() -> Value {
    json!({"any_of": [
        {
            "label": "signature verified: the soft not_found for the absent tweet",
            "status": ["2xx", "4xx"],
            "content_type": "application/json",
            "schema": "entry-change-envelope",
            "soft_errors": [{"op": "remove", "tweet_id": "{{spare_tweets[0]}}", "reason": "not_found"}]
        },
        {
            "label": "signature verified, the request refused for another reason (any 4xx but 401, the answer to a signature that does not verify)",
            "status": [400, 403, 404, 415, 422],
            "content_type": "application/json",
            "json": {"mode": "subset", "value": {}}
        }
    ]})
}

fn entries(name: &str, timeline: &[&str]) -> Value {
    json!({
        "name": name,
        "request": {"endpoint": "collections/entries", "method": "GET", "query": {"id": "{{collection.id}}"}},
        "expect": {"status": 200, "schema": "collection-entries", "timeline": timeline}
    })
}

fn unchanged() -> Value {
    entries(
        "collections/entries still lists the same tweets in the same order",
        &["{{tweets[1]}}", "{{tweets[0]}}"],
    )
}

/// The auth mode that leaves this location's API parameters out of the signature.
fn unsigned_mode(location: &str) -> &'static str {
    if location == "query" {
        "query_params_unsigned"
    } else {
        "body_params_unsigned"
    }
}

fn placement_requirement(placement: &str) -> &'static str {
    if placement == "header" {
        "auth.placement.header"
    } else {
        "auth.placement.query_or_body"
    }
}

fn location_requirements(location: &str) -> &'static [&'static str] {
    match location {
        "query" => &["remove.param.in_query", "auth.signature.covers_query"],
        "form" => &["remove.param.in_form_body", "auth.signature.covers_body"],
        _ => &[
            "remove.param.split",
            "auth.signature.covers_query",
            "auth.signature.covers_body",
        ],
    }
}

fn where_oauth(placement: &str) -> &'static str {
    match placement {
        "header" => "oauth_* in the Authorization header",
        "query" => "oauth_* in the query string",
        _ => "oauth_* in the form body",
    }
}

fn where_params(location: &str) -> &'static str {
    match location {
        "query" => "id and tweet_id in the query",
        "form" => "id and tweet_id in the form body",
        _ => "id in the query, tweet_id in the form body",
    }
}

#[allow(clippy::too_many_arguments)]
fn vector(
    title: String,
    description: String,
    requirements: Vec<&str>,
    level: &str,
    evidence: &str,
    spare: bool,
    steps: Vec<Value>,
) -> Value {
    let mut fixtures = json!({"collection": {"tweets": 2}});
    if spare {
        fixtures["spare_tweets"] = json!(1);
    }
    json!({
        "title": title,
        "description": description,
        "requirements": requirements,
        "level": level,
        "evidence": evidence,
        "fixtures": fixtures,
        "steps": steps
    })
}

/// One cell of placement x location x value class.
fn value_cell(placement: &str, location: &str, class: (&str, &str, &str)) -> Value {
    let (name, what, value) = class;
    let documented = placement == "header" && location == "query";
    let mut requirements = vec![
        "auth.signature.verified",
        "remove.param.encoding",
        "remove.refusal.no_change",
        placement_requirement(placement),
    ];
    requirements.extend(location_requirements(location));
    let title = format!(
        "{}{} signed per RFC 3986 verify with {} and {}; the same request with those parameters unsigned is refused",
        what[..1].to_uppercase(),
        &what[1..],
        where_oauth(placement),
        where_params(location)
    );
    let tamper = step(
        "tampered: the same request with its API parameters left out of the signature is refused",
        remove(
            placement,
            location,
            "{{tweets[0]}}",
            Some(value),
            unsigned_mode(location),
        ),
        refused(),
    );
    if documented {
        // Everything here is documented, so the cell is MUST; the extra parameter may be refused
        // by a faithful server (unknown parameters are undocumented), so the correctly signed
        // request names a tweet that is not in the collection and must not answer 401.
        requirements.push("remove.response.json");
        return vector(
            title,
            format!(
                "Signature matrix cell {placement} x {location} x {name} (generated by tests/kit/signature_matrix.rs). The value travels in an extra `note` parameter. Correctly signed, the request must pass signature verification: the soft not_found for a tweet not in the collection, or a refusal that is not 401 (the answer to a signature that does not verify) if the server refuses the extra parameter. Tampered, it is refused. Nothing changes either way."
            ),
            requirements,
            "must",
            "documented",
            true,
            vec![
                tamper,
                step(
                    "correctly signed: signature verified (soft not_found, or refused but not as unauthenticated)",
                    remove(
                        placement,
                        location,
                        "{{spare_tweets[0]}}",
                        Some(value),
                        "user",
                    ),
                    verified_not_found(),
                ),
                unchanged(),
            ],
        );
    }
    requirements.extend([
        "remove.param.unknown_ignored",
        "remove.success.envelope",
        "remove.state.removed",
    ]);
    vector(
        title,
        format!(
            "Signature matrix cell {placement} x {location} x {name} (generated by tests/kit/signature_matrix.rs). SHOULD: it rests on the placement or location being accepted and on the extra parameter being ignored, which the sources leave open. The tampered request names tweets[1], the correct one tweets[0], so the final read shows that only the correct one changed anything."
        ),
        requirements,
        "should",
        "inferred",
        false,
        vec![
            step(
                "tampered: the same request for tweets[1] with its API parameters left out of the signature is refused",
                remove(
                    placement,
                    location,
                    "{{tweets[1]}}",
                    Some(value),
                    unsigned_mode(location),
                ),
                refused(),
            ),
            step(
                "correctly signed: tweets[0] is removed",
                remove(placement, location, "{{tweets[0]}}", Some(value), "user"),
                removed(),
            ),
            entries(
                "only tweets[0] is gone: the tampered request changed nothing",
                &["{{tweets[1]}}"],
            ),
        ],
    )
}

/// Tampered requests of one placement and location, as MUST vectors: refused and nothing
/// changed wherever the oauth_* and API parameters travel.
fn tamper_cell(placement: &str, location: &str) -> Value {
    let mut requirements = vec![
        "auth.signature.verified",
        "remove.refusal.no_change",
        "envelope.hard.shape",
    ];
    let mut steps = vec![step(
        "a tampered signature is refused",
        remove(placement, location, "{{tweets[0]}}", None, "bad_signature"),
        refused(),
    )];
    for (mode, requirement, what) in [
        (
            "query_params_unsigned",
            "auth.signature.covers_query",
            "query",
        ),
        ("body_params_unsigned", "auth.signature.covers_body", "body"),
    ] {
        let applies = match location {
            "query" => what == "query",
            "form" => what == "body",
            _ => true,
        };
        if applies {
            requirements.push(requirement);
            steps.push(step(
                &format!("a signature that leaves out the {what} parameters is refused"),
                remove(placement, location, "{{tweets[0]}}", None, mode),
                refused(),
            ));
        }
    }
    steps.push(unchanged());
    vector(
        format!(
            "Tampered signatures are refused and remove nothing with {} and {}",
            where_oauth(placement),
            where_params(location)
        ),
        format!(
            "Signature matrix, {placement} x {location}, tampered requests only (generated by tests/kit/signature_matrix.rs). MUST wherever the parameters travel: a server that does not read oauth_* from the query or body refuses these too, which passes."
        ),
        requirements,
        "must",
        "documented",
        false,
        steps,
    )
}

/// A refusal in one placement: the request in `mode` is refused and changes nothing.
fn refusal_cell(
    placement: &str,
    mode: &str,
    title: &str,
    description: &str,
    requirements: Vec<&str>,
    level: &str,
    evidence: &str,
) -> Value {
    vector(
        format!("{title}, with {}", where_oauth(placement)),
        format!("{description} (generated by tests/kit/signature_matrix.rs)"),
        requirements,
        level,
        evidence,
        false,
        vec![
            step(
                &format!("`{mode}` is refused"),
                remove(placement, "query", "{{tweets[0]}}", None, mode),
                refused(),
            ),
            unchanged(),
        ],
    )
}

fn realm_cell() -> Value {
    let tampered = remove("header", "query", "{{tweets[1]}}", None, "bad_signature");
    vector(
        "A realm in the Authorization header is left out of the signature: the request verifies and removes the tweet".into(),
        "RFC 5849 section 3.4.1.3.1 excludes realm from the base string (generated by tests/kit/signature_matrix.rs). A server that signs it refuses the correct request.".into(),
        vec![
            "auth.realm.excluded",
            "auth.signature.verified",
            "remove.success.envelope",
            "remove.state.removed",
            "remove.refusal.no_change",
        ],
        "must",
        "documented",
        false,
        vec![
            step("tampered: a bad signature for tweets[1] is refused", tampered, refused()),
            step(
                "signed, with realm=\"Twitter API/1.1\" in the header: tweets[0] is removed",
                remove("header", "query", "{{tweets[0]}}", None, "realm_in_header"),
                removed(),
            ),
            entries("only tweets[0] is gone", &["{{tweets[1]}}"]),
        ],
    )
}

/// A signed request carrying a JSON body, in one placement (a form placement needs a form body).
fn non_form_body_cell(placement: &str) -> Value {
    let with_body = |tweet: &str, auth: &str| {
        let mut request = remove(placement, "query", tweet, None, auth);
        request.insert(
            "body".into(),
            json!({"content_type": "application/json", "text": JSON_BODY}),
        );
        request
    };
    let tampered = step(
        "signed as if the JSON body were form parameters: refused",
        with_body("{{tweets[0]}}", "non_form_body_signed"),
        refused(),
    );
    let description = "[D-ABOUT]: a POST body that is not application/x-www-form-urlencoded is not part of the signature base string (generated by tests/kit/signature_matrix.rs).";
    if placement == "header" {
        return vector(
            "A JSON body is not a parameter source: a request signed over its query verifies, one signed over the body is refused, with oauth_* in the Authorization header".into(),
            format!("{description} The correctly signed request names a tweet not in the collection: the soft not_found, or a refusal of the body that is not 401."),
            vec![
                "auth.signature.non_form_body",
                "auth.signature.verified",
                "remove.refusal.no_change",
                "remove.response.json",
            ],
            "must",
            "documented",
            true,
            vec![
                tampered,
                step(
                    "signed over the query and oauth_* only: signature verified",
                    with_body("{{spare_tweets[0]}}", "user"),
                    verified_not_found(),
                ),
                unchanged(),
            ],
        );
    }
    vector(
        format!(
            "A JSON body is not a parameter source: a request signed over its query removes the tweet, one signed over the body is refused, with {}",
            where_oauth(placement)
        ),
        format!(
            "{description} SHOULD: it rests on oauth_* being read from the query and on the JSON body being tolerated."
        ),
        vec![
            "auth.signature.non_form_body",
            "auth.placement.query_or_body",
            "remove.success.envelope",
            "remove.state.removed",
        ],
        "should",
        "inferred",
        false,
        vec![
            tampered,
            step(
                "signed over the query and oauth_* only: tweets[0] is removed",
                with_body("{{tweets[0]}}", "user"),
                removed(),
            ),
            entries("tweets[0] is gone, tweets[1] stays", &["{{tweets[1]}}"]),
        ],
    )
}

fn replay_cell(placement: &str) -> Value {
    vector(
        format!(
            "A signed remove replayed after another request is refused, with {}",
            where_oauth(placement)
        ),
        "The kit sends a signed remove of tweets[0], then a freshly signed copy (soft not_found), then the first request again (same nonce and timestamp), and judges the last: a server that remembers only the last nonce accepts it (generated by tests/kit/signature_matrix.rs).".into(),
        vec!["auth.nonce.replay_later", "auth.nonce.replay", placement_requirement(placement)],
        "should",
        "documented",
        false,
        vec![
            step(
                "the replay, after another request, is refused",
                remove(placement, "query", "{{tweets[0]}}", None, "replayed_nonce_later"),
                refused(),
            ),
            entries("the first request removed tweets[0]; tweets[1] stays", &["{{tweets[1]}}"]),
        ],
    )
}

/// Every generated vector, by path under `vectors/oauth-matrix/`.
fn matrix() -> Vec<(String, Value)> {
    let mut cells = Vec::new();
    for placement in PLACEMENTS {
        for location in LOCATIONS {
            for class in VALUE_CLASSES {
                cells.push((
                    format!("{placement}/{location}/{}.json", class.0),
                    value_cell(placement, location, class),
                ));
            }
            if !(placement == "header" && location == "query") {
                cells.push((
                    format!("{placement}/{location}/tampered.json"),
                    tamper_cell(placement, location),
                ));
            }
        }
        cells.push((
            format!("{placement}/no-token-secret.json"),
            refusal_cell(
                placement,
                "no_token_secret",
                "A signature made with the key `consumer_secret&` (the token secret left out) is refused and removes nothing",
                "The documentation's key without a token secret is for requests made before a token exists; with an access token it does not verify",
                vec!["auth.signature.token_secret", "auth.signature.verified", "remove.refusal.no_change"],
                "must",
                "documented",
            ),
        ));
        cells.push((
            format!("{placement}/stale-timestamp.json"),
            refusal_cell(
                placement,
                "stale_timestamp_days",
                "A timestamp three days old is refused and removes nothing",
                "\"[Twitter] will reject requests which were created too far in the past\", in every placement of the oauth_* parameters",
                vec!["auth.timestamp.window", "remove.refusal.no_change"],
                "must",
                "documented",
            ),
        ));
        cells.push((
            format!("{placement}/future-timestamp.json"),
            refusal_cell(
                placement,
                "future_timestamp",
                "A timestamp an hour ahead is refused and removes nothing",
                "SHOULD: the documentation speaks only of the past; the window is UNVERIFIED",
                vec!["auth.timestamp.future", "remove.refusal.no_change"],
                "should",
                "inferred",
            ),
        ));
        cells.push((
            format!("{placement}/replayed-nonce-later.json"),
            replay_cell(placement),
        ));
        if placement != "form" {
            cells.push((
                format!("{placement}/non-form-body.json"),
                non_form_body_cell(placement),
            ));
        }
    }
    cells.push(("header/realm.json".into(), realm_cell()));
    cells
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(FOLDER)
}

fn render(vector: &Value) -> String {
    let mut text = serde_json::to_string_pretty(vector).expect("JSON renders");
    text.push('\n');
    text
}

/// Every `.json` file under the folder, relative, with `/` separators.
fn committed(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            committed(&path, &format!("{prefix}{name}/"), out);
        } else {
            out.push(format!("{prefix}{name}"));
        }
    }
}

#[test]
fn the_committed_matrix_is_what_the_table_generates() {
    let cells = matrix();
    let root = root();
    if std::env::var_os("UPDATE_SIGNATURE_MATRIX").is_some() {
        let _ = std::fs::remove_dir_all(&root);
        for (path, vector) in &cells {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, render(vector)).unwrap();
        }
    }
    let mut problems = Vec::new();
    for (path, vector) in &cells {
        match std::fs::read_to_string(root.join(path)) {
            Ok(text) if text == render(vector) => {}
            Ok(_) => problems.push(format!("{path} differs from the generated vector")),
            Err(_) => problems.push(format!("{path} is missing")),
        }
    }
    let mut files = Vec::new();
    committed(&root, "", &mut files);
    for file in files {
        if !cells.iter().any(|(path, _)| *path == file) {
            problems.push(format!("{file} is not generated by the table"));
        }
    }
    assert!(
        problems.is_empty(),
        "vectors/{FOLDER}/ is stale: run `UPDATE_SIGNATURE_MATRIX=1 cargo test --test kit signature_matrix` and commit it\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_matrix_covers_every_placement_location_and_class_at_honest_levels() {
    let cells = matrix();
    let must = cells.iter().filter(|(_, v)| v["level"] == "must").count();
    // 45 value cells, 8 tamper cells, 3 x 4 per-placement cells, 2 non-form bodies, 1 realm.
    assert_eq!(cells.len(), 45 + 8 + 12 + 2 + 1);
    assert_eq!(must, 5 + 8 + 3 + 3 + 1 + 1);
    for (path, vector) in &cells {
        let oauth_elsewhere = vector.to_string().contains("\"oauth_in\":\"query\"")
            || vector.to_string().contains("\"oauth_in\":\"form\"");
        let accepts = vector.to_string().contains("\"auth\":\"user\"");
        if vector["level"] == "must" && oauth_elsewhere {
            assert!(
                !accepts,
                "{path}: a MUST cell may not rest on oauth_* accepted outside the header"
            );
        }
    }
}

/// Sample values for the templates, so requests can be signed offline.
fn fill(text: &str) -> String {
    text.replace("{{collection.id}}", "custom-1000000000000000001")
        .replace("{{tweets[0]}}", "390839888012382208")
        .replace("{{tweets[1]}}", "390890231215292416")
        .replace("{{spare_tweets[0]}}", "390853164611555329")
}

fn pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v.as_str().unwrap())))
                .collect()
        })
        .unwrap_or_default()
}

/// The oauth_* parameters of a signed request, wherever they travel (realm dropped).
fn oauth_params(auth: &collections_conformance::exchange::Authentication) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = auth.query.iter().chain(&auth.form).cloned().collect();
    for (_, value) in &auth.headers {
        params.extend(oauth::parse_authorization_header(value).unwrap().unwrap());
    }
    params
}

fn value_of<'a>(params: &'a [(String, String)], key: &str) -> &'a str {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key} in {params:?}"))
}

/// The signature `oauth1-request` computes for these parameters, nonce and timestamp.
fn independent_signature(
    credentials: &oauth::Credentials,
    token_secret: &str,
    url: &str,
    params: &[(String, String)],
    nonce: &str,
    timestamp: u64,
) -> String {
    use oauth1_request as oauth1;
    let token = oauth1::Token::from_parts(
        credentials.consumer_key.as_str(),
        credentials.consumer_secret.as_str(),
        credentials.token.as_str(),
        token_secret,
    );
    let list: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let request = oauth1::ParameterList::new(list);
    let mut builder = oauth1::Builder::with_token(token, oauth1::HMAC_SHA1);
    builder
        .nonce(nonce)
        .timestamp(std::num::NonZeroU64::new(timestamp))
        .version(true);
    let header = builder.authorize("POST", url, &request);
    let fields = oauth::parse_authorization_header(&header).unwrap().unwrap();
    value_of(&fields, "oauth_signature").to_string()
}

#[tokio::test]
async fn every_cell_is_signed_as_an_independent_oauth_implementation_signs() {
    let target = TargetArgs {
        base_url: Some("http://127.0.0.1:8080".into()),
        consumer_key: Some("xvz1evFS4wEEPTGEFPHBog".into()),
        consumer_secret: Some("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".into()),
        access_token: Some("370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into()),
        access_token_secret: Some("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".into()),
        timeout_secs: 5.0,
        ..TargetArgs::default()
    }
    .resolve()
    .unwrap();
    let credentials = target.credentials(&target.user);
    let url_text = "http://127.0.0.1:8080/1.1/collections/entries/remove.json";
    let url: url::Url = url_text.parse().unwrap();
    let (mut agreed, mut differed) = (0, 0);
    for (path, vector) in matrix() {
        for step in vector["steps"].as_array().unwrap() {
            let request = &step["request"];
            if request["endpoint"] != "collections/entries/remove" {
                continue;
            }
            let mode: AuthMode = serde_json::from_value(request["auth"].clone()).unwrap();
            let placement: OAuthPlacement =
                serde_json::from_value(request["oauth_in"].clone()).unwrap();
            let (query, form) = (pairs(&request["query"]), pairs(&request["form"]));
            let body = request["body"]["text"].as_str();
            let unsigned = Unsigned {
                method: "POST",
                url: &url,
                query: &query,
                form: &form,
                body,
            };
            let now = oauth::unix_now();
            let auth = with_fixed_nonce("matrixNonce0123456789", now, async {
                authenticate(mode, placement, &target, &unsigned)
            })
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
            let sent = oauth_params(&auth);
            let (nonce, timestamp) = (
                value_of(&sent, "oauth_nonce"),
                value_of(&sent, "oauth_timestamp").parse().unwrap(),
            );
            let signature = value_of(&sent, "oauth_signature");
            let api: Vec<(String, String)> = query.iter().chain(&form).cloned().collect();
            let right = independent_signature(
                &credentials,
                &credentials.token_secret,
                url_text,
                &api,
                nonce,
                timestamp,
            );
            let valid = matches!(
                mode,
                AuthMode::User
                    | AuthMode::RealmInHeader
                    | AuthMode::ReplayedNonceLater
                    | AuthMode::StaleTimestampDays
                    | AuthMode::FutureTimestamp
            );
            if valid {
                assert_eq!(
                    signature, right,
                    "{path}: the kit's {mode:?} signature differs from oauth1-request's"
                );
                agreed += 1;
            } else {
                assert_ne!(
                    signature, right,
                    "{path}: the tampered {mode:?} signature is the valid one"
                );
                differed += 1;
            }
            if mode == AuthMode::NoTokenSecret {
                let keyless =
                    independent_signature(&credentials, "", url_text, &api, nonce, timestamp);
                assert_eq!(signature, keyless, "{path}: no_token_secret is not `cs&`");
            }
            if mode == AuthMode::RealmInHeader {
                assert!(auth.headers[0].1.starts_with("OAuth realm=\""), "{path}");
            }
        }
    }
    // 45 value cells, realm, 2 JSON bodies, 3 x (replay, stale, future) valid; the rest tampered.
    assert_eq!((agreed, differed), (57, 70));
}

#[test]
fn list_requirements_prints_the_matrix_size_and_levels() {
    let cells = matrix();
    let must = cells.iter().filter(|(_, v)| v["level"] == "must").count();
    let output = std::process::Command::new(crate::support::BIN)
        .args(["list", "--requirements"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let expected = format!(
        "signature matrix: {} vectors ({must} MUST, {} SHOULD) under vectors/oauth-matrix/",
        cells.len(),
        cells.len() - must
    );
    assert_eq!(text.lines().next(), Some(expected.as_str()), "{text}");
}
