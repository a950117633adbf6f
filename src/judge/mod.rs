//! `collections-conformance judge FILE.har`: the response rules that need no fixtures, and the
//! client's OAuth 1.0a signing, judged on recorded traffic, one trial per exchange.
//!
//! Every exchange of the HAR file that targets `/1.1/collections/...json` is judged; the others
//! are listed as ignored trials. Rules: [`response`] (envelopes, schemas, status/code pairs, media
//! type, UTF-8 JSON, ids as strings), [`rate_limit`] (headers per token and endpoint across the
//! file) and, when credentials are given, [`signature`] (placement, encoding, signed body
//! parameters, verification). Verdicts, reports and exit codes are those of `run`: a trial fails
//! on a rule of a level the profile enforces; `--junit` and `--report-json` write the same reports.

pub mod endpoint;
pub mod finding;
pub mod har;
pub mod rate_limit;
pub mod response;
pub mod signature;

use crate::redact::Redactor;
use crate::report::{self, RunReport};
use crate::run::{RunOutcome, Unusable};
use crate::runner::{Profile, Summary};
use crate::spec::Spec;
use crate::vector::Level;
use crate::verdict::{NotJudgedCause, Outcome, StepRecord, VectorKind, VectorResult};
use finding::Finding;
use libtest_mimic::{Completion, Failed, Trial};
use std::path::PathBuf;
use std::sync::Arc;

/// Options of `collections-conformance judge`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct JudgeArgs {
    /// The HAR file (HAR 1.2, as browsers, proxies and recorders write it).
    #[arg(value_name = "FILE.har")]
    pub har: PathBuf,
    /// Secrets to verify request signatures with (the same flags and variables as `run`).
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// Folder of specs (default: the kit's own `specs/`).
    #[arg(long, env = "CONFORMANCE_SPECS")]
    pub specs: Option<PathBuf>,
    /// `default` fails on MUST rules only; `strict` also on SHOULD.
    #[arg(long, env = "CONFORMANCE_PROFILE", value_enum, default_value_t = Profile::Default)]
    pub profile: Profile,
    /// Same as `--profile strict`.
    #[arg(long)]
    pub strict: bool,
    /// Write a JUnit XML report here (one testcase per exchange).
    #[arg(long, env = "CONFORMANCE_JUNIT")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report here (every exchange with its verdict, secrets redacted).
    #[arg(long, env = "CONFORMANCE_REPORT_JSON")]
    pub report_json: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long, env = "CONFORMANCE_REPORT_HTML")]
    pub report_html: Option<PathBuf>,
    /// Exit 0/1 on what was judged even when signatures could not be checked (a token or
    /// consumer key the given credentials lack); the summary and reports still show the gap.
    #[arg(long, env = "CONFORMANCE_ALLOW_INCOMPLETE")]
    pub allow_incomplete: bool,
}

/// The credentials `judge` verifies signatures with: the flags and environment variables of
/// `run`'s target settings (so one environment serves both), without the settings that only a
/// live target needs. Signatures are checked when the consumer secret and a token pair are given.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CredentialArgs {
    /// OAuth consumer key of the app (requests with another are not verified).
    #[arg(long, env = "CONFORMANCE_CONSUMER_KEY")]
    pub consumer_key: Option<String>,
    /// OAuth consumer secret of the app.
    #[arg(long, env = "CONFORMANCE_CONSUMER_SECRET", hide_env_values = true)]
    pub consumer_secret: Option<String>,
    /// Access token of the main user.
    #[arg(long, env = "CONFORMANCE_ACCESS_TOKEN")]
    pub access_token: Option<String>,
    /// Access token secret of the main user.
    #[arg(long, env = "CONFORMANCE_ACCESS_TOKEN_SECRET", hide_env_values = true)]
    pub access_token_secret: Option<String>,
    /// Access token of a second user.
    #[arg(long, env = "CONFORMANCE_OTHER_ACCESS_TOKEN")]
    pub other_access_token: Option<String>,
    /// Access token secret of the second user.
    #[arg(
        long,
        env = "CONFORMANCE_OTHER_ACCESS_TOKEN_SECRET",
        hide_env_values = true
    )]
    pub other_access_token_secret: Option<String>,
    /// Access token of the rate-limited user.
    #[arg(long, env = "CONFORMANCE_LIMITED_ACCESS_TOKEN")]
    pub limited_access_token: Option<String>,
    /// Access token secret of the rate-limited user.
    #[arg(
        long,
        env = "CONFORMANCE_LIMITED_ACCESS_TOKEN_SECRET",
        hide_env_values = true
    )]
    pub limited_access_token_secret: Option<String>,
}

impl CredentialArgs {
    /// The keys to verify with, or `None` when no consumer secret or no token pair is given.
    pub fn keys(&self) -> Option<signature::Keys> {
        let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        let consumer_secret = given(&self.consumer_secret)?;
        let tokens: Vec<(String, String)> = [
            (&self.access_token, &self.access_token_secret),
            (&self.other_access_token, &self.other_access_token_secret),
            (
                &self.limited_access_token,
                &self.limited_access_token_secret,
            ),
        ]
        .into_iter()
        .filter_map(|(token, secret)| Some((given(token)?, given(secret)?)))
        .collect();
        if tokens.is_empty() {
            return None;
        }
        Some(signature::Keys {
            consumer_key: given(&self.consumer_key),
            consumer_secret,
            tokens,
        })
    }

    /// Every secret with its placeholder, for redaction.
    fn secrets(&self) -> Vec<(String, &'static str)> {
        [
            (&self.consumer_secret, "$CONFORMANCE_CONSUMER_SECRET"),
            (
                &self.access_token_secret,
                "$CONFORMANCE_ACCESS_TOKEN_SECRET",
            ),
            (
                &self.other_access_token_secret,
                "$CONFORMANCE_OTHER_ACCESS_TOKEN_SECRET",
            ),
            (
                &self.limited_access_token_secret,
                "$CONFORMANCE_LIMITED_ACCESS_TOKEN_SECRET",
            ),
        ]
        .into_iter()
        .filter_map(|(secret, name)| Some((secret.clone().filter(|s| !s.is_empty())?, name)))
        .collect()
    }
}

/// The verdict on one HAR entry.
#[derive(Debug, Clone)]
pub enum EntryVerdict {
    /// A Collections exchange, judged (or not judged, with the reason).
    Judged(Box<VectorResult>),
    /// Not a Collections endpoint: listed, not judged.
    Skipped {
        /// Trial name.
        id: String,
        /// Why.
        reason: String,
    },
}

/// Judges every entry of a parsed HAR file, in order (the rate-limit and nonce rules look back
/// at earlier entries). `keys`: verify signatures with these secrets; `None`: response rules only.
pub fn judge_har(
    har: &har::Har,
    har_path: &std::path::Path,
    spec: &Spec,
    keys: Option<signature::Keys>,
) -> Vec<EntryVerdict> {
    let width = har
        .log
        .entries
        .len()
        .saturating_sub(1)
        .to_string()
        .len()
        .max(3);
    let mut windows = rate_limit::Windows::default();
    let mut signatures = keys.map(signature::Signatures::new);
    let mut verdicts = Vec::new();
    for (index, entry) in har.log.entries.iter().enumerate() {
        let method = entry.request.method.to_ascii_uppercase();
        let url = url::Url::parse(&entry.request.url);
        let path = url
            .as_ref()
            .map_or_else(|_| entry.request.url.clone(), |u| u.path().to_string());
        let id = format!("exchange::{index:0width$} {method} {path}");
        let target = url.as_ref().ok().and_then(endpoint::collections_target);
        let (Ok(url), Some(target)) = (&url, target) else {
            verdicts.push(EntryVerdict::Skipped {
                id,
                reason: format!(
                    "log.entries[{index}] is not a Collections endpoint (/1.1/collections/...json)"
                ),
            });
            continue;
        };
        let started = std::time::Instant::now();
        let exchange = entry.exchange();
        let started_at = entry.started_unix();
        let mut findings: Vec<Finding> = Vec::new();
        let mut not_judged: Option<(String, NotJudgedCause)> = None;
        let request_headers = exchange.request.headers.clone();
        let content_type = entry.request_content_type();
        let body = exchange.request.body.clone();
        let request = signature::SignedRequest {
            method: &method,
            url,
            headers: &request_headers,
            body: body.as_deref(),
            content_type: content_type.as_deref(),
            started: started_at,
        };
        let token = signature::Gathered::of(&request).token().to_string();
        match &exchange.response {
            Ok(response) => {
                findings.extend(response::judge(spec, &target, response));
                findings.extend(windows.judge(
                    spec,
                    index,
                    started_at,
                    &token,
                    &target.path,
                    response,
                ));
            }
            Err(reason) => {
                not_judged = Some((
                    format!("log.entries[{index}]: {reason}"),
                    NotJudgedCause::Unresponsive,
                ));
            }
        }
        if let Some(signatures) = signatures.as_mut() {
            let judgement = signatures.judge(spec, index, &request);
            findings.extend(judgement.findings);
            if let (Some(reason), None) = (judgement.unverified, &not_judged) {
                if findings.is_empty() {
                    not_judged = Some((
                        format!("log.entries[{index}]: the response rules hold, but {reason}"),
                        NotJudgedCause::Configuration,
                    ));
                }
            }
        }
        let status = exchange
            .response
            .as_ref()
            .map_or_else(|_| "no response".to_string(), |r| r.status.to_string());
        let title = format!(
            "log.entries[{index}] {method} {} -> {status}",
            entry.request.url
        );
        let level = findings
            .iter()
            .map(|f| f.level)
            .min()
            .unwrap_or(Level::Must);
        let mut requirements: Vec<String> = findings
            .iter()
            .filter_map(|f| f.requirement.map(str::to_string))
            .collect();
        requirements.sort();
        requirements.dedup();
        let outcome = if !findings.is_empty() {
            let mut message = format!("{title}\n");
            for finding in &findings {
                message.push_str(&format!("  {}\n", finding.line()));
                if let Some(source) = finding
                    .requirement
                    .and_then(|id| spec.requirements.get(id))
                    .map(|r| &r.source)
                {
                    message.push_str(&format!("    source: {source}\n"));
                }
            }
            message.push_str(&format!("  reproduce: {}", exchange.request.curl));
            Outcome::Failed { message }
        } else if let Some((reason, cause)) = not_judged {
            Outcome::NotJudged { reason, cause }
        } else {
            Outcome::Passed
        };
        let passed = outcome == Outcome::Passed;
        let mismatches = vec![(
            target.name.clone(),
            findings.iter().map(|f| f.mismatch.clone()).collect(),
        )];
        verdicts.push(EntryVerdict::Judged(Box::new(VectorResult {
            id,
            path: har_path.to_path_buf(),
            title,
            kind: VectorKind::Target,
            level,
            requirements,
            outcome,
            duration: started.elapsed(),
            steps: vec![StepRecord {
                name: format!("{method} {}", target.name),
                exchanges: vec![exchange],
                mismatches,
                passed,
                invariants: Vec::new(),
                settled: None,
                captures: Vec::new(),
            }],
        })));
    }
    verdicts
}

/// Runs `judge`: loads the specs and the HAR file, judges every entry, runs one trial per entry
/// with libtest-mimic's arguments, writes the reports. Exit codes follow `run`
/// ([`crate::run::exit_code`]): unusable when the file cannot be read or holds no Collections
/// exchange.
pub fn run(test_args: &libtest_mimic::Arguments, args: &JudgeArgs) -> Result<RunOutcome, Unusable> {
    let profile = if args.strict {
        Profile::Strict
    } else {
        args.profile
    };
    let specs = args
        .specs
        .clone()
        .unwrap_or_else(|| crate::runner::SuiteConfig::bundled(profile).specs);
    let spec = Spec::load(&specs).map_err(|e| Unusable(format!("{e:#}")))?;
    let har = har::Har::load(&args.har).map_err(|e| Unusable(format!("{e:#}")))?;
    let keys = args.credentials.keys();
    let started = std::time::Instant::now();
    let redactor = Redactor::new(args.credentials.secrets());
    let verdicts: Vec<EntryVerdict> = judge_har(&har, &args.har, &spec, keys.clone())
        .into_iter()
        .map(|verdict| match verdict {
            EntryVerdict::Judged(result) => {
                EntryVerdict::Judged(Box::new(result.redacted(&redactor)))
            }
            skipped => skipped,
        })
        .collect();
    let results: Vec<VectorResult> = verdicts
        .iter()
        .filter_map(|v| match v {
            EntryVerdict::Judged(result) => Some((**result).clone()),
            EntryVerdict::Skipped { .. } => None,
        })
        .collect();
    if results.is_empty() {
        return Err(Unusable(format!(
            "{}: none of its {} entries targets a Collections endpoint (/1.1/collections/...json)",
            args.har.display(),
            har.log.entries.len()
        )));
    }
    if !test_args.list && !matches!(test_args.format, Some(libtest_mimic::FormatSetting::Json)) {
        println!(
            "judge: {} ({} entries, {} Collections exchanges); signatures {}",
            args.har.display(),
            har.log.entries.len(),
            results.len(),
            if keys.is_some() {
                "verified with the given credentials"
            } else {
                "not checked (no consumer secret and token pair given)"
            }
        );
    }
    // The reports and the summary cover the trials that ran (a filter may skip some).
    let ran: Arc<std::sync::Mutex<std::collections::HashSet<String>>> = Arc::default();
    let trials: Vec<Trial> = verdicts
        .iter()
        .map(|v| trial(v, profile, Arc::clone(&ran)))
        .collect();
    let conclusion = libtest_mimic::run(test_args, trials);
    if test_args.list {
        return Ok(RunOutcome::Passed);
    }
    let ran = ran.lock().map(|ran| ran.clone()).unwrap_or_default();
    let results: Vec<VectorResult> = results
        .into_iter()
        .filter(|r| ran.contains(&r.id))
        .collect();
    let summary = Summary::of(&results, profile);
    println!("{}", summary.render(profile));
    let report = RunReport {
        results: &results,
        summary: &summary,
        profile,
        target: args.har.display().to_string(),
        duration: started.elapsed(),
        coverage: Vec::new(),
    };
    let write = |path: &Option<PathBuf>,
                 render: fn(&RunReport<'_>) -> anyhow::Result<String>|
     -> Result<(), Unusable> {
        if let Some(path) = path {
            render(&report)
                .and_then(|text| report::write(path, &text))
                .map_err(|e| Unusable(format!("{e:#}")))?;
        }
        Ok(())
    };
    write(&args.junit, report::junit)?;
    write(&args.report_json, report::json)?;
    write(&args.report_html, report::html)?;
    let unverified: Vec<&str> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::NotJudged {
                reason,
                cause: NotJudgedCause::Configuration,
            } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    if !unverified.is_empty() && !args.allow_incomplete {
        return Err(Unusable(format!(
            "incomplete: {} exchange(s) could not be judged with the given credentials, so this \
             run cannot say the recorded client signs correctly:\n  {}\n\
             (--allow-incomplete / CONFORMANCE_ALLOW_INCOMPLETE=1 accepts a partial judgement)",
            unverified.len(),
            unverified.join("\n  ")
        )));
    }
    if conclusion.has_failed() {
        Ok(RunOutcome::Failed)
    } else {
        Ok(RunOutcome::Passed)
    }
}

fn trial(
    verdict: &EntryVerdict,
    profile: Profile,
    ran: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
) -> Trial {
    match verdict {
        EntryVerdict::Skipped { id, reason } => {
            let reason = reason.clone();
            Trial::ignorable_test(id.clone(), move || Ok(Completion::ignored_with(reason)))
                .with_kind("skipped")
        }
        EntryVerdict::Judged(result) => {
            let result = Arc::new((**result).clone());
            let kind = result.level.as_str();
            Trial::ignorable_test(result.id.clone(), move || {
                if let Ok(mut ran) = ran.lock() {
                    ran.insert(result.id.clone());
                }
                match &result.outcome {
                    Outcome::Passed => Ok(Completion::Completed),
                    Outcome::NotJudged { reason, .. } => {
                        Ok(Completion::ignored_with(format!("not judged: {reason}")))
                    }
                    Outcome::Failed { message } if profile.fails_on(result.level) => {
                        Err(Failed::from(message))
                    }
                    Outcome::Failed { .. } => Ok(Completion::Completed),
                    Outcome::Invalid { message } => Err(Failed::from(message)),
                }
            })
            .with_kind(kind)
        }
    }
}
