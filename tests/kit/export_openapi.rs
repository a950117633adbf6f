//! `collections-conformance export openapi`: the document validates against the official
//! OpenAPI 3.1 JSON Schema (shipped under `tests/openapi/`, checked offline with `jsonschema`),
//! embeds every API schema of `specs/`, resolves every reference, and its examples validate
//! against the schemas they illustrate.

use crate::support::BIN;
use collections_conformance::export::openapi;
use collections_conformance::server::Endpoint;
use collections_conformance::spec::Spec;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spec() -> Spec {
    Spec::load(&repo().join("specs")).unwrap()
}

fn document() -> Value {
    openapi::document(&spec()).unwrap()
}

/// Every way `document` breaks the official OpenAPI 3.1 schema, one line each.
fn oas_problems(document: &Value) -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("tests/openapi/oas-3.1-schema-2022-10-07.json"))
        .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the official schema compiles");
    validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Validates `instance` against `#/components/schemas/{name}` of `document`, resolving the
/// document's own references (the document is the root resource; its other keys are unknown
/// keywords to JSON Schema and ignored).
fn schema_problems(document: &Value, name: &str, instance: &Value) -> Vec<String> {
    let mut root = document.clone();
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["$ref"] = json!(format!("#/components/schemas/{name}"));
    let validator = jsonschema::validator_for(&root).expect("the embedded schemas compile");
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_document_validates_against_the_official_openapi_31_schema() {
    let document = document();
    assert_eq!(document["openapi"], "3.1.0");
    let problems = oas_problems(&document);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_official_schema_refuses_broken_documents() {
    // The validator has teeth: each of these breaks the OpenAPI 3.1 schema.
    let mut no_info = document();
    no_info.as_object_mut().unwrap().remove("info");
    assert!(!oas_problems(&no_info).is_empty());

    let mut oauth1_type = document();
    oauth1_type["components"]["securitySchemes"]["oauth1"]["type"] = json!("oauth1");
    assert!(!oas_problems(&oauth1_type).is_empty());

    let mut bad_status = document();
    bad_status["paths"]["/collections/entries/remove.json"]["post"]["responses"]["2000"] =
        json!({ "description": "not a status" });
    assert!(!oas_problems(&bad_status).is_empty());

    let mut bad_parameter = document();
    bad_parameter["paths"]["/collections/entries/remove.json"]["post"]["parameters"][0]["in"] =
        json!("body");
    assert!(!oas_problems(&bad_parameter).is_empty());
}

#[test]
fn every_api_schema_of_specs_is_embedded_with_references_rewritten() {
    let document = document();
    let components = document["components"]["schemas"].as_object().unwrap();
    let spec = spec();
    let mut embedded = 0;
    for name in spec.schemas.names() {
        if openapi::KIT_ONLY_SCHEMAS.contains(&name) {
            assert!(!components.contains_key(name), "{name} is the kit's own");
            continue;
        }
        let text =
            std::fs::read_to_string(repo().join(format!("specs/schemas/{name}.json"))).unwrap();
        let mut expected: Value = serde_json::from_str(&text).unwrap();
        expected.as_object_mut().unwrap().remove("$id");
        expected.as_object_mut().unwrap().remove("$schema");
        openapi::rewrite_refs(&mut expected);
        assert_eq!(components.get(name), Some(&expected), "schema {name}");
        embedded += 1;
    }
    let on_disk = std::fs::read_dir(repo().join("specs/schemas"))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.ends_with(".json") && !openapi::KIT_ONLY_SCHEMAS.contains(&&name[..name.len() - 5])
        })
        .count();
    assert!(embedded >= 8, "the API schemas under specs/schemas/");
    assert_eq!(
        embedded, on_disk,
        "every API schema file under specs/schemas/"
    );
    let text = document.to_string();
    assert!(
        !text.contains("urn:collections-conformance:"),
        "a URN reference is left"
    );
}

/// Every `$ref` value in a JSON document.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    _ => refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves_inside_the_document() {
    let document = document();
    let mut found = Vec::new();
    refs(&document, &mut found);
    assert!(found.len() > 40, "{found:?}");
    for target in &found {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{target} points outside the document"));
        assert!(
            document.pointer(pointer).is_some(),
            "{target} resolves to nothing"
        );
    }
}

#[test]
fn every_example_validates_against_its_schema_and_a_broken_one_does_not() {
    let document = document();
    let mut checked = 0;
    let mut check = |schema: &Value, examples: &Value, what: &str| {
        let Some(name) = schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        else {
            return;
        };
        for (label, example) in examples.as_object().into_iter().flatten() {
            let problems = schema_problems(&document, name, &example["value"]);
            assert!(problems.is_empty(), "{what} example {label}: {problems:?}");
            checked += 1;
        }
    };
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let media = &operation["responses"]["200"]["content"]["application/json"];
            check(
                &media["schema"],
                &media["examples"],
                &format!("{method} {path}"),
            );
        }
    }
    for (name, response) in document["components"]["responses"].as_object().unwrap() {
        let media = &response["content"]["application/json"];
        check(&media["schema"], &media["examples"], name);
    }
    assert!(checked >= 20, "only {checked} examples");

    // The same validation refuses a documented example with a numeric id, or a soft error in a
    // hard envelope.
    let numeric = json!({"response":{"errors":[{"change":{"tweet_id":390890231215292416_u64,"op":"remove"},"reason":"not_found"}]},"objects":{}});
    assert!(!schema_problems(&document, "entry-change-envelope", &numeric).is_empty());
    let mixed =
        json!({"errors":[{"code":34,"message":"Sorry, that page does not exist."}],"objects":{}});
    assert!(!schema_problems(&document, "hard-error-envelope", &mixed).is_empty());
}

#[test]
fn every_served_endpoint_is_described_and_marked_by_its_source() {
    let document = document();
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(paths.len(), Endpoint::ALL.len());
    for endpoint in Endpoint::ALL {
        let item = &paths[&format!("/{}.json", endpoint.name())];
        let (method, operation) = item.as_object().unwrap().iter().next().unwrap();
        let expected_method = if endpoint.name().contains("entries/")
            || [
                "collections/create",
                "collections/destroy",
                "collections/update",
            ]
            .contains(&endpoint.name())
        {
            "post"
        } else {
            "get"
        };
        assert_eq!(method, expected_method, "{}", endpoint.name());
        let source = operation["x-conformance-source"].as_str().unwrap();
        let has_schema =
            operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
                .is_string();
        assert_eq!(source == "specs", has_schema, "{}", endpoint.name());
        assert_eq!(operation["security"], json!([{ "oauth1": [] }]));
        for status in ["400", "401", "403", "404", "429"] {
            assert!(
                operation["responses"][status]["$ref"].is_string(),
                "{} {status}",
                endpoint.name()
            );
        }
    }
    assert_eq!(
        paths["/collections/list.json"]["get"]["x-conformance-source"],
        "reference"
    );
}

#[test]
fn requirements_describe_remove_and_codes_follow_the_table() {
    let document = document();
    let remove = &document["paths"]["/collections/entries/remove.json"]["post"];
    let listed = remove["x-requirements"].as_array().unwrap();
    let spec = spec();
    let expected = spec
        .requirements
        .iter()
        .filter(|r| !r.id.starts_with("oauth.signer."))
        .count();
    assert_eq!(listed.len(), expected);
    let description = remove["description"].as_str().unwrap();
    assert!(
        description.contains("**MUST** `remove.success.envelope`"),
        "{description}"
    );

    let responses = &document["components"]["responses"];
    // 89 is tied to 401 and 403 by the table: it is an example under both.
    assert!(
        responses["error-401"]["content"]["application/json"]["examples"]["code_89"].is_object()
    );
    assert!(
        responses["error-403"]["content"]["application/json"]["examples"]["code_89"].is_object()
    );
    assert_eq!(
        responses["error-429"]["content"]["application/json"]["examples"]["code_88"]["value"],
        json!({"errors":[{"code":88,"message":"Rate limit exceeded"}]})
    );
    assert!(
        responses.get("error-500").is_none(),
        "5xx are never described"
    );

    let scheme = &document["components"]["securitySchemes"]["oauth1"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "OAuth");
    assert_eq!(scheme["x-oauth1"]["signature_method"], "HMAC-SHA1");
}

#[test]
fn the_cli_writes_the_document_and_refuses_a_broken_specs_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nested/openapi.json");
    let output = Command::new(BIN)
        .args(["export", "openapi", "--output"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written, document());

    let stdout = Command::new(BIN)
        .args(["export", "openapi"])
        .output()
        .unwrap();
    assert_eq!(stdout.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&stdout.stdout).unwrap();
    assert_eq!(printed, written);

    let broken = Command::new(BIN)
        .args(["export", "openapi", "--specs"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(
        stderr.starts_with("export openapi: cannot read schema folder"),
        "{stderr}"
    );
}
