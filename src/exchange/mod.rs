//! Turns a vector step into a real HTTP request, sends it, and records what went over the wire.
//!
//! What is recorded is exactly what was sent and received, secrets included, so the checks judge
//! the target's real bytes. Anything that leaves the process (failure text, reports, terminal)
//! goes through [`Exchange::redacted`] first.

mod auth;
mod curl;

pub use auth::{Authentication, Unsigned, authenticate, with_fixed_nonce};

use crate::oauth;
use crate::redact::Redactor;
use crate::target::Target;
use crate::vector::{AuthMode, Bindings, Request, WireEncoding};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The most of a response body the kit reads; a hostile server cannot exhaust memory.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A request exactly as sent (secrets included until [`RecordedRequest::redacted`]).
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Full URL with query.
    pub url: String,
    /// Request headers in the order sent.
    pub headers: Vec<(String, String)>,
    /// Body text, if any.
    pub body: Option<String>,
    /// A `curl` command that sends the same request; built from the redacted values in a
    /// redacted copy.
    pub curl: String,
}

impl RecordedRequest {
    /// Records a request; the `curl` line is built from the same values.
    pub fn new(
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<String>,
    ) -> RecordedRequest {
        RecordedRequest {
            curl: curl::command(method, url, &headers, body.as_deref()),
            method: method.to_string(),
            url: url.to_string(),
            headers,
            body,
        }
    }

    /// A copy fit to leave the process: secrets and signatures replaced by placeholders in the
    /// URL, headers and body, and the `curl` line rebuilt from those redacted values.
    pub fn redacted(&self, redactor: &Redactor) -> RecordedRequest {
        RecordedRequest::new(
            &self.method,
            &redactor.redact(&self.url),
            self.headers
                .iter()
                .map(|(k, v)| (k.clone(), redactor.redact(v)))
                .collect(),
            self.body.as_deref().map(|b| redactor.redact(b)),
        )
    }
}

/// Why a response body has no JSON value: what the checks that need JSON report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyProblem {
    /// The bytes are not UTF-8, which RFC 8259 requires of JSON exchanged between systems.
    NotUtf8 {
        /// Offset of the first byte that is not part of a valid UTF-8 sequence.
        offset: usize,
        /// That byte.
        byte: u8,
    },
    /// The body was longer than [`MAX_BODY_BYTES`]; the kit did not read it all.
    TooLarge,
    /// UTF-8, but not JSON (the parser's message).
    NotJson(String),
}

impl BodyProblem {
    /// The body's JSON value, or why it has none.
    fn of(bytes: &[u8], truncated: bool) -> Result<serde_json::Value, BodyProblem> {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            // A sequence cut by the kit's own size limit is not the target's fault.
            Err(e) if truncated && e.error_len().is_none() => return Err(BodyProblem::TooLarge),
            Err(e) => {
                let offset = e.valid_up_to();
                return Err(BodyProblem::NotUtf8 {
                    offset,
                    byte: bytes[offset],
                });
            }
        };
        if truncated {
            return Err(BodyProblem::TooLarge);
        }
        serde_json::from_str(text).map_err(|e| BodyProblem::NotJson(e.to_string()))
    }

    /// Whether the body is not UTF-8.
    pub fn is_not_utf8(&self) -> bool {
        matches!(self, BodyProblem::NotUtf8 { .. })
    }
}

impl std::fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyProblem::NotUtf8 { offset, byte } => write!(
                f,
                "not UTF-8 (RFC 8259 requires UTF-8): invalid byte 0x{byte:02x} at offset {offset}"
            ),
            BodyProblem::TooLarge => write!(
                f,
                "not judged as JSON: longer than the {MAX_BODY_BYTES} bytes the kit reads"
            ),
            BodyProblem::NotJson(reason) => write!(f, "not JSON: {reason}"),
        }
    }
}

impl Serialize for BodyProblem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A response exactly as received (secrets included until [`RecordedResponse::redacted`]).
#[derive(Debug, Clone, Serialize)]
pub struct RecordedResponse {
    /// HTTP status code.
    pub status: u16,
    /// Headers, names lower-cased; values as text (bytes that are not UTF-8 shown as U+FFFD).
    pub headers: Vec<(String, String)>,
    /// The body for people to read: lossy UTF-8 of [`RecordedResponse::bytes`]. Checks that
    /// need JSON use [`RecordedResponse::json`], never this text.
    pub body: String,
    /// The body bytes as received, at most [`MAX_BODY_BYTES`].
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// The body parsed as JSON: only when it is valid UTF-8 and parses.
    #[serde(skip)]
    pub json: Option<serde_json::Value>,
    /// Why `json` is `None` (not UTF-8, not JSON, too large).
    pub body_problem: Option<BodyProblem>,
    /// Whether the body was cut at [`MAX_BODY_BYTES`].
    pub truncated: bool,
}

impl RecordedResponse {
    /// Records a response from its raw parts: decodes the body strictly for `json`, lossily for
    /// the display text.
    pub fn new(
        status: u16,
        headers: Vec<(String, String)>,
        bytes: Vec<u8>,
        truncated: bool,
    ) -> RecordedResponse {
        let (json, body_problem) = match BodyProblem::of(&bytes, truncated) {
            Ok(json) => (Some(json), None),
            Err(problem) => (None, Some(problem)),
        };
        RecordedResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
            json,
            body_problem,
            truncated,
        }
    }

    /// The first header of that (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A copy fit to leave the process: secrets and signatures replaced in the headers and the
    /// body. `body_problem` still describes the body as received; `bytes` and `json` follow the
    /// redacted text.
    pub fn redacted(&self, redactor: &Redactor) -> RecordedResponse {
        let body = redactor.redact(&self.body);
        let json = self
            .json
            .as_ref()
            .and_then(|_| serde_json::from_str(&body).ok());
        RecordedResponse {
            status: self.status,
            headers: self
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), redactor.redact(v)))
                .collect(),
            bytes: body.clone().into_bytes(),
            body,
            json,
            body_problem: self.body_problem.clone(),
            truncated: self.truncated,
        }
    }
}

/// One request and its response (or why there was none).
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// The request.
    pub request: RecordedRequest,
    /// The response, or the transport error (timeout, refused connection, ...).
    pub response: Result<RecordedResponse, String>,
    /// Wall time of the exchange.
    pub duration: Duration,
}

impl Exchange {
    /// A copy fit to leave the process (failure text, reports, terminal): request URL, headers,
    /// body and `curl` line, response headers and body, and transport error text, all with
    /// secrets and signatures replaced by placeholders.
    pub fn redacted(&self, redactor: &Redactor) -> Exchange {
        Exchange {
            request: self.request.redacted(redactor),
            response: match &self.response {
                Ok(response) => Ok(response.redacted(redactor)),
                Err(error) => Err(redactor.redact(error)),
            },
            duration: self.duration,
        }
    }
}

/// A client configured for conformance runs: the target's timeout, no redirects followed (a
/// redirect is itself a response to judge), no proxy surprises.
pub fn client(target: &Target) -> reqwest::Client {
    target
        .http
        .get_or_init(|| {
            // reqwest is built without a crypto provider (see Cargo.toml); an error only means
            // a provider is already installed for this process.
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::builder()
                .timeout(target.timeout)
                .connect_timeout(target.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .expect("a client with these settings always builds")
        })
        .clone()
}

/// The URL of an endpoint on the target: `{base}/1.1/{endpoint}.json`.
pub fn endpoint_url(target: &Target, endpoint: &str) -> url::Url {
    path_url(target, &endpoint_path(endpoint))
}

/// The path of a v1.1 endpoint: `/1.1/{endpoint}.json`.
pub fn endpoint_path(endpoint: &str) -> String {
    format!("/1.1/{endpoint}.json")
}

fn path_url(target: &Target, path: &str) -> url::Url {
    let mut url = target.base_url.clone();
    let base_path = url.path().trim_end_matches('/').to_string();
    url.set_path(&format!("{base_path}{path}"));
    url.set_query(None);
    url
}

/// Sends one step's request and records the exchange(s). Errors are problems of the vector
/// itself (a placeholder it may not use), not of the target.
pub async fn perform(
    client: &reqwest::Client,
    target: &Target,
    request: &Request,
    bindings: &Bindings,
) -> Result<Vec<Exchange>, String> {
    let url = match (&request.endpoint, &request.path) {
        (Some(endpoint), _) => {
            endpoint_url(target, &bindings.fill(endpoint).map_err(|e| e.to_string())?)
        }
        (None, Some(path)) => path_url(target, &bindings.fill(path).map_err(|e| e.to_string())?),
        (None, None) => return Err("the request names neither `endpoint` nor `path`".into()),
    };
    let query = bindings
        .fill_pairs(&request.query.pairs())
        .map_err(|e| e.to_string())?;
    let form = bindings
        .fill_pairs(&request.form.pairs())
        .map_err(|e| e.to_string())?;
    let raw_body = match &request.body {
        Some(body) => Some(bindings.fill(&body.text).map_err(|e| e.to_string())?),
        None => None,
    };
    let unsigned = Unsigned {
        method: &request.method,
        url: &url,
        query: &query,
        form: &form,
        body: raw_body.as_deref(),
    };
    let auth = authenticate(request.auth, request.oauth_in, target, &unsigned)?;
    let wire = build_wire(request, bindings, &unsigned, &auth, raw_body.as_deref())?;

    let mut exchanges = Vec::new();
    if auth.replay_after_another {
        exchanges.push(wire.send(client).await);
        let fresh = authenticate(AuthMode::User, request.oauth_in, target, &unsigned)?;
        let other = build_wire(request, bindings, &unsigned, &fresh, raw_body.as_deref())?;
        exchanges.push(other.send(client).await);
    }
    let times = if auth.send_twice { 2 } else { 1 };
    for _ in 0..times {
        exchanges.push(wire.send(client).await);
    }
    Ok(exchanges)
}

/// The bytes of a request: parameters encoded as the vector asks, authentication added.
fn build_wire(
    request: &Request,
    bindings: &Bindings,
    unsigned: &Unsigned<'_>,
    auth: &Authentication,
    raw_body: Option<&str>,
) -> Result<Wire, String> {
    let (query, form) = (unsigned.query, unsigned.form);
    let mut wire = Wire {
        method: request.method.clone(),
        url: unsigned.url.clone(),
        headers: Vec::new(),
        body: None,
    };
    let all_query: Vec<_> = query.iter().chain(&auth.query).cloned().collect();
    if !all_query.is_empty() {
        wire.url
            .set_query(Some(&encode(request.encoding, &all_query)));
    }
    let all_form: Vec<_> = form.iter().chain(&auth.form).cloned().collect();
    if let (Some(body), Some(text)) = (&request.body, raw_body) {
        if let Some(content_type) = &body.content_type {
            wire.headers
                .push(("Content-Type".into(), content_type.clone()));
        }
        wire.body = Some(text.to_string());
    } else if !all_form.is_empty() {
        wire.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        wire.body = Some(encode(request.encoding, &all_form));
    }
    for (name, value) in &request.headers {
        let value = bindings.fill(value).map_err(|e| e.to_string())?;
        wire.headers.push((name.clone(), value));
    }
    wire.headers.extend(auth.headers.iter().cloned());
    Ok(wire)
}

/// A request in exactly the bytes that will be sent.
#[derive(Debug, Clone)]
pub struct Wire {
    /// HTTP method.
    pub method: String,
    /// URL with the encoded query.
    pub url: url::Url,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: Option<String>,
}

impl Wire {
    /// Sends the request once and records the exchange; transport failures are recorded, not
    /// returned, so a broken target yields a failed trial with the reason.
    pub async fn send(&self, client: &reqwest::Client) -> Exchange {
        let recorded = self.record();
        let started = Instant::now();
        let response = self.send_raw(client).await;
        Exchange {
            request: recorded,
            response,
            duration: started.elapsed(),
        }
    }

    async fn send_raw(&self, client: &reqwest::Client) -> Result<RecordedResponse, String> {
        let method = reqwest::Method::from_bytes(self.method.as_bytes())
            .map_err(|e| format!("invalid method `{}`: {e}", self.method))?;
        let mut builder = client.request(method, self.url.clone());
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &self.body {
            builder = builder.body(body.clone());
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| describe_transport_error(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut bytes = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| describe_transport_error(&e))?
        {
            let room = MAX_BODY_BYTES - bytes.len();
            if chunk.len() > room {
                bytes.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(RecordedResponse::new(status, headers, bytes, truncated))
    }

    fn record(&self) -> RecordedRequest {
        RecordedRequest::new(
            &self.method,
            self.url.as_str(),
            self.headers.clone(),
            self.body.clone(),
        )
    }
}

/// Encodes parameters for the wire in the client style the vector asks for.
fn encode(encoding: WireEncoding, pairs: &[(String, String)]) -> String {
    match encoding {
        WireEncoding::Rfc3986 => oauth::encode_pairs(pairs),
        WireEncoding::Form => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&"),
    }
}

/// HTML-form encoding as many HTTP clients do it: space as `+`, `*` raw, `~` and everything else
/// outside `A-Za-z0-9-._` as lower-case `%xx`.
fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02x}")),
        }
    }
    out
}

/// A transport error with its causes, in one line: what a person needs to fix the target.
fn describe_transport_error(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "broken response body"
    } else {
        "request failed"
    };
    let mut text = format!("{kind}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_json_only_when_it_is_utf8_and_parses() {
        let ok = RecordedResponse::new(200, vec![], br#"{"a":"\u00e9"}"#.to_vec(), false);
        assert_eq!(ok.json, Some(serde_json::json!({"a": "é"})));
        assert_eq!(ok.body_problem, None);
        // A proxy that put \xff\xfe into a message: the display text is lossy, the JSON absent.
        let bytes = b"{\"errors\":[{\"code\":34,\"message\":\"\xff\xfe\"}]}".to_vec();
        let latin = RecordedResponse::new(404, vec![], bytes.clone(), false);
        assert_eq!(latin.json, None);
        assert_eq!(latin.bytes, bytes);
        assert!(latin.body.contains('\u{fffd}'));
        assert_eq!(
            latin.body_problem.unwrap().to_string(),
            "not UTF-8 (RFC 8259 requires UTF-8): invalid byte 0xff at offset 33"
        );
        let html = RecordedResponse::new(500, vec![], b"<html>".to_vec(), false);
        assert!(matches!(html.body_problem, Some(BodyProblem::NotJson(_))));
        // A multi-byte character cut by the kit's own size limit is not the target's fault.
        let cut = RecordedResponse::new(200, vec![], b"[\"\xc3".to_vec(), true);
        assert_eq!(cut.body_problem, Some(BodyProblem::TooLarge));
    }

    #[test]
    fn a_redacted_exchange_hides_secrets_everywhere_and_rebuilds_curl() {
        let redactor = Redactor::new(vec![("s3cret".into(), "$SECRET")]);
        let exchange = Exchange {
            request: RecordedRequest::new(
                "POST",
                "http://h/x?k=s3cret&oauth_signature=abc%3D",
                vec![(
                    "Authorization".into(),
                    r#"OAuth oauth_signature="abc%3D""#.into(),
                )],
                Some("b=s3cret".into()),
            ),
            response: Ok(RecordedResponse::new(
                200,
                vec![("x-echo".into(), "s3cret".into())],
                br#"{"echo":"s3cret"}"#.to_vec(),
                false,
            )),
            duration: Duration::from_millis(1),
        };
        // Recorded raw: checks see exactly what was sent and received.
        assert!(exchange.request.curl.contains("s3cret"));
        let redacted = exchange.redacted(&redactor);
        let text = format!("{redacted:?}");
        assert!(!text.contains("s3cret") && !text.contains("abc"), "{text}");
        assert_eq!(
            redacted.request.curl,
            r#"curl -i -X POST 'http://h/x?k=$SECRET&oauth_signature=$OAUTH_SIGNATURE' -H 'Authorization: OAuth oauth_signature="$OAUTH_SIGNATURE"' --data-raw 'b=$SECRET'"#
        );
        let response = redacted.response.unwrap();
        assert_eq!(response.json, Some(serde_json::json!({"echo": "$SECRET"})));
        let failed = Exchange {
            response: Err("could not connect: http://h/x?k=s3cret".into()),
            ..exchange
        };
        assert_eq!(
            failed.redacted(&redactor).response.unwrap_err(),
            "could not connect: http://h/x?k=$SECRET"
        );
    }

    #[test]
    fn form_encoding_differs_from_rfc3986_where_clients_differ() {
        assert_eq!(form_encode("a b*~é"), "a+b*%7e%c3%a9");
        assert_eq!(crate::oauth::percent_encode("a b*~é"), "a%20b%2A~%C3%A9");
    }
}
