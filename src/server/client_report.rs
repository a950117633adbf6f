//! `serve --client-report FILE`: the conformance report of the clients, seen from the server.
//!
//! The kit judges servers; an SDK author wants the other direction: "did my client sign, place
//! and pace its requests as Twitter documents?". With a report configured, every request that
//! reaches authentication is analysed at one seam (right after [`super::auth::authenticate`] in
//! the request pipeline, and once more when the rate limit has been counted) and recorded per
//! client: consumer key + access token + `User-Agent`.
//!
//! The analysis is the faithful one, whatever faults or variants the server runs with: a bad
//! signature the server let through under a lax policy is reported as *tolerated*, not hidden.
//! A signature failure shows the base string the client had to sign and, when one of the common
//! client mistakes reproduces the presented signature, the base string the client did sign and
//! which parts differ. No secret and no signature value is ever written: the signing key is
//! secret, and the expected signature would be an oracle for it.
//!
//! Without `--client-report` the server holds no recorder and the pipeline skips the seam.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use super::errors::{ApiError, JSON_CONTENT_TYPE};
use super::params::is_form;
use super::routes::Endpoint;
use super::seed::Seed;
use super::state::AppState;
use crate::oauth;

/// Where a running server answers with the report so far (and writes the files): `GET` it.
pub const REPORT_PATH: &str = "/_client-report";

/// Identifies the JSON document.
pub const FORMAT: &str = "collections-conformance client report";

/// Clock skew beyond which an accepted request is still called out (Twitter's own window is
/// UNVERIFIED; its documentation asks for an NTP-synchronised clock).
const SKEW_WORTH_NOTING_SECS: u64 = 60;

/// Nonces remembered per client before expired ones are swept.
const NONCE_SWEEP_AT: usize = 4096;

/// Clients told apart; later ones share one entry, so a hostile caller cannot grow the report
/// without bound.
const MAX_CLIENTS: usize = 1000;

/// Distinct findings kept per client (reasons may quote what the client sent).
const MAX_FINDINGS: usize = 100;

/// Characters of a `User-Agent` kept.
const MAX_USER_AGENT: usize = 200;

/// The recorder: what every client did so far, and where the report goes.
#[derive(Debug)]
pub struct ClientReport {
    json_path: PathBuf,
    markdown_path: PathBuf,
    secrets: Secrets,
    window_secs: u64,
    clients: Mutex<BTreeMap<ClientKey, ClientRecord>>,
}

/// The credentials the analysis signs with; never written anywhere.
#[derive(Debug)]
struct Secrets {
    consumer_key: String,
    consumer_secret: String,
    bearer_token: String,
    /// Token → (token secret, revoked).
    tokens: HashMap<String, (String, bool)>,
}

/// Who a client is: the credentials it presents and what it calls itself.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct ClientKey {
    /// `oauth1`, `bearer`, `none`, or `overflow` past [`MAX_CLIENTS`].
    auth: &'static str,
    consumer_key: Option<String>,
    access_token: Option<String>,
    user_agent: Option<String>,
}

/// Everything recorded about one client.
#[derive(Debug, Default)]
struct ClientRecord {
    requests: u64,
    authenticated: u64,
    refused: BTreeMap<String, u64>,
    rate_limited: u64,
    endpoints: BTreeMap<&'static str, u64>,
    skew: SkewStats,
    findings: BTreeMap<(Severity, String), FindingRecord>,
    /// Nonce → the server time it was first accepted.
    nonces: HashMap<String, u64>,
    /// Endpoint → `x-rate-limit-reset` of the last 429 the client got there.
    limited_until: HashMap<&'static str, u64>,
}

#[derive(Debug)]
struct FindingRecord {
    kind: &'static str,
    count: u64,
    example: Option<Example>,
}

/// How bad a finding is, least first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Allowed by the standards, but not what Twitter documents; no effect on the verdict.
    Note,
    /// The server accepted it; Twitter's documentation asks otherwise, and a stricter server may
    /// refuse it.
    Tolerated,
    /// The server refused the request because of it.
    Refused,
}

/// The class a finding has before the server's answer is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// A faithful server refuses it.
    Error,
    /// A faithful server accepts it; Twitter's documentation asks otherwise.
    Deviation,
    /// Standard, but unusual.
    Note,
}

/// One request's evidence for a finding.
#[derive(Clone, Debug, Serialize)]
pub struct Example {
    /// `METHOD /path` (no query: it may carry OAuth parameters).
    pub request: String,
    /// What the server answered at the authentication step (`accepted` or `STATUS/CODE`).
    pub server_answer: String,
    /// More about this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The signature base string the client had to sign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_base_string: Option<String>,
    /// The base string the client signed, when a known mistake reproduces its signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_base_string: Option<String>,
    /// Which parts of the two base strings differ.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<String>,
}

#[derive(Debug)]
struct RawFinding {
    class: Class,
    kind: &'static str,
    reason: String,
    example: Option<Example>,
}

/// Everything one request tells about its client, before it is recorded.
#[derive(Debug)]
struct Analysis {
    key: ClientKey,
    endpoint: Endpoint,
    request_line: String,
    findings: Vec<RawFinding>,
    skew: Option<i64>,
    /// The nonce, when the signature verified (as the server records it).
    verified_nonce: Option<String>,
    /// `STATUS/CODE` when the server refused at authentication.
    refused: Option<String>,
    now: u64,
}

/// A request that passed authentication; recorded once its rate limit is known.
#[derive(Debug)]
pub struct Pending<'a> {
    report: &'a ClientReport,
    analysis: Analysis,
}

impl Pending<'_> {
    /// Records the request with its rate-limit outcome: `limited` when the server answered
    /// 429, `reset` the `x-rate-limit-reset` of the window.
    pub fn commit(self, limited: bool, reset: u64) {
        self.report.record(self.analysis, Some((limited, reset)));
    }
}

impl ClientReport {
    /// A recorder writing to `path` (JSON) and beside it (Markdown, `.md`); writes an empty
    /// report at once, so a missing folder or an unwritable file fails at start, not at shutdown.
    pub fn create(path: &Path, seed: &Seed, window_secs: u64) -> anyhow::Result<ClientReport> {
        let mut tokens = HashMap::new();
        for user in &seed.users {
            tokens.insert(
                user.access_token.clone(),
                (user.access_token_secret.clone(), false),
            );
        }
        for token in &seed.revoked_tokens {
            tokens.insert(
                token.access_token.clone(),
                (token.access_token_secret.clone(), true),
            );
        }
        let markdown_path = if path.extension().is_some_and(|e| e == "md") {
            PathBuf::from(format!("{}.md", path.display()))
        } else {
            path.with_extension("md")
        };
        let report = ClientReport {
            json_path: path.to_path_buf(),
            markdown_path,
            secrets: Secrets {
                consumer_key: seed.app.consumer_key.clone(),
                consumer_secret: seed.app.consumer_secret.clone(),
                bearer_token: seed.app.bearer_token.clone(),
                tokens,
            },
            window_secs,
            clients: Mutex::default(),
        };
        report
            .write()
            .context("cannot write the --client-report file")?;
        Ok(report)
    }

    /// The seam: analyses a request once authentication has answered. A refused request is
    /// recorded at once (`None`); an accepted one comes back to be committed with its rate limit.
    pub fn observe(
        &self,
        endpoint: Endpoint,
        parts: &Parts,
        body: &[u8],
        base_url: Option<&str>,
        outcome: Result<(), &ApiError>,
        now: u64,
    ) -> Option<Pending<'_>> {
        let analysis = analyse(
            &self.secrets,
            self.window_secs,
            endpoint,
            parts,
            body,
            base_url,
            outcome,
            now,
        );
        if analysis.refused.is_some() {
            self.record(analysis, None);
            None
        } else {
            Some(Pending {
                report: self,
                analysis,
            })
        }
    }

    fn clients(&self) -> MutexGuard<'_, BTreeMap<ClientKey, ClientRecord>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn record(&self, analysis: Analysis, rate_limit: Option<(bool, u64)>) {
        let refused = analysis.refused.is_some();
        let mut clients = self.clients();
        let key = if clients.len() >= MAX_CLIENTS && !clients.contains_key(&analysis.key) {
            ClientKey {
                auth: "overflow",
                consumer_key: None,
                access_token: None,
                user_agent: Some(format!("(clients beyond the first {MAX_CLIENTS})")),
            }
        } else {
            analysis.key
        };
        let client = clients.entry(key).or_default();
        client.requests += 1;
        *client
            .endpoints
            .entry(analysis.endpoint.name())
            .or_default() += 1;
        match &analysis.refused {
            Some(answer) => *client.refused.entry(answer.clone()).or_default() += 1,
            None => client.authenticated += 1,
        }
        if let Some(skew) = analysis.skew {
            client.skew.add(skew);
        }
        let mut findings = analysis.findings;
        if let Some(nonce) = analysis.verified_nonce {
            let now = analysis.now;
            let window = self.window_secs;
            if client.nonces.len() >= NONCE_SWEEP_AT {
                client
                    .nonces
                    .retain(|_, at| at.saturating_add(window) >= now);
            }
            match client.nonces.get(&nonce) {
                Some(at) if at.saturating_add(window) >= now => findings.push(RawFinding {
                    class: Class::Error,
                    kind: "nonce_reused",
                    reason: "an oauth_nonce was used again within the timestamp window (Twitter \
                             uses it to spot repeated requests: generate a fresh one per request)"
                        .into(),
                    example: Some(example(&analysis.request_line, &analysis.refused, None)),
                }),
                _ => {
                    if client.nonces.len() < NONCE_SWEEP_AT * 4 {
                        client.nonces.insert(nonce, now);
                    }
                }
            }
        }
        if let Some((limited, reset)) = rate_limit {
            let endpoint = analysis.endpoint.name();
            if let Some(until) = client.limited_until.get(endpoint).copied() {
                if analysis.now < until {
                    findings.push(RawFinding {
                        class: if limited {
                            Class::Error
                        } else {
                            Class::Deviation
                        },
                        kind: "retry_before_reset",
                        reason: format!(
                            "retried {endpoint} after a 429 without waiting for \
                             x-rate-limit-reset"
                        ),
                        example: Some(Example {
                            detail: Some(format!(
                                "sent {} s before the advertised reset",
                                until - analysis.now
                            )),
                            ..example(
                                &analysis.request_line,
                                &limited.then(|| "429/88".to_string()),
                                None,
                            )
                        }),
                    });
                }
            }
            if limited {
                client.rate_limited += 1;
                client.limited_until.insert(endpoint, reset);
            } else {
                client.limited_until.remove(endpoint);
            }
        }
        for finding in findings {
            let severity = match finding.class {
                Class::Error if refused => Severity::Refused,
                // The 429 retry carries its own answer.
                Class::Error if finding.kind == "retry_before_reset" => Severity::Refused,
                Class::Error | Class::Deviation => Severity::Tolerated,
                Class::Note => Severity::Note,
            };
            let key = (severity, finding.reason);
            if client.findings.len() >= MAX_FINDINGS && !client.findings.contains_key(&key) {
                continue;
            }
            let entry = client.findings.entry(key).or_insert(FindingRecord {
                kind: finding.kind,
                count: 0,
                example: None,
            });
            entry.count += 1;
            if entry.example.is_none() {
                entry.example = finding.example;
            }
        }
    }

    /// The report so far, as the JSON document written to the file.
    pub fn document(&self) -> Document {
        let clients = self.clients();
        let mut entries: Vec<ClientEntry> = clients
            .iter()
            .map(|(key, record)| client_entry(key, record))
            .collect();
        entries.sort_by_key(|c| std::cmp::Reverse(c.severity_rank));
        let count = |verdict: &str| entries.iter().filter(|c| c.verdict == verdict).count();
        Document {
            format: FORMAT,
            version: 1,
            generated_at: oauth::unix_now(),
            timestamp_window_secs: self.window_secs,
            summary: Summary {
                clients: entries.len(),
                conforms: count(CONFORMS),
                tolerated_deviations: count(TOLERATED),
                refused_requests: count(REFUSED),
            },
            clients: entries,
        }
    }

    /// Writes the JSON file and the Markdown file beside it (each through a temporary file, so
    /// a reader never sees half a report), and returns what it wrote.
    pub fn write(&self) -> anyhow::Result<Document> {
        let document = self.document();
        let json = serde_json::to_string_pretty(&document)?;
        write_atomically(&self.json_path, json.as_bytes())?;
        write_atomically(&self.markdown_path, markdown(&document).as_bytes())?;
        Ok(document)
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bytes)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("cannot replace {}", path.display()))
}

/// `GET /_client-report`: writes the files (off the async threads) and answers with the JSON
/// report. Any other method gets the envelope of an unknown path, as everywhere else.
pub async fn on_demand(State(state): State<Arc<AppState>>, method: Method) -> Response {
    if state.client_report.is_none() || !(method == Method::GET || method == Method::HEAD) {
        return ApiError::not_found().into_response();
    }
    let written = tokio::task::spawn_blocking(move || {
        let report = state.client_report.as_ref()?;
        Some(report.write())
    })
    .await;
    let document = match written {
        Ok(Some(Ok(document))) => document,
        Ok(Some(Err(error))) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("{error:#}\n")).into_response();
        }
        _ => return (StatusCode::INTERNAL_SERVER_ERROR, "report unavailable\n").into_response(),
    };
    let body = serde_json::to_string_pretty(&document).unwrap_or_default();
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    response
}

// ---------------------------------------------------------------------------------------------
// The analysis of one request.

/// Characters JavaScript's `encodeURIComponent` leaves alone: RFC 3986's unreserved plus `!'()*`.
const JS_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*');

/// RFC 3986's unreserved characters but `~` (RFC 2396 encoders, Python before 3.7).
const TILDE_ENCODED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_');

#[allow(clippy::too_many_arguments)]
fn analyse(
    secrets: &Secrets,
    window_secs: u64,
    endpoint: Endpoint,
    parts: &Parts,
    body: &[u8],
    base_url: Option<&str>,
    outcome: Result<(), &ApiError>,
    now: u64,
) -> Analysis {
    let request_line = format!("{} {}", parts.method, parts.uri.path());
    let refused = outcome
        .err()
        .map(|e| format!("{}/{}", e.status.as_u16(), e.code));
    let user_agent = parts.headers.get(header::USER_AGENT).map(|v| {
        String::from_utf8_lossy(v.as_bytes())
            .chars()
            .take(MAX_USER_AGENT)
            .collect()
    });
    let mut analysis = Analysis {
        key: ClientKey {
            auth: "none",
            consumer_key: None,
            access_token: None,
            user_agent,
        },
        endpoint,
        request_line,
        findings: Vec::new(),
        skew: None,
        verified_nonce: None,
        refused,
        now,
    };
    let (line, answer) = (analysis.request_line.clone(), analysis.refused.clone());
    let error = |kind: &'static str, reason: String, detail: Option<String>| RawFinding {
        class: Class::Error,
        kind,
        reason,
        example: Some(example(&line, &answer, detail)),
    };
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());

    // Bearer tokens: app-only auth on a user-context endpoint.
    if let Some(value) = authorization.as_deref() {
        let trimmed = value.trim();
        let (scheme, token) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
        if scheme.eq_ignore_ascii_case("Bearer") {
            analysis.key.auth = "bearer";
            let whose = if oauth::signatures_equal(&secrets.bearer_token, token.trim()) {
                "the app's bearer token"
            } else {
                "an unknown bearer token"
            };
            let finding = error(
                "bearer_token",
                "a bearer token (app-only auth) on a user-context endpoint: every Collections \
                 endpoint needs an OAuth 1.0a user context"
                    .into(),
                Some(format!("sent {whose}")),
            );
            analysis.findings.push(finding);
            return analysis;
        }
    }

    // Where the OAuth parameters are.
    let mut header_pairs = Vec::new();
    let mut realm = None;
    if let Some(value) = authorization.as_deref() {
        match oauth::parse_authorization_header(value) {
            Some(Ok(pairs)) => {
                header_pairs = pairs;
                realm = realm_of(value);
            }
            Some(Err(problem)) => {
                let finding = error(
                    "malformed_header",
                    "an Authorization: OAuth header the server cannot read".into(),
                    Some(problem.to_string()),
                );
                analysis.findings.push(finding);
                return analysis;
            }
            None => {}
        }
    }
    let raw_query = parts.uri.query().unwrap_or("");
    let query = oauth::parse_form(raw_query);
    let body_text = String::from_utf8_lossy(body);
    let form_body = is_form(&parts.headers);
    // curate's body is JSON and never signed, whatever its Content-Type claims.
    let body_signed = form_body && endpoint != Endpoint::EntriesCurate;
    let form = if body_signed {
        oauth::parse_form(&body_text)
    } else {
        Vec::new()
    };
    let every: Vec<&(String, String)> = header_pairs.iter().chain(&query).chain(&form).collect();
    let value = |name: &str| {
        every
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    analysis.key.consumer_key = value("oauth_consumer_key").map(str::to_string);
    analysis.key.access_token = value("oauth_token").map(str::to_string);
    if every.iter().any(|(k, _)| k.starts_with("oauth_")) {
        analysis.key.auth = "oauth1";
    } else {
        let finding = error(
            "no_credentials",
            "no OAuth 1.0a credentials (no Authorization header and no oauth_* parameters)".into(),
            None,
        );
        analysis.findings.push(finding);
        return analysis;
    }

    // Placement and transport encoding: what the server tolerates.
    let mut transported = vec![raw_query];
    if body_signed {
        transported.push(&body_text);
    }
    analysis
        .findings
        .extend(placement(&header_pairs, &query, &form, &transported));

    // The checks a faithful server makes, in its order.
    let mut keys = std::collections::HashSet::new();
    if let Some((repeated, _)) = every.iter().find(|(k, _)| !keys.insert(k.as_str())) {
        let finding = error(
            "duplicate_parameter",
            format!("parameter `{repeated}` sent twice (across header, query and body)"),
            None,
        );
        analysis.findings.push(finding);
    }
    let missing: Vec<&str> = [
        "oauth_consumer_key",
        "oauth_token",
        "oauth_nonce",
        "oauth_timestamp",
        "oauth_signature_method",
        "oauth_signature",
    ]
    .into_iter()
    .filter(|name| value(name).is_none())
    .collect();
    if !missing.is_empty() {
        let finding = error(
            "missing_oauth_parameter",
            format!("missing {}", missing.join(", ")),
            None,
        );
        analysis.findings.push(finding);
    }
    match every.iter().find(|(k, _)| k == "oauth_version") {
        None => analysis.findings.push(RawFinding {
            class: Class::Deviation,
            kind: "oauth_version_missing",
            reason: "oauth_version left out (RFC 5849 makes it optional; Twitter lists it among \
                     the seven parameters, always 1.0)"
                .into(),
            example: None,
        }),
        Some((_, v)) if v != oauth::VERSION => {
            let finding = error(
                "oauth_version",
                format!("oauth_version {v:?} (must be 1.0)"),
                None,
            );
            analysis.findings.push(finding);
        }
        Some(_) => {}
    }
    let method = value("oauth_signature_method");
    if let Some(method) = method.filter(|m| *m != oauth::HMAC_SHA1) {
        let finding = error(
            "signature_method",
            format!("oauth_signature_method {method:?} (Twitter accepts only HMAC-SHA1)"),
            None,
        );
        analysis.findings.push(finding);
    }
    let consumer_known = value("oauth_consumer_key")
        .is_some_and(|key| oauth::signatures_equal(&secrets.consumer_key, key));
    if value("oauth_consumer_key").is_some() && !consumer_known {
        let finding = error("unknown_consumer_key", "unknown consumer key".into(), None);
        analysis.findings.push(finding);
    }
    let token_secret = match value("oauth_token").map(|t| secrets.tokens.get(t)) {
        Some(Some((secret, false))) => Some(secret.as_str()),
        Some(Some((_, true))) => {
            let finding = error("revoked_token", "a revoked access token".into(), None);
            analysis.findings.push(finding);
            None
        }
        Some(None) => {
            let finding = error("unknown_token", "an unknown access token".into(), None);
            analysis.findings.push(finding);
            None
        }
        None => None,
    };
    if let Some(timestamp) = value("oauth_timestamp") {
        match timestamp.parse::<i64>() {
            Ok(ts) => {
                let skew = ts.saturating_sub(i64::try_from(now).unwrap_or(i64::MAX));
                analysis.skew = Some(skew);
                let off = skew.unsigned_abs();
                let side = if skew < 0 { "behind" } else { "ahead of" };
                if off > window_secs {
                    let finding = error(
                        "timestamp_out_of_window",
                        format!("oauth_timestamp outside the server's {window_secs} s window"),
                        Some(format!("{off} s {side} the server clock")),
                    );
                    analysis.findings.push(finding);
                } else if off > SKEW_WORTH_NOTING_SECS {
                    analysis.findings.push(RawFinding {
                        class: Class::Deviation,
                        kind: "clock_skew",
                        reason: format!(
                            "clock more than {SKEW_WORTH_NOTING_SECS} s off the server's (keep \
                             it in sync with NTP, as Twitter asks)"
                        ),
                        example: None,
                    });
                }
            }
            Err(_) => {
                let finding = error(
                    "timestamp_not_a_number",
                    format!("oauth_timestamp {timestamp:?} is not a number of seconds"),
                    None,
                );
                analysis.findings.push(finding);
            }
        }
    }

    // The signature.
    let presented = value("oauth_signature");
    if let (Some(token_secret), Some(presented), true, Some(oauth::HMAC_SHA1), Some(base_url)) =
        (token_secret, presented, consumer_known, method, base_url)
    {
        let input = SignedRequest {
            method: parts.method.as_str(),
            base_url,
            header: &header_pairs,
            query: &query,
            form: &form,
            realm: realm.as_deref(),
            raw_query,
            raw_body: body_signed.then_some(&*body_text),
            unsigned_body: (!body_signed && !body.is_empty()).then_some(&*body_text),
        };
        let key = oauth::signing_key(&secrets.consumer_secret, token_secret);
        match diagnose(
            &input,
            presented,
            &key,
            &secrets.consumer_secret,
            token_secret,
        ) {
            None => analysis.verified_nonce = value("oauth_nonce").map(str::to_string),
            Some(diagnosis) => analysis.findings.push(RawFinding {
                class: Class::Error,
                kind: "signature_mismatch",
                reason: format!("signature does not match: {}", diagnosis.cause),
                example: Some(Example {
                    detail: None,
                    expected_base_string: Some(diagnosis.expected),
                    client_base_string: diagnosis.client,
                    differences: diagnosis.differences,
                    ..example(&analysis.request_line, &analysis.refused, None)
                }),
            }),
        }
    }

    if analysis.refused.is_some()
        && !analysis
            .findings
            .iter()
            .any(|finding| finding.class == Class::Error)
    {
        let detail = outcome.err().map(|e| e.message.clone());
        analysis.findings.push(RawFinding {
            class: Class::Error,
            kind: "refused_otherwise",
            reason: "refused by the server though the request looks conforming (a server \
                     limit, a fault or a variant)"
                .into(),
            example: Some(example(&analysis.request_line, &analysis.refused, detail)),
        });
    }
    analysis
}

/// Where the client put its parameters and how it encoded them in transit: notes and
/// deviations the faithful server accepts.
fn placement(
    header: &[(String, String)],
    query: &[(String, String)],
    form: &[(String, String)],
    transported: &[&str],
) -> Vec<RawFinding> {
    let mut findings = Vec::new();
    let located = |pairs: &[(String, String)]| pairs.iter().any(|(k, _)| k.starts_with("oauth_"));
    let locations: Vec<&str> = [
        ("the Authorization header", located(header)),
        ("the query string", located(query)),
        ("the form body", located(form)),
    ]
    .into_iter()
    .filter(|(_, here)| *here)
    .map(|(name, _)| name)
    .collect();
    if locations.len() > 1 {
        findings.push(RawFinding {
            class: Class::Deviation,
            kind: "oauth_split",
            reason: format!(
                "OAuth parameters split across {} (RFC 5849 section 3.5: one location only)",
                locations.join(" and ")
            ),
            example: None,
        });
    } else if located(query) || located(form) {
        findings.push(RawFinding {
            class: Class::Note,
            kind: "oauth_placement",
            reason: format!(
                "OAuth parameters in {} rather than the Authorization header (RFC 5849 \
                 section 3.5 allows it; Twitter documents the header)",
                locations.join("")
            ),
            example: None,
        });
    }
    let api = |pairs: &[(String, String)]| pairs.iter().any(|(k, _)| !k.starts_with("oauth_"));
    if api(query) && api(form) {
        findings.push(RawFinding {
            class: Class::Note,
            kind: "params_split",
            reason: "API parameters split across the query string and the form body".into(),
            example: None,
        });
    }
    if transported.iter().any(|raw| raw.contains('+')) {
        findings.push(RawFinding {
            class: Class::Deviation,
            kind: "plus_for_space",
            reason: "`+` in the query string or form body (form-style space): Twitter asks for \
                     RFC 3986 encoding, `%20`"
                .into(),
            example: None,
        });
    }
    let unencoded: String = {
        let mut seen: Vec<char> = transported
            .iter()
            .flat_map(|raw| raw.chars())
            .filter(|c| "!'()*,:;@/?$[]".contains(*c))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter().collect()
    };
    if !unencoded.is_empty() {
        findings.push(RawFinding {
            class: Class::Deviation,
            kind: "unencoded_reserved",
            reason: format!(
                "reserved characters sent unencoded ({unencoded}): Twitter asks for RFC 3986 \
                 percent-encoding in query strings and form bodies"
            ),
            example: None,
        });
    }
    findings
}

fn example(request: &str, refused: &Option<String>, detail: Option<String>) -> Example {
    Example {
        request: request.to_string(),
        server_answer: refused.clone().unwrap_or_else(|| "accepted".into()),
        detail,
        expected_base_string: None,
        client_base_string: None,
        differences: Vec::new(),
    }
}

/// The `realm` field of an `OAuth` header (which the signature must leave out).
fn realm_of(header: &str) -> Option<String> {
    let fields = header.trim_start().split_once(' ')?.1;
    fields.split(',').find_map(|field| {
        let (key, value) = field.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("realm")
            .then(|| value.trim().trim_matches('"').to_string())
    })
}

/// The parts of a request that go into its signature.
struct SignedRequest<'a> {
    method: &'a str,
    base_url: &'a str,
    /// Header fields (realm dropped), `oauth_signature` included.
    header: &'a [(String, String)],
    query: &'a [(String, String)],
    /// The form body's pairs when the body is signed.
    form: &'a [(String, String)],
    realm: Option<&'a str>,
    raw_query: &'a str,
    /// The signed body as sent.
    raw_body: Option<&'a str>,
    /// A body the server does not sign (not a form, or curate's).
    unsigned_body: Option<&'a str>,
}

impl SignedRequest<'_> {
    fn signed(&self, header: bool, query: bool, form: bool) -> Vec<(String, String)> {
        let none: &[(String, String)] = &[];
        let pick =
            |on: bool, pairs: &[(String, String)]| if on { pairs.to_vec() } else { none.to_vec() };
        let mut pairs = pick(header, self.header);
        pairs.extend(pick(query, self.query));
        pairs.extend(pick(form, self.form));
        pairs.retain(|(k, _)| k != "oauth_signature");
        pairs
    }

    /// The signed parameters of the query and body as sent, with `+` kept a literal plus.
    fn signed_keeping_plus(&self) -> Vec<(String, String)> {
        let keep = |raw: &str| oauth::parse_form(&raw.replace('+', "%2B"));
        let mut pairs = self.header.to_vec();
        pairs.extend(keep(self.raw_query));
        pairs.extend(self.raw_body.map(keep).unwrap_or_default());
        pairs.retain(|(k, _)| k != "oauth_signature");
        pairs
    }
}

/// What a signature failure comes down to.
struct Diagnosis {
    cause: String,
    expected: String,
    client: Option<String>,
    differences: Vec<String>,
}

/// `None` when `presented` is the right signature; else the expected base string and, when a
/// common client mistake reproduces `presented`, that mistake.
fn diagnose(
    request: &SignedRequest<'_>,
    presented: &str,
    key: &str,
    consumer_secret: &str,
    token_secret: &str,
) -> Option<Diagnosis> {
    let all = request.signed(true, true, true);
    let expected = oauth::signature_base_string(request.method, request.base_url, &all);
    if oauth::signatures_equal(&oauth::hmac_sha1(key, &expected), presented) {
        return None;
    }
    let rfc = |s: &str| oauth::percent_encode(s);
    let form = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let js = |s: &str| utf8_percent_encode(s, JS_COMPONENT).to_string();
    let tilde = |s: &str| utf8_percent_encode(s, TILDE_ENCODED).to_string();
    let build = |method: &str, url: &str, params: &[(String, String)]| {
        oauth::signature_base_string(method, url, params)
    };
    let mut candidates: Vec<(String, String)> =
        vec![
        (
            "parameters encoded the application/x-www-form-urlencoded way (space as `+`, `*` \
             kept, `~` as `%7E`) instead of RFC 3986"
                .into(),
            encoded_base_string(request.method, request.base_url, &all, &form, &rfc, true),
        ),
        (
            "the whole base string form-encoded (space as `+`, `*` kept, `~` as `%7E`) instead \
             of RFC 3986"
                .into(),
            encoded_base_string(request.method, request.base_url, &all, &form, &form, true),
        ),
        (
            "`!'()*` left unencoded (JavaScript's encodeURIComponent) instead of RFC 3986".into(),
            encoded_base_string(request.method, request.base_url, &all, &js, &js, true),
        ),
        (
            "`~` encoded as `%7E`; RFC 3986 leaves it as is".into(),
            encoded_base_string(request.method, request.base_url, &all, &tilde, &tilde, true),
        ),
        (
            "parameters left unsorted (the base string sorts them by encoded key, then value)"
                .into(),
            encoded_base_string(request.method, request.base_url, &all, &rfc, &rfc, false),
        ),
        (
            "parameter values percent-encoded twice".into(),
            build(
                request.method,
                request.base_url,
                &all.iter()
                    .map(|(k, v)| (k.clone(), rfc(v)))
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "form-body parameters left out of the signature (an \
             application/x-www-form-urlencoded body is signed)"
                .into(),
            build(request.method, request.base_url, &request.signed(true, true, false)),
        ),
        (
            "query-string parameters left out of the signature".into(),
            build(request.method, request.base_url, &request.signed(true, false, true)),
        ),
        (
            "a `+` sent unencoded but signed as a literal plus (the server reads `+` as a \
             space, as form encoding says; send `%2B`)"
                .into(),
            build(request.method, request.base_url, &request.signed_keeping_plus()),
        ),
        (
            "the method in the base string is not upper case".into(),
            format!(
                "{}{}",
                request.method.to_ascii_lowercase(),
                &expected[request.method.len()..]
            ),
        ),
    ];
    if let Some(body) = request.unsigned_body {
        let mut with_body = all.clone();
        with_body.extend(oauth::parse_form(body));
        candidates.push((
            "a body that is not an application/x-www-form-urlencoded form (or curate's JSON) \
             signed as parameters: only form bodies are signed"
                .into(),
            build(request.method, request.base_url, &with_body),
        ));
    }
    if let Some(realm) = request.realm {
        let mut with_realm = all.clone();
        with_realm.push(("realm".into(), realm.into()));
        candidates.push((
            "`realm` signed (RFC 5849 leaves it out of the base string)".into(),
            build(request.method, request.base_url, &with_realm),
        ));
    }
    match all.iter().any(|(k, _)| k == "oauth_version") {
        true => candidates.push((
            "oauth_version sent but left out of the signature".into(),
            build(
                request.method,
                request.base_url,
                &all.iter()
                    .filter(|(k, _)| k != "oauth_version")
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
        )),
        false => {
            let mut with_version = all.clone();
            with_version.push(("oauth_version".into(), oauth::VERSION.into()));
            candidates.push((
                "oauth_version signed but not sent".into(),
                build(request.method, request.base_url, &with_version),
            ));
        }
    }
    for method in ["GET", "POST"] {
        if !method.eq_ignore_ascii_case(request.method) {
            candidates.push((
                format!("signed as {method} but sent as {}", request.method),
                build(method, request.base_url, &all),
            ));
        }
    }
    for (url, mistake) in url_mistakes(request.base_url, request.raw_query) {
        candidates.push((
            format!(
                "signed for the URL {url}, {mistake} (the base URL is {})",
                request.base_url
            ),
            build(request.method, &url, &all),
        ));
    }
    for (cause, base) in &candidates {
        if base != &expected && oauth::signatures_equal(&oauth::hmac_sha1(key, base), presented) {
            return Some(Diagnosis {
                cause: cause.clone(),
                differences: differences(&expected, base),
                client: Some(base.clone()),
                expected,
            });
        }
    }
    let keys = [
        (
            "signing key without the token secret (`consumer_secret&`)",
            format!("{}&", rfc(consumer_secret)),
        ),
        (
            "signing key of the consumer secret alone, without `&`",
            rfc(consumer_secret),
        ),
        (
            "signing key with the secrets in the wrong order (`token_secret&consumer_secret`)",
            format!("{}&{}", rfc(token_secret), rfc(consumer_secret)),
        ),
        (
            "signing key with the secrets not percent-encoded",
            format!("{consumer_secret}&{token_secret}"),
        ),
    ];
    for (cause, wrong_key) in keys {
        if wrong_key != key
            && oauth::signatures_equal(&oauth::hmac_sha1(&wrong_key, &expected), presented)
        {
            return Some(Diagnosis {
                cause: format!("the base string is right; {cause}"),
                client: Some(expected.clone()),
                differences: Vec::new(),
                expected,
            });
        }
    }
    Some(Diagnosis {
        cause: "no common client mistake reproduces it: most likely a wrong consumer secret or \
                token secret in the signing key; else compare the client's base string with the \
                expected one"
            .into(),
        expected,
        client: None,
        differences: Vec::new(),
    })
}

/// A base string with its own encoders: `inner` for keys and values, `outer` for the URL and
/// the parameter string; `sort` as the rules require, or in the order given.
fn encoded_base_string(
    method: &str,
    base_url: &str,
    params: &[(String, String)],
    inner: &dyn Fn(&str) -> String,
    outer: &dyn Fn(&str) -> String,
    sort: bool,
) -> String {
    let mut pairs: Vec<(String, String)> =
        params.iter().map(|(k, v)| (inner(k), inner(v))).collect();
    if sort {
        pairs.sort();
    }
    let parameter_string = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        outer(base_url),
        outer(&parameter_string)
    )
}

/// URLs a client may have signed instead of the base URL: the other scheme, the default port
/// written out, the query string kept.
fn url_mistakes(base_url: &str, raw_query: &str) -> Vec<(String, &'static str)> {
    let mut urls = Vec::new();
    if let Some(rest) = base_url.strip_prefix("http://") {
        urls.push((format!("https://{rest}"), "the wrong scheme"));
    } else if let Some(rest) = base_url.strip_prefix("https://") {
        urls.push((format!("http://{rest}"), "the wrong scheme"));
    }
    if let Ok(url) = url::Url::parse(base_url) {
        if url.port().is_none() {
            if let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) {
                urls.push((
                    format!("{}://{host}:{port}{}", url.scheme(), url.path()),
                    "the default port written out",
                ));
            }
        }
    }
    if !raw_query.is_empty() {
        urls.push((format!("{base_url}?{raw_query}"), "the query string kept"));
    }
    urls
}

/// What differs between two base strings, part by part (method, URL, each parameter).
fn differences(expected: &str, client: &str) -> Vec<String> {
    let split = |base: &str| -> (String, String, Vec<String>) {
        let mut parts = base.splitn(3, '&');
        let method = parts.next().unwrap_or_default().to_string();
        let url = oauth::form_decode(&parts.next().unwrap_or_default().replace('+', "%2B"));
        let params = percent_encoding::percent_decode_str(parts.next().unwrap_or_default())
            .decode_utf8_lossy()
            .split('&')
            .map(str::to_string)
            .collect();
        (method, url, params)
    };
    let (em, eu, ep) = split(expected);
    let (cm, cu, cp) = split(client);
    let mut out = Vec::new();
    if em != cm {
        out.push(format!("method: expected {em}, client signed {cm}"));
    }
    if eu != cu {
        out.push(format!("URL: expected {eu}, client signed {cu}"));
    }
    for pair in ep.iter().filter(|p| !cp.contains(p)) {
        out.push(format!("only in the expected parameters: {pair}"));
    }
    for pair in cp.iter().filter(|p| !ep.contains(p)) {
        out.push(format!("only in the client's parameters: {pair}"));
    }
    if out.is_empty() && ep != cp {
        out.push("the same parameters in another order".into());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The document.

const CONFORMS: &str = "conforms";
const TOLERATED: &str = "tolerated deviations";
const REFUSED: &str = "refused requests";

/// The JSON report.
#[derive(Debug, Serialize)]
pub struct Document {
    /// [`FORMAT`].
    pub format: &'static str,
    /// Bumped when a field changes meaning.
    pub version: u32,
    /// Unix seconds.
    pub generated_at: u64,
    /// The server's `oauth_timestamp` window.
    pub timestamp_window_secs: u64,
    /// Clients per verdict.
    pub summary: Summary,
    /// One entry per client, worst verdict first.
    pub clients: Vec<ClientEntry>,
}

/// Clients per verdict.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Clients seen.
    pub clients: usize,
    /// Clients that conform.
    pub conforms: usize,
    /// Clients the server accepted despite deviations.
    pub tolerated_deviations: usize,
    /// Clients with refused requests.
    pub refused_requests: usize,
}

/// One client's record.
#[derive(Debug, Serialize)]
pub struct ClientEntry {
    /// A one-line name: User-Agent, consumer key, access token.
    pub client: String,
    /// `oauth1`, `bearer` or `none`.
    pub auth: &'static str,
    /// `oauth_consumer_key` presented.
    pub consumer_key: Option<String>,
    /// `oauth_token` presented.
    pub access_token: Option<String>,
    /// `User-Agent` sent.
    pub user_agent: Option<String>,
    /// `conforms`, `tolerated deviations` or `refused requests`.
    pub verdict: &'static str,
    /// Why, one line per finding that is not a note, worst first.
    pub reasons: Vec<String>,
    /// Requests that reached authentication.
    pub requests: u64,
    /// Requests authentication accepted.
    pub authenticated: u64,
    /// Requests refused at authentication, by `STATUS/CODE`.
    pub refused: BTreeMap<String, u64>,
    /// Requests answered 429.
    pub rate_limited: u64,
    /// Requests per endpoint.
    pub endpoints: BTreeMap<&'static str, u64>,
    /// `oauth_timestamp` minus the server clock, in seconds.
    pub timestamp_skew: Option<SkewSummary>,
    /// Every finding, worst first.
    pub findings: Vec<FindingEntry>,
    #[serde(skip)]
    severity_rank: u8,
}

/// One finding of a client.
#[derive(Debug, Serialize)]
pub struct FindingEntry {
    /// `refused`, `tolerated` or `note`.
    pub severity: Severity,
    /// A stable identifier (`signature_mismatch`, `retry_before_reset`, …).
    pub kind: &'static str,
    /// What the client did and what it should do.
    pub reason: String,
    /// Requests it concerned.
    pub count: u64,
    /// The first such request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<Example>,
}

/// The distribution of a client's clock skew.
#[derive(Debug, Default, Clone)]
struct SkewStats {
    count: u64,
    min: i64,
    max: i64,
    sum: i64,
    /// |skew| ≤ 1, ≤ 5, ≤ 30, ≤ 60, ≤ 300, more.
    buckets: [u64; 6],
}

const SKEW_BOUNDS: [(u64, &str); 6] = [
    (1, "<=1s"),
    (5, "<=5s"),
    (30, "<=30s"),
    (60, "<=60s"),
    (300, "<=300s"),
    (u64::MAX, ">300s"),
];

impl SkewStats {
    fn add(&mut self, skew: i64) {
        if self.count == 0 {
            (self.min, self.max) = (skew, skew);
        }
        self.count += 1;
        self.min = self.min.min(skew);
        self.max = self.max.max(skew);
        self.sum = self.sum.saturating_add(skew);
        let at = SKEW_BOUNDS
            .iter()
            .position(|(bound, _)| skew.unsigned_abs() <= *bound)
            .unwrap_or(SKEW_BOUNDS.len() - 1);
        self.buckets[at] += 1;
    }
}

/// A client's clock skew: `oauth_timestamp` minus the server's clock (negative: behind).
#[derive(Debug, Serialize)]
pub struct SkewSummary {
    /// Timestamps seen.
    pub count: u64,
    /// Most behind (or least ahead).
    pub min_secs: i64,
    /// Most ahead (or least behind).
    pub max_secs: i64,
    /// Mean, rounded.
    pub mean_secs: i64,
    /// Requests by absolute skew.
    pub histogram: BTreeMap<&'static str, u64>,
}

fn client_entry(key: &ClientKey, record: &ClientRecord) -> ClientEntry {
    let mut findings: Vec<FindingEntry> = record
        .findings
        .iter()
        .map(|((severity, reason), finding)| FindingEntry {
            severity: *severity,
            kind: finding.kind,
            reason: reason.clone(),
            count: finding.count,
            example: finding.example.clone(),
        })
        .collect();
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.count.cmp(&a.count)));
    let worst = findings.first().map(|f| f.severity);
    let (verdict, severity_rank) = match worst {
        Some(Severity::Refused) => (REFUSED, 2),
        Some(Severity::Tolerated) => (TOLERATED, 1),
        _ => (CONFORMS, 0),
    };
    let reasons = findings
        .iter()
        .filter(|f| f.severity != Severity::Note)
        .map(|f| format!("{}: {} ({}x)", label(f.severity), f.reason, f.count))
        .collect();
    let skew = &record.skew;
    let timestamp_skew = (skew.count > 0).then(|| SkewSummary {
        count: skew.count,
        min_secs: skew.min,
        max_secs: skew.max,
        mean_secs: (skew.sum as f64 / skew.count as f64).round() as i64,
        histogram: SKEW_BOUNDS
            .iter()
            .zip(skew.buckets)
            .filter(|(_, n)| *n > 0)
            .map(|((_, name), n)| (*name, n))
            .collect(),
    });
    ClientEntry {
        client: client_name(key),
        auth: key.auth,
        consumer_key: key.consumer_key.clone(),
        access_token: key.access_token.clone(),
        user_agent: key.user_agent.clone(),
        verdict,
        reasons,
        requests: record.requests,
        authenticated: record.authenticated,
        refused: record.refused.clone(),
        rate_limited: record.rate_limited,
        endpoints: record.endpoints.clone(),
        timestamp_skew,
        findings,
        severity_rank,
    }
}

fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Refused => "refused",
        Severity::Tolerated => "tolerated",
        Severity::Note => "note",
    }
}

fn client_name(key: &ClientKey) -> String {
    let agent = key.user_agent.as_deref().unwrap_or("(no User-Agent)");
    match key.auth {
        "bearer" => format!("{agent} with a bearer token"),
        "none" => format!("{agent} without credentials"),
        _ => format!(
            "{agent}, consumer key {}, access token {}",
            key.consumer_key.as_deref().unwrap_or("(none)"),
            key.access_token.as_deref().unwrap_or("(none)")
        ),
    }
}

/// The Markdown companion of the JSON report.
fn markdown(document: &Document) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let s = &document.summary;
    let _ = writeln!(
        out,
        "# Client report\n\n{} client(s): {} conform, {} with tolerated deviations, {} with \
         refused requests. The JSON beside this file has every field.\n",
        s.clients, s.conforms, s.tolerated_deviations, s.refused_requests
    );
    for client in &document.clients {
        let _ = writeln!(out, "## {}: {}\n", client.verdict, client.client);
        let refused: u64 = client.refused.values().sum();
        let _ = writeln!(
            out,
            "{} request(s): {} authenticated, {} refused at authentication, {} answered 429.",
            client.requests, client.authenticated, refused, client.rate_limited
        );
        if let Some(skew) = &client.timestamp_skew {
            let _ = writeln!(
                out,
                "Timestamp skew: {} s to {} s (mean {} s).",
                skew.min_secs, skew.max_secs, skew.mean_secs
            );
        }
        out.push('\n');
        for finding in &client.findings {
            let _ = writeln!(
                out,
                "- **{}**: {} ({}x)",
                label(finding.severity),
                finding.reason,
                finding.count
            );
            let Some(example) = &finding.example else {
                continue;
            };
            let _ = writeln!(
                out,
                "  - e.g. `{}` → {}",
                example.request, example.server_answer
            );
            if let Some(detail) = &example.detail {
                let _ = writeln!(out, "  - {detail}");
            }
            if let Some(base) = &example.expected_base_string {
                let _ = writeln!(out, "  - expected base string: `{base}`");
            }
            if let Some(base) = &example.client_base_string {
                let _ = writeln!(out, "  - client's base string: `{base}`");
            }
            for difference in &example.differences {
                let _ = writeln!(out, "  - {difference}");
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_the_parameter() {
        let params = |v: &str| vec![("name".to_string(), v.to_string())];
        let expected = oauth::signature_base_string("POST", "http://h/x", &params("a b"));
        let client = encoded_base_string(
            "POST",
            "http://h/x",
            &params("a b"),
            &|s| url::form_urlencoded::byte_serialize(s.as_bytes()).collect(),
            &oauth::percent_encode,
            true,
        );
        assert_eq!(
            differences(&expected, &client),
            vec![
                "only in the expected parameters: name=a%20b".to_string(),
                "only in the client's parameters: name=a+b".to_string()
            ]
        );
    }

    /// Every common mistake the diagnosis tries is recognised as itself: no earlier candidate
    /// shadows it, and a wrong secret is told apart from all of them.
    #[test]
    fn each_signing_mistake_is_named() {
        let (consumer_secret, token_secret) = ("cs", "ts");
        let key = oauth::signing_key(consumer_secret, token_secret);
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let header = pairs(&[
            ("oauth_consumer_key", "ck"),
            ("oauth_nonce", "n"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1"),
            ("oauth_token", "t"),
            ("oauth_version", "1.0"),
        ]);
        let query = pairs(&[("count", "5")]);
        let form = pairs(&[("name", "a b*~!")]);
        let url = "http://h:8080/1.1/collections/create.json";
        let all: Vec<_> = header.iter().chain(&query).chain(&form).cloned().collect();
        let except = |name: &str| -> Vec<(String, String)> {
            all.iter().filter(|(k, _)| k != name).cloned().collect()
        };
        let rfc = |s: &str| oauth::percent_encode(s);
        let form_enc =
            |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let js = |s: &str| utf8_percent_encode(s, JS_COMPONENT).to_string();
        let tilde = |s: &str| utf8_percent_encode(s, TILDE_ENCODED).to_string();
        let sign = |base: String| oauth::hmac_sha1(&key, &base);
        let rfc_base = |method: &str, url: &str, params: &[(String, String)]| {
            oauth::signature_base_string(method, url, params)
        };
        let custom = |inner: &dyn Fn(&str) -> String, outer: &dyn Fn(&str) -> String, sort| {
            encoded_base_string("POST", url, &all, inner, outer, sort)
        };
        let all_but_count: Vec<_> = header.iter().chain(&form).cloned().collect();
        let all_but_name: Vec<_> = header.iter().chain(&query).cloned().collect();
        let mut with_realm = all.clone();
        with_realm.push(("realm".into(), "r".into()));
        let doubled: Vec<_> = all.iter().map(|(k, v)| (k.clone(), rfc(v))).collect();
        let cases: Vec<(&str, String)> = vec![
            (
                "application/x-www-form-urlencoded way",
                sign(custom(&form_enc, &rfc, true)),
            ),
            (
                "whole base string form-encoded",
                sign(custom(&form_enc, &form_enc, true)),
            ),
            ("encodeURIComponent", sign(custom(&js, &js, true))),
            ("`~` encoded as `%7E`", sign(custom(&tilde, &tilde, true))),
            ("left unsorted", sign(custom(&rfc, &rfc, false))),
            ("encoded twice", sign(rfc_base("POST", url, &doubled))),
            (
                "form-body parameters left out",
                sign(rfc_base("POST", url, &all_but_name)),
            ),
            (
                "query-string parameters left out",
                sign(rfc_base("POST", url, &all_but_count)),
            ),
            ("`realm` signed", sign(rfc_base("POST", url, &with_realm))),
            (
                "oauth_version sent but left out",
                sign(rfc_base("POST", url, &except("oauth_version"))),
            ),
            ("signed as GET", sign(rfc_base("GET", url, &all))),
            (
                "not upper case",
                sign(format!("post{}", &rfc_base("POST", url, &all)[4..])),
            ),
            (
                "the wrong scheme",
                sign(rfc_base("POST", &url.replace("http:", "https:"), &all)),
            ),
            (
                "the query string kept",
                sign(rfc_base("POST", &format!("{url}?count=5"), &all)),
            ),
            (
                "without the token secret",
                oauth::hmac_sha1("cs&", &rfc_base("POST", url, &all)),
            ),
            (
                "wrong consumer secret or token secret",
                oauth::hmac_sha1("cs&other", &rfc_base("POST", url, &all)),
            ),
        ];
        let request = SignedRequest {
            method: "POST",
            base_url: url,
            header: &header,
            query: &query,
            form: &form,
            realm: Some("r"),
            raw_query: "count=5",
            raw_body: Some("name=a%20b%2A~%21"),
            unsigned_body: None,
        };
        let right = sign(rfc_base("POST", url, &all));
        assert!(diagnose(&request, &right, &key, consumer_secret, token_secret).is_none());
        for (label, presented) in cases {
            let diagnosis = diagnose(&request, &presented, &key, consumer_secret, token_secret)
                .expect("a wrong signature is diagnosed");
            assert!(
                diagnosis.cause.contains(label),
                "{label}: got {:?}",
                diagnosis.cause
            );
        }
    }

    #[test]
    fn realm_is_found_in_any_case() {
        assert_eq!(
            realm_of("OAuth Realm=\"x\", oauth_nonce=\"n\"").as_deref(),
            Some("x")
        );
        assert_eq!(realm_of("OAuth oauth_nonce=\"n\""), None);
    }
}
