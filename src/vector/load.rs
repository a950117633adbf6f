//! Finding vector files at run time, parsing them and linting them.
//!
//! Nothing here is compiled in: adding a file under `vectors/` adds a trial on the next run.
//! A broken file does not stop the others; it becomes a failing trial whose message names the
//! file and the JSON pointer of each problem.

use super::{Bindings, Expectation, Vector, VectorBody};
use crate::spec::Spec;
use std::path::{Path, PathBuf};

/// One problem in one vector file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorError {
    /// The file, as given to the loader.
    pub file: PathBuf,
    /// JSON pointer to the offending value (empty for the whole file).
    pub pointer: String,
    /// What is wrong and, where possible, what to write instead.
    pub message: String,
}

impl std::fmt::Display for VectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{} at {pointer}: {}", self.file.display(), self.message)
    }
}

/// A vector file after loading: its id, its path, and the vector or why it is broken.
#[derive(Debug, Clone)]
pub struct LoadedVector {
    /// Stable id from the path: `remove/params/missing-id.json` -> `remove::params::missing_id`.
    pub id: String,
    /// Path of the file.
    pub path: PathBuf,
    /// The parsed vector, or every problem found in it.
    pub vector: Result<Vector, Vec<VectorError>>,
}

/// Every `*.json` file under `root`, recursively, sorted by path so trial order is stable.
pub fn discover(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The trial id of a vector file: its path under `root` without `.json`, `/` as `::`, `-` as `_`.
pub fn vector_id(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let without_extension = relative.with_extension("");
    without_extension
        .components()
        .map(|c| c.as_os_str().to_string_lossy().replace('-', "_"))
        .collect::<Vec<_>>()
        .join("::")
}

/// Loads and lints every vector under `root`.
pub fn load_all(root: &Path, spec: &Spec) -> std::io::Result<Vec<LoadedVector>> {
    Ok(discover(root)?
        .into_iter()
        .map(|path| LoadedVector {
            id: vector_id(root, &path),
            vector: load_one(&path, spec),
            path,
        })
        .collect())
}

fn load_one(path: &Path, spec: &Spec) -> Result<Vector, Vec<VectorError>> {
    let error = |pointer: &str, message: String| VectorError {
        file: path.to_path_buf(),
        pointer: pointer.to_string(),
        message,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![error("", format!("cannot read the file: {e}"))])?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        vec![error(
            "",
            format!(
                "not valid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        )]
    })?;
    if let Some(problems) = spec.schemas.check("vector", &json) {
        if !problems.is_empty() {
            return Err(problems
                .into_iter()
                .map(|p| {
                    error(
                        &p.instance_path,
                        format!(
                            "{} (specs/schemas/vector.json {})",
                            p.message, p.schema_path
                        ),
                    )
                })
                .collect());
        }
    }
    let vector: Vector = serde_json::from_value(json)
        .map_err(|e| vec![error("", format!("does not match the vector format: {e}"))])?;
    let problems = lint(&vector, spec);
    if problems.is_empty() {
        Ok(vector)
    } else {
        Err(problems
            .into_iter()
            .map(|(pointer, message)| error(&pointer, message))
            .collect())
    }
}

/// Checks what the schema cannot: references to requirements, schemas and fixture values.
fn lint(vector: &Vector, spec: &Spec) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    for (i, id) in vector.requirements.iter().enumerate() {
        if spec.requirements.get(id).is_none() {
            problems.push((
                format!("/requirements/{i}"),
                format!(
                    "unknown requirement `{id}`: add it to specs/requirements.json or fix the id"
                ),
            ));
        }
    }
    let VectorBody::Steps(steps) = &vector.body else {
        return problems;
    };
    let bindings = Bindings::placeholders_for(&vector.fixtures);
    for (s, step) in steps.iter().enumerate() {
        let request = &step.request;
        for (name, params) in [("query", &request.query), ("form", &request.form)] {
            for (i, (k, v)) in params.pairs().iter().enumerate() {
                let at = match params {
                    super::Params::Map(_) => super::pointer_token(k),
                    super::Params::Pairs(_) => i.to_string(),
                };
                let pointer = format!("/steps/{s}/request/{name}/{at}");
                check_fill(&bindings, &pointer, &[k, v], &mut problems);
            }
        }
        if let Some(body) = &request.body {
            check_fill(
                &bindings,
                &format!("/steps/{s}/request/body/text"),
                &[&body.text],
                &mut problems,
            );
            if !request.form.is_empty() {
                problems.push((
                    format!("/steps/{s}/request"),
                    "`form` and `body` cannot both be given: the body is either form parameters or raw text".to_string(),
                ));
            }
        }
        for (name, value) in &request.headers {
            check_fill(
                &bindings,
                &format!("/steps/{s}/request/headers/{}", super::pointer_token(name)),
                &[value],
                &mut problems,
            );
        }
        let alternatives = step.expect.alternatives();
        for (a, expect) in alternatives.iter().enumerate() {
            let base = match &step.expect {
                Expectation::AnyOf { .. } => format!("/steps/{s}/expect/any_of/{a}"),
                Expectation::One(_) => format!("/steps/{s}/expect"),
            };
            if let Some(schema) = &expect.schema {
                if !spec.schemas.contains(schema) {
                    problems.push((
                        format!("{base}/schema"),
                        format!(
                            "no schema `{schema}` in specs/schemas/; known: {}",
                            spec.schemas.names().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            }
            if let Some(json) = &expect.json {
                if let Err(e) = bindings.fill_json(&json.value) {
                    problems.push((format!("{base}/json/value"), e.to_string()));
                }
            }
            for (i, soft) in expect.soft_errors.iter().flatten().enumerate() {
                check_fill(
                    &bindings,
                    &format!("{base}/soft_errors/{i}"),
                    &[&soft.tweet_id],
                    &mut problems,
                );
            }
            for (i, id) in expect.timeline.iter().flatten().enumerate() {
                check_fill(
                    &bindings,
                    &format!("{base}/timeline/{i}"),
                    &[id],
                    &mut problems,
                );
            }
            for code in expect.error_codes.iter().flatten() {
                if spec.error_codes.get(*code).is_none() {
                    problems.push((
                        format!("{base}/error_codes"),
                        format!(
                            "code {code} is not in specs/error-codes.json; add it with its source"
                        ),
                    ));
                }
            }
        }
    }
    problems
}

fn check_fill(
    bindings: &Bindings,
    pointer: &str,
    texts: &[&str],
    problems: &mut Vec<(String, String)>,
) {
    for text in texts {
        if let Err(e) = bindings.fill(text) {
            problems.push((pointer.to_string(), e.to_string()));
        }
    }
}
