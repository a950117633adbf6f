//! Finding vector files at run time, parsing them and linting them.
//!
//! Nothing here is compiled in: adding a file under `vectors/` adds a trial on the next run.
//! A broken file does not stop the others; it becomes a failing trial whose message names the
//! file and the JSON pointer of each problem.

use super::{Bindings, Expect, Expectation, Vector, VectorBody};
use crate::spec::Spec;
use std::collections::{HashMap, HashSet};
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

/// The largest vector file read: the bundled ones are a few KiB, so anything past this is a
/// mistake (or `/dev/zero` behind a symlink) and is refused instead of read into memory.
pub const MAX_VECTOR_BYTES: u64 = 1024 * 1024;

/// One `*.json` path found under the vectors folder, or a path that cannot be a vector (with the
/// reason): a FIFO or device named `*.json`, a file over [`MAX_VECTOR_BYTES`], a folder reached
/// a second time through a symlink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// The path, under the root as given.
    pub path: PathBuf,
    /// Why the path is not read; `None` for a regular file to load.
    pub problem: Option<String>,
}

impl Discovered {
    fn problem(path: PathBuf, problem: String) -> Discovered {
        Discovered {
            path,
            problem: Some(problem),
        }
    }
}

/// What identifies a folder whatever path reaches it, so symlink loops are read once.
#[cfg(unix)]
type FolderKey = (u64, u64);

#[cfg(unix)]
fn folder_key(_path: &Path, meta: &std::fs::Metadata) -> std::io::Result<FolderKey> {
    use std::os::unix::fs::MetadataExt;
    Ok((meta.dev(), meta.ino()))
}

/// What identifies a folder whatever path reaches it, so symlink loops are read once.
#[cfg(not(unix))]
type FolderKey = PathBuf;

#[cfg(not(unix))]
fn folder_key(path: &Path, _meta: &std::fs::Metadata) -> std::io::Result<FolderKey> {
    std::fs::canonicalize(path)
}

/// Every `*.json` path under `root`, recursively, sorted by path so trial order is stable.
///
/// Symlinks are followed, but each folder is read once (by device and inode): a loop or a second
/// link to a folder already read is reported instead of followed. Folders reached without a
/// symlink are read first, so the real path of a folder wins over a link to it. Only regular
/// files are loaded; a FIFO, socket or device named `*.json` is reported without being opened.
/// Only an unreadable `root` is an error.
pub fn discover(root: &Path) -> std::io::Result<Vec<Discovered>> {
    let mut found = Vec::new();
    let mut visited: HashMap<FolderKey, PathBuf> = HashMap::new();
    // Folders reached without a symlink, then those reached through one.
    let mut real = vec![root.to_path_buf()];
    let mut linked: Vec<PathBuf> = Vec::new();
    while let Some(dir) = real.pop().or_else(|| linked.pop()) {
        let key = std::fs::metadata(&dir).and_then(|meta| folder_key(&dir, &meta));
        let key = match key {
            Ok(key) => key,
            Err(e) if dir == root => return Err(e),
            Err(e) => {
                found.push(Discovered::problem(
                    dir,
                    format!("cannot identify this folder: {e}"),
                ));
                continue;
            }
        };
        if let Some(first) = visited.get(&key) {
            let message = if dir.starts_with(first) {
                format!(
                    "directory symlink loop: this leads back to {}, which contains it; not followed",
                    first.display()
                )
            } else {
                format!(
                    "this is the folder {} again (already read); not followed",
                    first.display()
                )
            };
            found.push(Discovered::problem(dir, message));
            continue;
        }
        visited.insert(key, dir.clone());
        let entries = match sorted_entries(&dir) {
            Ok(entries) => entries,
            Err(e) if dir == root => return Err(e),
            Err(e) => {
                found.push(Discovered::problem(
                    dir,
                    format!("cannot read this folder: {e}"),
                ));
                continue;
            }
        };
        let (mut real_dirs, mut linked_dirs) = (Vec::new(), Vec::new());
        for (path, is_symlink) in entries {
            let is_json = path.extension().is_some_and(|ext| ext == "json");
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => {
                    if is_symlink {
                        linked_dirs.push(path);
                    } else {
                        real_dirs.push(path);
                    }
                }
                _ if !is_json => {}
                Ok(meta) if meta.is_file() && meta.len() > MAX_VECTOR_BYTES => {
                    found.push(Discovered::problem(path, too_large(Some(meta.len()))));
                }
                Ok(meta) if meta.is_file() => found.push(Discovered {
                    path,
                    problem: None,
                }),
                Ok(meta) => {
                    let problem = not_regular(meta.file_type());
                    found.push(Discovered::problem(path, problem));
                }
                Err(e) => {
                    let problem = match std::fs::read_link(&path) {
                        Ok(target) if is_symlink => {
                            format!(
                                "a symlink to {}, which cannot be read: {e}",
                                target.display()
                            )
                        }
                        _ => format!("cannot read the file: {e}"),
                    };
                    found.push(Discovered::problem(path, problem));
                }
            }
        }
        // Popped last first: pushing in reverse keeps the walk in path order.
        real.extend(real_dirs.into_iter().rev());
        linked.extend(linked_dirs.into_iter().rev());
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// The entries of `dir`, sorted, each with whether it is itself a symlink.
fn sorted_entries(dir: &Path) -> std::io::Result<Vec<(PathBuf, bool)>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let is_symlink = entry.file_type().is_ok_and(|t| t.is_symlink());
        entries.push((entry.path(), is_symlink));
    }
    entries.sort();
    Ok(entries)
}

fn too_large(bytes: Option<u64>) -> String {
    let size = bytes.map_or_else(|| "more than 1 MiB".to_string(), |b| format!("{b} bytes"));
    format!(
        "the file is larger than 1 MiB ({size}), the cap for one vector file; not read (a vector is a few KiB: split it)"
    )
}

fn not_regular(file_type: std::fs::FileType) -> String {
    #[allow(unused_mut)]
    let mut what = "neither a file nor a folder";
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            what = "a FIFO";
        } else if file_type.is_char_device() {
            what = "a character device";
        } else if file_type.is_block_device() {
            what = "a block device";
        } else if file_type.is_socket() {
            what = "a socket";
        }
    }
    #[cfg(not(unix))]
    let _ = file_type;
    format!("not a regular file ({what}); only regular files are read as vectors")
}

/// Reads a vector file: a regular file of at most [`MAX_VECTOR_BYTES`] bytes of UTF-8.
fn read_capped(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open the file: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_VECTOR_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > MAX_VECTOR_BYTES {
        return Err(too_large(None));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8: invalid byte at offset {}",
            e.utf8_error().valid_up_to()
        )
    })
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

/// Loads and lints every vector under `root`. Paths that cannot be vectors, and files whose
/// trial ids collide, come back as invalid vectors, so each is one failing trial.
pub fn load_all(root: &Path, spec: &Spec) -> std::io::Result<Vec<LoadedVector>> {
    let mut loaded: Vec<LoadedVector> = discover(root)?
        .into_iter()
        .map(|found| LoadedVector {
            id: vector_id(root, &found.path),
            vector: match found.problem {
                Some(message) => Err(vec![VectorError {
                    file: found.path.clone(),
                    pointer: String::new(),
                    message,
                }]),
                None => load_one(&found.path, spec),
            },
            path: found.path,
        })
        .collect();
    flag_id_collisions(&mut loaded);
    Ok(loaded)
}

/// Files whose ids are equal (`a-b.json` and `a_b.json`) would be one trial name for two cases:
/// each becomes invalid, naming the others.
fn flag_id_collisions(loaded: &mut [LoadedVector]) {
    let mut by_id: HashMap<String, Vec<PathBuf>> = HashMap::new();
    for vector in loaded.iter() {
        by_id
            .entry(vector.id.clone())
            .or_default()
            .push(vector.path.clone());
    }
    for vector in loaded.iter_mut() {
        let paths = &by_id[&vector.id];
        if paths.len() < 2 {
            continue;
        }
        let others = paths
            .iter()
            .filter(|p| **p != vector.path)
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let error = VectorError {
            file: vector.path.clone(),
            pointer: String::new(),
            message: format!(
                "trial id `{}` is also the id of {others}: rename one of them (an id is the path with `/` as `::` and `-` as `_`)",
                vector.id
            ),
        };
        match &mut vector.vector {
            Ok(_) => vector.vector = Err(vec![error]),
            Err(errors) => errors.push(error),
        }
    }
}

fn load_one(path: &Path, spec: &Spec) -> Result<Vector, Vec<VectorError>> {
    let error = |pointer: &str, message: String| VectorError {
        file: path.to_path_buf(),
        pointer: pointer.to_string(),
        message,
    };
    let text = read_capped(path).map_err(|message| vec![error("", message)])?;
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
    let duplicates = duplicate_keys(&text);
    if !duplicates.is_empty() {
        return Err(duplicates
            .into_iter()
            .map(|(pointer, key)| {
                error(
                    &pointer,
                    format!(
                        "duplicate key `{key}` in this object: JSON parsers keep only one of them, so say it once"
                    ),
                )
            })
            .collect());
    }
    let problems = schema_problems(spec, &json);
    if !problems.is_empty() {
        return Err(problems
            .into_iter()
            .map(|(pointer, message)| error(&pointer, message))
            .collect());
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

/// Every object key that appears twice in its object, as (pointer of the object, key). serde_json
/// keeps the last value silently; `"level": "must", "level": "may"` must not demote a vector
/// without a word.
fn duplicate_keys(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    // Syntax errors are reported by the real parse; this pass only looks for duplicates.
    let _ = serde::de::DeserializeSeed::deserialize(
        DuplicateKeys {
            pointer: String::new(),
            found: &mut found,
        },
        &mut deserializer,
    );
    found
}

/// A pass over one JSON value that records duplicate keys and builds nothing.
struct DuplicateKeys<'a> {
    pointer: String,
    found: &'a mut Vec<(String, String)>,
}

impl<'de> serde::de::DeserializeSeed<'de> for DuplicateKeys<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for DuplicateKeys<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while seq
            .next_element_seed(DuplicateKeys {
                pointer: format!("{}/{index}", self.pointer),
                found: &mut *self.found,
            })?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("{}/{}", self.pointer, super::pointer_token(&key));
            if !seen.insert(key.clone()) {
                self.found.push((self.pointer.clone(), key));
            }
            map.next_value_seed(DuplicateKeys {
                pointer,
                found: &mut *self.found,
            })?;
        }
        Ok(())
    }
}

/// The vector schema's complaints, as (pointer, message): a missing key is named as such, and a
/// failed `oneOf` names its most specific cause instead of dumping the whole value.
fn schema_problems(spec: &Spec, json: &serde_json::Value) -> Vec<(String, String)> {
    let Some(validator) = spec.schemas.validator("vector") else {
        return Vec::new();
    };
    validator
        .iter_errors(json)
        .map(|error| {
            (
                error.instance_path().as_str().to_string(),
                format!(
                    "{} (specs/schemas/vector.json {})",
                    describe_schema_error(&error),
                    error.schema_path().as_str()
                ),
            )
        })
        .collect()
}

/// One schema error in a vector author's words.
fn describe_schema_error(error: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind as Kind;
    let key_name = |value: &serde_json::Value| {
        value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string)
    };
    match error.kind() {
        Kind::Required { property } => format!("missing key `{}`", key_name(property)),
        Kind::AdditionalProperties { unexpected } => format!(
            "unknown key{} {}",
            if unexpected.len() == 1 { "" } else { "s" },
            unexpected
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Kind::OneOfNotValid { context } | Kind::AnyOf { context } => {
            // Every alternative only misses a key here (a vector without `steps`, `signature` or
            // `percent_encoding`): name the keys.
            let missing: Option<Vec<String>> = context
                .iter()
                .map(|alternative| match alternative.as_slice() {
                    [only] if only.instance_path() == error.instance_path() => match only.kind() {
                        Kind::Required { property } => Some(key_name(property)),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            match missing {
                Some(keys) if !keys.is_empty() => format!(
                    "missing key `{}` (this object needs one of {})",
                    keys[0],
                    keys.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => {
                    // The closest alternative: one whose type fits, with the fewest errors.
                    let closest = context.iter().min_by_key(|alternative| {
                        let wrong_type = alternative
                            .iter()
                            .filter(|e| matches!(e.kind(), Kind::Type { .. }))
                            .count();
                        (wrong_type, alternative.len())
                    });
                    let causes = closest
                        .into_iter()
                        .flatten()
                        .map(|cause| {
                            let at = cause.instance_path().as_str();
                            format!(
                                "at {}: {}",
                                if at.is_empty() { "/" } else { at },
                                describe_schema_error(cause)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    format!(
                        "{} matches none of the allowed forms; the closest fails {causes}",
                        describe_value(error.instance())
                    )
                }
            }
        }
        Kind::OneOfMultipleValid { .. } => format!(
            "{} matches more than one of the allowed forms (for a vector: give only one of `steps`, `signature`, `percent_encoding`)",
            describe_value(error.instance())
        ),
        Kind::Not { schema } => match schema.get("required").and_then(|r| r.as_array()) {
            Some(keys) if schema.as_object().is_some_and(|o| o.len() == 1) => format!(
                "{} cannot be given here (the keys beside it exclude {})",
                keys.iter()
                    .map(|k| format!("`{}`", key_name(k)))
                    .collect::<Vec<_>>()
                    .join(", "),
                if keys.len() == 1 { "it" } else { "them" }
            ),
            _ => shorten_instance(error),
        },
        _ => shorten_instance(error),
    }
}

/// jsonschema's own message, with the offending value cut short if it is long.
fn shorten_instance(error: &jsonschema::ValidationError<'_>) -> String {
    let full = error.instance().to_string();
    let message = error.to_string();
    if full.chars().count() > 80 {
        message.replacen(&full, &short_json(error.instance()), 1)
    } else {
        message
    }
}

/// The value itself when it is a scalar, else "this object" or "this array": the pointer already
/// says where it is.
fn describe_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(_) => "this object".to_string(),
        serde_json::Value::Array(_) => "this array".to_string(),
        scalar => short_json(scalar),
    }
}

/// A JSON value in at most about 60 characters, for messages.
fn short_json(value: &serde_json::Value) -> String {
    let full = value.to_string();
    if full.chars().count() <= 60 {
        full
    } else {
        format!("{}…", full.chars().take(57).collect::<String>())
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
    let mut bindings = Bindings::placeholders_for(&vector.fixtures);
    for (name, fixture) in [
        ("collection", &vector.fixtures.collection),
        ("other_collection", &vector.fixtures.other_collection),
    ] {
        if fixture
            .as_ref()
            .is_some_and(|f| f.at_capacity && f.tweets > 0)
        {
            problems.push((
                format!("/fixtures/{name}"),
                "`at_capacity` fills the collection to the target's capacity: drop `tweets`".into(),
            ));
        }
    }
    for (s, step) in steps.iter().enumerate() {
        let request = &step.request;
        for (name, text) in [("endpoint", &request.endpoint), ("path", &request.path)] {
            if let Some(text) = text {
                check_fill(
                    &bindings,
                    &format!("/steps/{s}/request/{name}"),
                    &[text],
                    &mut problems,
                );
            }
        }
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
            if let Some(content_type) = &body.content_type {
                check_not_templated(
                    &format!("/steps/{s}/request/body/content_type"),
                    content_type,
                    &mut problems,
                );
            }
            if !request.form.is_empty() {
                problems.push((
                    format!("/steps/{s}/request"),
                    "`form` and `body` cannot both be given: the body is either form parameters or raw text".to_string(),
                ));
            }
        }
        for (name, value) in &request.headers {
            let pointer = format!("/steps/{s}/request/headers/{}", super::pointer_token(name));
            check_not_templated(&pointer, name, &mut problems);
            check_fill(&bindings, &pointer, &[value], &mut problems);
        }
        let alternatives = step.expect.alternatives();
        for (a, expect) in alternatives.iter().enumerate() {
            let base = match &step.expect {
                Expectation::AnyOf { .. } => format!("/steps/{s}/expect/any_of/{a}"),
                Expectation::One(_) => format!("/steps/{s}/expect"),
            };
            if checks_nothing(expect) {
                problems.push((
                    base.clone(),
                    "this expectation checks nothing (a `label` alone accepts any response): add `status`, `json`, `schema` or another check".to_string(),
                ));
            }
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
            if let Some(content_type) = &expect.content_type {
                check_not_templated(&format!("{base}/content_type"), content_type, &mut problems);
            }
            for (name, header) in &expect.headers {
                let pointer = format!("{base}/headers/{}", super::pointer_token(name));
                check_not_templated(&pointer, name, &mut problems);
                if let Some(equals) = &header.equals {
                    check_not_templated(&format!("{pointer}/equals"), equals, &mut problems);
                }
            }
            if let Some(json) = &expect.json {
                if let Err(e) = bindings.fill_json(&json.value) {
                    problems.push((format!("{base}/json/value"), e.to_string()));
                }
            }
            for (i, soft) in expect.soft_errors.iter().flatten().enumerate() {
                let pointer = format!("{base}/soft_errors/{i}");
                check_fill(&bindings, &pointer, &[&soft.tweet_id], &mut problems);
                check_not_templated(&pointer, &soft.op, &mut problems);
                check_not_templated(&pointer, &soft.reason, &mut problems);
            }
            for (i, id) in expect.timeline.iter().flatten().enumerate() {
                check_fill(
                    &bindings,
                    &format!("{base}/timeline/{i}"),
                    &[id],
                    &mut problems,
                );
            }
            for (i, check) in expect.values.iter().enumerate() {
                let pointer = format!("{base}/values/{i}");
                check_fill(
                    &bindings,
                    &format!("{pointer}/pointer"),
                    &[&check.pointer],
                    &mut problems,
                );
                let compared = [
                    ("equals", &check.equals),
                    ("differs_from", &check.differs_from),
                    ("has_item", &check.has_item),
                    ("lacks_item", &check.lacks_item),
                ];
                for (name, value) in compared {
                    if let Some(Err(e)) = value.as_ref().map(|v| bindings.fill_json(v)) {
                        problems.push((format!("{pointer}/{name}"), e.to_string()));
                    }
                }
                let predicates = compared.iter().filter(|(_, v)| v.is_some()).count()
                    + usize::from(check.present.is_some());
                if predicates == 0 {
                    problems.push((
                        pointer,
                        "this value check checks nothing: add `present`, `equals`, `differs_from`, `has_item` or `lacks_item`".into(),
                    ));
                }
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
        // What a step captures is defined for the steps after it, not for its own request.
        for name in step.capture.keys() {
            bindings.set(name.clone(), "captured");
        }
    }
    problems
}

/// Whether an expectation would accept any response: nothing in it but a `label`.
fn checks_nothing(expect: &Expect) -> bool {
    let Expect {
        label: _,
        status,
        content_type,
        headers,
        schema,
        json,
        error_codes,
        soft_errors,
        timeline,
        rate_limit,
        values,
    } = expect;
    status.is_none()
        && content_type.is_none()
        && headers.is_empty()
        && schema.is_none()
        && json.is_none()
        && error_codes.is_none()
        && soft_errors.is_none()
        && timeline.is_none()
        && rate_limit.is_none()
        && values.is_empty()
}

/// A `{{placeholder}}` where the runner fills none would be sent or compared literally.
fn check_not_templated(pointer: &str, text: &str, problems: &mut Vec<(String, String)>) {
    let Some(start) = text.find("{{") else {
        return;
    };
    let after = &text[start + 2..];
    let name = after.find("}}").map_or(after, |end| &after[..end]).trim();
    problems.push((
        pointer.to_string(),
        format!(
            "placeholder `{name}` is never filled here: placeholders work only in the request's endpoint, path, query, form, body text and header values, and in the expected json, soft_errors tweet ids, timeline and values"
        ),
    ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_found_at_any_depth_with_escaped_pointers() {
        let text = r#"{"a": [{"x": 1, "x": 2}], "b/c": {"k": {}, "k": []}, "ok": {"x": 1}}"#;
        assert_eq!(
            duplicate_keys(text),
            vec![
                ("/a/0".to_string(), "x".to_string()),
                ("/b~1c".to_string(), "k".to_string())
            ]
        );
        assert!(duplicate_keys(r#"{"x": {"x": {"x": 1}}}"#).is_empty());
    }

    #[test]
    fn long_values_are_cut_short_in_messages() {
        let long = serde_json::json!("y".repeat(500));
        assert!(short_json(&long).chars().count() <= 60);
        assert_eq!(describe_value(&serde_json::json!({"a": 1})), "this object");
        assert_eq!(describe_value(&serde_json::json!(7)), "7");
    }
}
