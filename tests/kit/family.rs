//! The family's vectors are filed where their endpoint says: a vector under `vectors/create/`
//! tests `collections/create`, the oracle vectors live under `vectors/oracle/<endpoint>/`, and
//! every endpoint has requirements and MUST vectors of its own. A vector that forgot its
//! `endpoint` would be held to remove's invariants and blame remove, so this is checked, not
//! trusted.

use collections_conformance::spec::Spec;
use collections_conformance::vector::{self, DEFAULT_ENDPOINT, Level, ORACLES};
use std::path::Path;

/// Folder under `vectors/` -> the endpoint its vectors test, and the requirement id prefix.
const FAMILY: [(&str, &str, &str); 9] = [
    ("create", "collections/create", "create"),
    ("destroy", "collections/destroy", "destroy"),
    ("update", "collections/update", "update"),
    ("show", "collections/show", "show"),
    ("list", "collections/list", "list"),
    ("entries", "collections/entries", "entries"),
    ("entries_add", "collections/entries/add", "add"),
    ("entries_move", "collections/entries/move", "move"),
    ("entries_curate", "collections/entries/curate", "curate"),
];

/// The oracle folder of an oracle endpoint: `collections/entries/add` -> `entries_add`.
fn folder_of(endpoint: &str) -> String {
    endpoint
        .strip_prefix("collections/")
        .unwrap_or(endpoint)
        .replace('/', "_")
}

/// Every way the corpus under `root` breaks the filing rules, one line each.
fn filing_problems(root: &Path, spec: &Spec) -> Vec<String> {
    let mut problems = Vec::new();
    let loaded = vector::load_all(root, spec).expect("vectors folder readable");
    for loaded in &loaded {
        let Ok(vector) = &loaded.vector else {
            problems.push(format!("{} is invalid", loaded.path.display()));
            continue;
        };
        let relative = loaded.path.strip_prefix(root).unwrap();
        let mut parts = relative.iter().map(|p| p.to_string_lossy().into_owned());
        let top = parts.next().unwrap_or_default();
        let id = &loaded.id;
        if top == "oracle" {
            let folder = parts.next().unwrap_or_default();
            let expected = ORACLES.iter().find(|o| folder_of(o) == folder);
            match expected {
                Some(endpoint) if vector.endpoint == *endpoint && vector.oracle => {}
                _ => problems.push(format!(
                    "{id}: an oracle vector must set \"oracle\": true and name the endpoint of its folder `{folder}` (one of {ORACLES:?}), not `{}`",
                    vector.endpoint
                )),
            }
            if vector.level != Level::Must {
                problems.push(format!(
                    "{id}: oracle vectors are MUST (a failed oracle is a broken fixture)"
                ));
            }
            continue;
        }
        if vector.oracle {
            problems.push(format!("{id}: \"oracle\": true outside vectors/oracle/"));
        }
        if let Some((_, endpoint, _)) = FAMILY.iter().find(|(folder, _, _)| *folder == top) {
            if vector.endpoint != *endpoint {
                problems.push(format!(
                    "{id}: a vector under vectors/{top}/ must set \"endpoint\": \"{endpoint}\", not `{}`",
                    vector.endpoint
                ));
            }
        } else if top == "remove" && vector.endpoint != DEFAULT_ENDPOINT {
            problems.push(format!("{id}: a remove vector tests `{}`", vector.endpoint));
        }
    }
    problems
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn family_vectors_name_the_endpoint_of_their_folder() {
    let spec = Spec::load(&root().join("specs")).unwrap();

    // A deliberately misfiled corpus first: a create vector without its endpoint, an oracle
    // vector that does not say so, and an oracle flag outside the oracle folder.
    let broken = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let file = broken.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    };
    let steps = r#""steps": [{"request": {"endpoint": "collections/create", "method": "POST", "query": {"name": "n"}}, "expect": {"status": 200}}]"#;
    write(
        "create/forgot.json",
        &format!(
            r#"{{"title": "t", "requirements": ["create.envelope"], "level": "must", "evidence": "documented", {steps}}}"#
        ),
    );
    write(
        "oracle/create/unflagged.json",
        &format!(
            r#"{{"title": "t", "requirements": ["create.envelope"], "level": "must", "evidence": "documented", "endpoint": "collections/create", {steps}}}"#
        ),
    );
    write(
        "show/flagged.json",
        &format!(
            r#"{{"title": "t", "requirements": ["show.envelope"], "level": "must", "evidence": "documented", "endpoint": "collections/show", "oracle": true, {steps}}}"#
        ),
    );
    let found = filing_problems(broken.path(), &spec);
    assert_eq!(found.len(), 3, "{found:#?}");
    for id in [
        "create::forgot",
        "oracle::create::unflagged",
        "show::flagged",
    ] {
        assert!(
            found.iter().any(|p| p.starts_with(&format!("{id}:"))),
            "{id} not named: {found:#?}"
        );
    }

    let problems = filing_problems(&root().join("vectors"), &spec);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_family_endpoint_has_requirements_must_vectors_and_oracles() {
    let spec = Spec::load(&root().join("specs")).unwrap();
    let vectors = vector::load_all(&root().join("vectors"), &spec).unwrap();
    for (folder, endpoint, prefix) in FAMILY {
        let requirements = spec
            .requirements
            .iter()
            .filter(|r| r.id.starts_with(&format!("{prefix}.")))
            .count();
        assert!(
            requirements >= 4,
            "{endpoint}: only {requirements} `{prefix}.*` requirements"
        );
        let must = vectors
            .iter()
            .filter(|v| v.id.starts_with(&format!("{folder}::")))
            .filter_map(|v| v.vector.as_ref().ok())
            .filter(|v| v.level == Level::Must)
            .count();
        assert!(must >= 5, "{endpoint}: only {must} MUST vectors");
    }
    for oracle in ORACLES {
        let vouching = vectors
            .iter()
            .filter_map(|v| v.vector.as_ref().ok())
            .filter(|v| v.oracle && v.endpoint == oracle)
            .count();
        assert!(
            vouching >= 2,
            "oracle {oracle}: {vouching} vectors vouch for it"
        );
    }
}
