//! Target files: one TOML file per implementation under test, holding what the `CONFORMANCE_*`
//! variables hold, so a target is named once and reused (`run --target FILE`, the matrix of
//! several targets, `serve --write-target FILE`).
//!
//! Secrets stay out of the file through `${VAR}` references, resolved from the environment when
//! the file is loaded. Precedence, per key: command-line flag, then environment variable, then
//! target file, then the built-in default. With several targets (the matrix), the keys that
//! name a target (URL, credentials, tweet ids) come from the files only.

use crate::run::RunArgs;
use crate::runner::Profile;
use crate::server::ReadyInfo;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One loaded target file, its `${VAR}` references resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its name in reports and the matrix: the `name` key, or the file name without `.toml`.
    pub name: String,
    /// What it sets.
    pub settings: TargetSettings,
}

/// The values of a target file (every key optional but `base_url`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSettings {
    /// Name shown in the matrix and in per-target report names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `CONFORMANCE_BASE_URL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// `CONFORMANCE_CONSUMER_KEY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_key: Option<String>,
    /// `CONFORMANCE_CONSUMER_SECRET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_secret: Option<String>,
    /// `CONFORMANCE_BEARER_TOKEN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<String>,
    /// `CONFORMANCE_TWEET_IDS`, as an array of strings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tweet_ids: Option<Vec<String>>,
    /// `CONFORMANCE_COLLECTION_CAPACITY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection_capacity: Option<usize>,
    /// `CONFORMANCE_TIMEOUT`, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<f64>,
    /// `CONFORMANCE_CONCURRENCY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<usize>,
    /// `CONFORMANCE_MAX_WAIT`, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_wait: Option<f64>,
    /// `CONFORMANCE_CONSISTENCY_WINDOW`, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistency_window: Option<f64>,
    /// `CONFORMANCE_PROFILE`: `default` or `strict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// `[user]`: `CONFORMANCE_ACCESS_TOKEN` and `CONFORMANCE_ACCESS_TOKEN_SECRET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<TokenPair>,
    /// `[other_user]`: `CONFORMANCE_OTHER_ACCESS_TOKEN` and its secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_user: Option<TokenPair>,
    /// `[limited_user]`: `CONFORMANCE_LIMITED_ACCESS_TOKEN` and its secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited_user: Option<TokenPair>,
}

/// A user's token pair, as a TOML table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenPair {
    /// `oauth_token`.
    pub access_token: String,
    /// Token secret.
    pub access_token_secret: String,
}

/// The target-file key of each `CONFORMANCE_*` variable it can replace, for error messages.
pub const KEYS: &[(&str, &str)] = &[
    ("CONFORMANCE_BASE_URL", "base_url"),
    ("CONFORMANCE_CONSUMER_KEY", "consumer_key"),
    ("CONFORMANCE_CONSUMER_SECRET", "consumer_secret"),
    ("CONFORMANCE_BEARER_TOKEN", "bearer_token"),
    ("CONFORMANCE_TWEET_IDS", "tweet_ids"),
    ("CONFORMANCE_COLLECTION_CAPACITY", "collection_capacity"),
    ("CONFORMANCE_TIMEOUT", "timeout"),
    ("CONFORMANCE_CONCURRENCY", "concurrency"),
    ("CONFORMANCE_MAX_WAIT", "max_wait"),
    ("CONFORMANCE_CONSISTENCY_WINDOW", "consistency_window"),
    ("CONFORMANCE_PROFILE", "profile"),
    (
        "CONFORMANCE_ACCESS_TOKEN_SECRET",
        "user.access_token_secret",
    ),
    ("CONFORMANCE_ACCESS_TOKEN", "user.access_token"),
    (
        "CONFORMANCE_OTHER_ACCESS_TOKEN_SECRET",
        "other_user.access_token_secret",
    ),
    ("CONFORMANCE_OTHER_ACCESS_TOKEN", "other_user.access_token"),
    (
        "CONFORMANCE_LIMITED_ACCESS_TOKEN_SECRET",
        "limited_user.access_token_secret",
    ),
    (
        "CONFORMANCE_LIMITED_ACCESS_TOKEN",
        "limited_user.access_token",
    ),
];

/// Which run settings the user gave by flag or environment variable (rather than leaving the
/// built-in default): only those override a target file. Filled from clap's matches; a
/// [`RunArgs`] built in code has none given, so a target file's values win over its defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given {
    /// `--timeout` / `CONFORMANCE_TIMEOUT`.
    pub timeout: bool,
    /// `--concurrency` / `CONFORMANCE_CONCURRENCY`.
    pub concurrency: bool,
    /// `--max-wait` / `CONFORMANCE_MAX_WAIT`.
    pub max_wait: bool,
    /// `--consistency-window` / `CONFORMANCE_CONSISTENCY_WINDOW`.
    pub consistency_window: bool,
    /// `--profile` / `CONFORMANCE_PROFILE`.
    pub profile: bool,
}

impl Given {
    /// Reads the sources of the settings from the matches of a command that flattens
    /// [`RunArgs`].
    pub fn from_matches(matches: &clap::ArgMatches) -> Given {
        let given = |id: &str| {
            matches!(
                matches.value_source(id),
                Some(
                    clap::parser::ValueSource::CommandLine | clap::parser::ValueSource::EnvVariable
                )
            )
        };
        Given {
            timeout: given("timeout_secs"),
            concurrency: given("concurrency"),
            max_wait: given("max_wait"),
            consistency_window: given("consistency_window"),
            profile: given("profile"),
        }
    }
}

/// Loads every target named by `--target` / `CONFORMANCE_TARGET`: files as they are, folders as
/// their `*.toml` files in name order. Two targets may not share a name.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<TargetFile>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("target folder {}: cannot read: {e}", path.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!(
                    "target folder {} holds no target file (*.toml)",
                    path.display()
                ));
            }
            for file in found {
                files.push(TargetFile::load(&file)?);
            }
        } else {
            files.push(TargetFile::load(path)?);
        }
    }
    for (i, file) in files.iter().enumerate() {
        if let Some(first) = files[..i].iter().find(|f| f.name == file.name) {
            return Err(format!(
                "target files {} and {} are both named `{}`: set a different `name` in one of them",
                first.path.display(),
                file.path.display(),
                file.name
            ));
        }
    }
    Ok(files)
}

impl TargetFile {
    /// Reads and checks a target file, resolving `${VAR}` from the process environment.
    pub fn load(path: &Path) -> Result<TargetFile, String> {
        TargetFile::load_with(path, &|name| std::env::var(name).ok())
    }

    /// [`TargetFile::load`] with the environment given as a lookup (for tests).
    pub fn load_with(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<TargetFile, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("target file {}: cannot read it: {e}", path.display()))?;
        TargetFile::parse(path, &text, env)
    }

    /// Parses the text of a target file read from `path` (named in every error).
    pub fn parse(
        path: &Path,
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<TargetFile, String> {
        let fail = |what: String| format!("target file {}: {what}", path.display());
        let mut settings: TargetSettings =
            toml::from_str(text).map_err(|e| fail(e.to_string().trim_end().to_string()))?;
        settings
            .resolve(env)
            .map_err(|(key, what)| fail(format!("key `{key}`: {what}")))?;
        if settings.base_url.as_deref().is_none_or(str::is_empty) {
            return Err(fail(
                "key `base_url` is missing: a target file names the implementation's base URL, e.g. base_url = \"http://127.0.0.1:8080\"".into(),
            ));
        }
        if let Some(profile) = &settings.profile {
            <Profile as clap::ValueEnum>::from_str(profile, true).map_err(|_| {
                fail(format!(
                    "key `profile`: `{profile}` is not a profile (default or strict)"
                ))
            })?;
        }
        for (key, value) in [
            ("timeout", settings.timeout),
            ("max_wait", settings.max_wait),
            ("consistency_window", settings.consistency_window),
        ] {
            if let Some(value) = value.filter(|v| !v.is_finite() || *v < 0.0) {
                return Err(fail(format!(
                    "key `{key}`: {value} is not a non-negative number of seconds"
                )));
            }
        }
        if settings.concurrency == Some(0) {
            return Err(fail("key `concurrency`: must be at least 1".into()));
        }
        let name = match &settings.name {
            Some(name) if name.trim().is_empty() => {
                return Err(fail("key `name`: must not be empty".into()));
            }
            Some(name) => name.clone(),
            None => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
        };
        Ok(TargetFile {
            path: path.to_path_buf(),
            name,
            settings,
        })
    }

    /// The run settings for this target: flags and environment variables first (those given),
    /// then this file, then the defaults. Also returns the keys of this file that a flag or
    /// environment variable overrode, for a note.
    pub fn apply(&self, args: &RunArgs) -> (RunArgs, Vec<String>) {
        let s = &self.settings;
        let mut out = args.clone();
        let mut overridden = Vec::new();
        let mut text = |slot: &mut Option<String>, file: Option<&String>, key: &str| match (
            slot.as_deref(),
            file,
        ) {
            (Some(given), Some(_)) if !given.is_empty() => overridden.push(key.to_string()),
            (_, Some(value)) => *slot = Some(value.clone()),
            _ => {}
        };
        let t = &mut out.target;
        text(&mut t.base_url, s.base_url.as_ref(), "base_url");
        text(&mut t.consumer_key, s.consumer_key.as_ref(), "consumer_key");
        text(
            &mut t.consumer_secret,
            s.consumer_secret.as_ref(),
            "consumer_secret",
        );
        text(&mut t.bearer_token, s.bearer_token.as_ref(), "bearer_token");
        for (token, secret, pair, table) in [
            (
                &mut t.access_token,
                &mut t.access_token_secret,
                &s.user,
                "user",
            ),
            (
                &mut t.other_access_token,
                &mut t.other_access_token_secret,
                &s.other_user,
                "other_user",
            ),
            (
                &mut t.limited_access_token,
                &mut t.limited_access_token_secret,
                &s.limited_user,
                "limited_user",
            ),
        ] {
            let pair = pair.as_ref();
            text(
                token,
                pair.map(|p| &p.access_token),
                &format!("{table}.access_token"),
            );
            text(
                secret,
                pair.map(|p| &p.access_token_secret),
                &format!("{table}.access_token_secret"),
            );
        }
        if let Some(ids) = &s.tweet_ids {
            if t.tweet_ids.iter().any(|id| !id.trim().is_empty()) {
                overridden.push("tweet_ids".into());
            } else {
                t.tweet_ids = ids.clone();
            }
        }
        if let Some(capacity) = s.collection_capacity {
            if t.collection_capacity.is_some() {
                overridden.push("collection_capacity".into());
            } else {
                t.collection_capacity = Some(capacity);
            }
        }
        let given = args.given;
        let mut number = |slot: &mut f64, file: Option<f64>, given: bool, key: &str| {
            if let Some(value) = file {
                if given {
                    overridden.push(key.to_string());
                } else {
                    *slot = value;
                }
            }
        };
        number(
            &mut out.target.timeout_secs,
            s.timeout,
            given.timeout,
            "timeout",
        );
        number(&mut out.max_wait, s.max_wait, given.max_wait, "max_wait");
        number(
            &mut out.consistency_window,
            s.consistency_window,
            given.consistency_window,
            "consistency_window",
        );
        if let Some(concurrency) = s.concurrency {
            if given.concurrency {
                overridden.push("concurrency".into());
            } else {
                out.concurrency = concurrency;
            }
        }
        if let Some(profile) = s
            .profile
            .as_deref()
            .and_then(|p| <Profile as clap::ValueEnum>::from_str(p, true).ok())
        {
            if given.profile || args.strict {
                overridden.push("profile".into());
            } else {
                out.profile = profile;
            }
        }
        (out, overridden)
    }

    /// A target file for a running reference server, from its ready line: the main user, the
    /// second user, the rate-limited one, the bearer token and the tweets it seeded.
    pub fn for_server(info: &ReadyInfo, timeout_secs: f64) -> TargetSettings {
        let args = crate::embedded::target_args(info, timeout_secs);
        let pair = |token: Option<String>, secret: Option<String>| match (token, secret) {
            (Some(access_token), Some(access_token_secret)) => Some(TokenPair {
                access_token,
                access_token_secret,
            }),
            _ => None,
        };
        TargetSettings {
            name: None,
            base_url: args.base_url,
            consumer_key: args.consumer_key,
            consumer_secret: args.consumer_secret,
            bearer_token: args.bearer_token,
            tweet_ids: Some(args.tweet_ids),
            collection_capacity: args.collection_capacity,
            timeout: None,
            concurrency: None,
            max_wait: None,
            consistency_window: None,
            profile: None,
            user: pair(args.access_token, args.access_token_secret),
            other_user: pair(args.other_access_token, args.other_access_token_secret),
            limited_user: pair(args.limited_access_token, args.limited_access_token_secret),
        }
    }
}

/// Writes the target file of a running reference server (`serve --write-target FILE`).
pub fn write_for_server(path: &Path, info: &ReadyInfo) -> anyhow::Result<()> {
    let text = TargetFile::for_server(info, 10.0).to_toml(&format!(
        "Target file of the collections-conformance reference server at {},\nwritten by `serve --write-target`; the credentials are the server's seeded test ones.\nTest it with: collections-conformance run --target {}",
        info.base_url,
        path.display()
    ))?;
    std::fs::write(path, text)
        .map_err(|e| anyhow::anyhow!("--write-target: cannot write {}: {e}", path.display()))
}

impl TargetSettings {
    /// The settings as a target file, with a comment saying where they came from.
    pub fn to_toml(&self, comment: &str) -> anyhow::Result<String> {
        let body = toml::to_string(self)?;
        let mut out = String::new();
        for line in comment.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&body);
        Ok(out)
    }

    /// Replaces `${VAR}` in every string value; on failure returns (key, what went wrong).
    fn resolve(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<(), (String, String)> {
        let one = |value: &mut String, key: &str| -> Result<(), (String, String)> {
            *value = expand(value, env).map_err(|what| (key.to_string(), what))?;
            Ok(())
        };
        let opt = |value: &mut Option<String>, key: &str| match value {
            Some(value) => one(value, key),
            None => Ok(()),
        };
        opt(&mut self.name, "name")?;
        opt(&mut self.base_url, "base_url")?;
        opt(&mut self.consumer_key, "consumer_key")?;
        opt(&mut self.consumer_secret, "consumer_secret")?;
        opt(&mut self.bearer_token, "bearer_token")?;
        opt(&mut self.profile, "profile")?;
        if let Some(ids) = &mut self.tweet_ids {
            for (i, id) in ids.iter_mut().enumerate() {
                one(id, &format!("tweet_ids[{i}]"))?;
            }
        }
        for (pair, table) in [
            (&mut self.user, "user"),
            (&mut self.other_user, "other_user"),
            (&mut self.limited_user, "limited_user"),
        ] {
            if let Some(pair) = pair {
                one(&mut pair.access_token, &format!("{table}.access_token"))?;
                one(
                    &mut pair.access_token_secret,
                    &format!("{table}.access_token_secret"),
                )?;
            }
        }
        Ok(())
    }
}

/// Replaces each `${NAME}` with the variable's value; `$$` is a literal `$`. An unset or empty
/// variable, or a `${` without a valid name and `}`, is an error.
pub fn expand(value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('{') {
            let end = tail.find('}').ok_or_else(|| {
                format!("`${{` without a closing `}}` in {value:?} (write `$$` for a literal `$`)")
            })?;
            let name = &tail[..end];
            let valid = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(format!(
                    "`${{{name}}}` is not a variable reference (letters, digits and _ only)"
                ));
            }
            match env(name) {
                Some(found) if !found.is_empty() => out.push_str(&found),
                Some(_) => return Err(format!("${{{name}}} is set but empty in the environment")),
                None => return Err(format!("${{{name}}} is not set in the environment")),
            }
            rest = &tail[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Names the target-file key beside every `CONFORMANCE_*` variable a message mentions.
pub fn with_file_keys(message: &str, file: &Path) -> String {
    let mut keys: Vec<&str> = Vec::new();
    for (variable, key) in KEYS {
        let mentioned = message.match_indices(variable).any(|(at, _)| {
            !message[at + variable.len()..]
                .starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        });
        if mentioned && !keys.contains(key) {
            keys.push(key);
        }
    }
    if keys.is_empty() {
        format!("target file {}: {message}", file.display())
    } else {
        format!(
            "target file {}: {message} (in the target file: {})",
            file.display(),
            keys.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "SECRET" => Some("s3cr3t".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn references_expand_and_dollars_escape() {
        assert_eq!(expand("a${SECRET}b", &env).unwrap(), "as3cr3tb");
        assert_eq!(expand("$$5 and $x", &env).unwrap(), "$5 and $x");
        assert!(
            expand("${NOPE}", &env)
                .unwrap_err()
                .contains("${NOPE} is not set")
        );
        assert!(expand("${EMPTY}", &env).unwrap_err().contains("empty"));
        assert!(expand("${SECRET", &env).unwrap_err().contains("closing"));
        assert!(
            expand("${1X}", &env)
                .unwrap_err()
                .contains("not a variable")
        );
    }

    #[test]
    fn file_keys_are_named_beside_variables() {
        let text = with_file_keys("CONFORMANCE_ACCESS_TOKEN is not set", Path::new("a.toml"));
        assert!(
            text.ends_with("(in the target file: `user.access_token`)"),
            "{text}"
        );
    }
}
