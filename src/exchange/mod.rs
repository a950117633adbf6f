//! Turns a vector step into a real HTTP request, sends it, and records what went over the wire.
//!
//! What is recorded is already redacted: nothing downstream (checks, failure text, reports) ever
//! holds a secret.

mod auth;
mod curl;

pub use auth::{Authentication, Unsigned, authenticate};

use crate::oauth;
use crate::redact::Redactor;
use crate::target::Target;
use crate::vector::{Bindings, Request, WireEncoding};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The most of a response body the kit reads; a hostile server cannot exhaust memory.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A request as sent, secrets replaced by placeholders.
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
    /// A `curl` command that sends the same request (signature and secrets as placeholders).
    pub curl: String,
}

/// A response as received, secrets replaced by placeholders.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedResponse {
    /// HTTP status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body text (lossy UTF-8, at most [`MAX_BODY_BYTES`]).
    pub body: String,
    /// The body parsed as JSON, when it is JSON.
    #[serde(skip)]
    pub json: Option<serde_json::Value>,
    /// Whether the body was cut at [`MAX_BODY_BYTES`].
    pub truncated: bool,
}

impl RecordedResponse {
    /// The first header of that (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
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
    redactor: &Redactor,
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
    let auth = authenticate(
        request.auth,
        request.oauth_in,
        target,
        &Unsigned {
            method: &request.method,
            url: &url,
            query: &query,
            form: &form,
        },
    )?;

    let mut wire = Wire {
        method: request.method.clone(),
        url,
        headers: Vec::new(),
        body: None,
    };
    let all_query: Vec<_> = query.iter().chain(&auth.query).cloned().collect();
    if !all_query.is_empty() {
        wire.url
            .set_query(Some(&encode(request.encoding, &all_query)));
    }
    let all_form: Vec<_> = form.iter().chain(&auth.form).cloned().collect();
    if let Some(body) = &request.body {
        let text = bindings.fill(&body.text).map_err(|e| e.to_string())?;
        if let Some(content_type) = &body.content_type {
            wire.headers
                .push(("Content-Type".into(), content_type.clone()));
        }
        wire.body = Some(text);
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

    let times = if auth.send_twice { 2 } else { 1 };
    let mut exchanges = Vec::with_capacity(times);
    for _ in 0..times {
        exchanges.push(wire.send(client, redactor).await);
    }
    Ok(exchanges)
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
    pub async fn send(&self, client: &reqwest::Client, redactor: &Redactor) -> Exchange {
        let recorded = self.record(redactor);
        let started = Instant::now();
        let response = self.send_raw(client, redactor).await;
        Exchange {
            request: recorded,
            response,
            duration: started.elapsed(),
        }
    }

    async fn send_raw(
        &self,
        client: &reqwest::Client,
        redactor: &Redactor,
    ) -> Result<RecordedResponse, String> {
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
            .map_err(|e| redactor.redact(&describe_transport_error(&e)))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    redactor.redact(&String::from_utf8_lossy(v.as_bytes())),
                )
            })
            .collect();
        let mut bytes = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| redactor.redact(&describe_transport_error(&e)))?
        {
            let room = MAX_BODY_BYTES - bytes.len();
            if chunk.len() > room {
                bytes.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        let body = redactor.redact(&String::from_utf8_lossy(&bytes));
        let json = serde_json::from_str(&body).ok();
        Ok(RecordedResponse {
            status,
            headers,
            body,
            json,
            truncated,
        })
    }

    fn record(&self, redactor: &Redactor) -> RecordedRequest {
        let url = redactor.redact(self.url.as_str());
        let headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), redactor.redact(v)))
            .collect();
        let body = self.body.as_deref().map(|b| redactor.redact(b));
        RecordedRequest {
            curl: curl::command(&self.method, &url, &headers, body.as_deref()),
            method: self.method.clone(),
            url,
            headers,
            body,
        }
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
    #[test]
    fn form_encoding_differs_from_rfc3986_where_clients_differ() {
        assert_eq!(super::form_encode("a b*~é"), "a+b*%7e%c3%a9");
        assert_eq!(crate::oauth::percent_encode("a b*~é"), "a%20b%2A~%C3%A9");
    }
}
