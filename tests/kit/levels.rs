//! The one level rule, applied to the data: every requirement's level matches its evidence, no
//! vector claims more than the requirements it cites, every requirement is covered, and
//! `docs/requirements.md` is the table generated from the current data.

use collections_conformance::spec::{CitingVector, Requirements, Spec};
use collections_conformance::vector::{self, Level};
use serde_json::json;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn spec() -> Spec {
    Spec::load(&root().join("specs")).expect("specs/ loads, levels included")
}

/// Every vector of the bundled corpus as the table lists it; a broken file fails the test.
fn citing_vectors(spec: &Spec) -> Vec<CitingVector> {
    let vectors_root = root().join("vectors");
    vector::load_all(&vectors_root, spec)
        .expect("vectors/ readable")
        .into_iter()
        .map(|loaded| {
            let vector = loaded
                .vector
                .unwrap_or_else(|e| panic!("{} is invalid: {e:?}", loaded.path.display()));
            let relative: PathBuf = loaded
                .path
                .strip_prefix(&vectors_root)
                .unwrap()
                .to_path_buf();
            let path = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            CitingVector {
                path,
                level: vector.level,
                requirements: vector.requirements,
            }
        })
        .collect()
}

/// A requirements file with one entry, for the negative cases.
fn one(entry: serde_json::Value) -> anyhow::Result<Requirements> {
    Requirements::from_json(json!({ "requirements": [entry] }))
}

fn entry(level: &str, evidence: &str) -> serde_json::Value {
    json!({
        "id": "x.y",
        "level": level,
        "evidence": evidence,
        "statement": "s",
        "source": "https://example.com/",
        "reference": "§2"
    })
}

#[test]
fn the_level_rule_refuses_each_kind_of_wrong_entry() {
    let refused = |mut entry: serde_json::Value, extra: serde_json::Value, needle: &str| {
        for (key, value) in extra.as_object().unwrap() {
            entry[key] = value.clone();
        }
        let error = one(entry.clone())
            .err()
            .unwrap_or_else(|| panic!("accepted {entry}"))
            .to_string();
        assert!(
            error.contains("`x.y`") && error.contains(needle),
            "{entry}: {error}"
        );
    };
    refused(
        entry("must", "inferred"),
        json!({}),
        "without `must_because`",
    );
    refused(
        entry("must", "inferred"),
        json!({"must_because": "  "}),
        "`must_because` is empty",
    );
    refused(entry("must", "observed"), json!({}), "observed");
    refused(
        entry("must", "documented"),
        json!({"unverified": "§2: the status"}),
        "UNVERIFIED",
    );
    refused(
        entry("must", "inferred"),
        json!({"must_because": "r", "unverified": "§2: the status"}),
        "UNVERIFIED",
    );
    refused(
        entry("must", "documented"),
        json!({"must_because": "r"}),
        "inferred MUSTs only",
    );
    refused(
        entry("should", "inferred"),
        json!({"must_because": "r"}),
        "MUSTs only",
    );
    refused(entry("should", "documented"), json!({"reference": ""}), "§");
    refused(
        entry("should", "documented"),
        json!({"unverified": ""}),
        "`unverified` is empty",
    );

    // And what the rule allows.
    for allowed in [
        entry("must", "documented"),
        {
            let mut e = entry("must", "inferred");
            e["must_because"] = json!("no faithful server could differ");
            e
        },
        {
            let mut e = entry("should", "documented");
            e["unverified"] = json!("§10: open");
            e
        },
        entry("should", "observed"),
        entry("may", "inferred"),
    ] {
        one(allowed.clone()).unwrap_or_else(|e| panic!("{allowed} refused: {e}"));
    }
}

#[test]
fn every_requirement_level_matches_its_evidence() {
    // Loading applies the rule; this names every offender at once instead of the first.
    let text = std::fs::read_to_string(root().join("specs/requirements.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut problems = Vec::new();
    for entry in file["requirements"].as_array().unwrap() {
        if let Err(e) = Requirements::from_json(json!({ "requirements": [entry] })) {
            problems.push(e.to_string());
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let spec = spec();
    assert!(spec.requirements.iter().count() > 0);
}

/// Why a vector's level is higher than every requirement it cites allows, if it is.
fn vector_level_problem(
    path: &str,
    level: Level,
    cited: &[String],
    requirements: &Requirements,
) -> Option<String> {
    // `Level` orders MUST < SHOULD < MAY, so "highest" is the minimum.
    let highest = cited
        .iter()
        .filter_map(|id| requirements.get(id))
        .map(|r| r.level)
        .min();
    match highest {
        None => Some(format!("{path} cites no known requirement")),
        Some(highest) if level < highest => Some(format!(
            "{path} is {} but the highest requirement it cites is {} ({})",
            level.label(),
            highest.label(),
            cited.join(", ")
        )),
        Some(_) => None,
    }
}

#[test]
fn no_vector_is_above_the_requirements_it_cites() {
    let spec = spec();
    // A deliberately wrong entry first: a MUST vector citing only SHOULD requirements.
    let wrong = vector_level_problem(
        "remove/method/get-code.json",
        Level::Must,
        &["remove.method.code_86".to_string()],
        &spec.requirements,
    );
    assert!(
        wrong.as_deref().is_some_and(|p| p.contains("is MUST")),
        "{wrong:?}"
    );

    let problems: Vec<String> = citing_vectors(&spec)
        .iter()
        .filter_map(|v| vector_level_problem(&v.path, v.level, &v.requirements, &spec.requirements))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_requirement_is_covered_by_a_vector_of_its_level() {
    let spec = spec();
    let vectors = citing_vectors(&spec);
    let mut problems = Vec::new();
    for requirement in spec.requirements.iter() {
        let levels: Vec<Level> = vectors
            .iter()
            .filter(|v| v.requirements.contains(&requirement.id))
            .map(|v| v.level)
            .collect();
        if levels.is_empty() {
            problems.push(format!("{} is cited by no vector", requirement.id));
        } else if !levels.iter().any(|l| *l <= requirement.level) {
            problems.push(format!(
                "{} is {} but only weaker vectors cite it",
                requirement.id,
                requirement.level.label()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn requirements_doc_is_current() {
    let spec = spec();
    let generated = spec.requirements.markdown(&citing_vectors(&spec));
    let path = root().join("docs/requirements.md");
    if std::env::var_os("UPDATE_REQUIREMENTS_DOC").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/requirements.md is stale: run `UPDATE_REQUIREMENTS_DOC=1 cargo test --test kit levels::` and commit it"
    );
    // The table has one row per requirement and names each MUST's evidence and source.
    for requirement in spec.requirements.iter() {
        let row = generated
            .lines()
            .find(|line| line.starts_with(&format!("| `{}`<br>", requirement.id)))
            .unwrap_or_else(|| panic!("no row for {}", requirement.id));
        assert!(row.contains(requirement.evidence.as_str()), "{row}");
        assert!(row.contains(&requirement.source), "{row}");
    }
}
