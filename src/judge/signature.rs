//! The client side of OAuth 1.0a in a recorded request: where the `oauth_*` parameters are, how
//! they are encoded, and whether the signature verifies under the given secrets (the base string
//! rebuilt from the recorded method, URL, query, form body and Authorization header with
//! [`crate::oauth`], the code the reference server verifies with).
//!
//! A signature that does not verify is diagnosed by trying the usual client mistakes (form body
//! left out, query left out, space signed as `+`, `~` or `*` encoded differently, values signed
//! still encoded, another method, the query or a default port in the base URL, the other scheme):
//! the first that reproduces the recorded signature is named.

use super::finding::Finding;
use crate::check::Mismatch;
use crate::oauth;
use crate::spec::Spec;
use crate::vector::Level;
use std::collections::HashMap;

/// The secrets to verify with, from the same flags and variables as `run`.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// `oauth_consumer_key` the requests should carry; `None`: not checked.
    pub consumer_key: Option<String>,
    /// The app's consumer secret.
    pub consumer_secret: String,
    /// Known access tokens with their secrets.
    pub tokens: Vec<(String, String)>,
}

/// A recorded request, as the signature rules read it.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Absolute URL with query.
    pub url: &'a url::Url,
    /// Request headers.
    pub headers: &'a [(String, String)],
    /// The body text, if any.
    pub body: Option<&'a str>,
    /// The body's media type, if any.
    pub content_type: Option<&'a str>,
    /// When it started (Unix seconds), if the recording says.
    pub started: Option<i64>,
}

/// What the signature rules concluded about one request.
#[derive(Debug, Clone, Default)]
pub struct Judgement {
    /// Rules broken.
    pub findings: Vec<Finding>,
    /// Why the signature could not be checked (a token or consumer key the given credentials do
    /// not include); `None` when it was.
    pub unverified: Option<String>,
}

/// The `oauth_*` parameters of a request, wherever they are.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    /// From `Authorization: OAuth ...`, decoded (realm dropped).
    pub header: Vec<(String, String)>,
    /// The header's fields as written, for the encoding rule.
    pub header_raw: Vec<(String, String)>,
    /// Why the OAuth header could not be read.
    pub header_error: Option<String>,
    /// The request used `Authorization: Bearer`.
    pub bearer: bool,
    /// Every query pair, decoded.
    pub query: Vec<(String, String)>,
    /// Every pair of an `application/x-www-form-urlencoded` body, decoded (empty otherwise).
    pub form: Vec<(String, String)>,
}

fn is_oauth(key: &str) -> bool {
    key.starts_with("oauth_")
}

impl Gathered {
    /// Reads the parameters of a request.
    pub fn of(request: &SignedRequest<'_>) -> Gathered {
        let mut gathered = Gathered {
            query: oauth::parse_form(request.url.query().unwrap_or_default()),
            ..Gathered::default()
        };
        let is_form = request.content_type.is_some_and(|t| {
            t.split(';').next().is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
        if is_form {
            gathered.form = oauth::parse_form(request.body.unwrap_or_default());
        }
        for (name, value) in request.headers {
            if !name.eq_ignore_ascii_case("authorization") {
                continue;
            }
            let scheme = value.split_whitespace().next().unwrap_or_default();
            if scheme.eq_ignore_ascii_case("bearer") {
                gathered.bearer = true;
            }
            match oauth::parse_authorization_header(value) {
                Some(Ok(pairs)) => {
                    gathered.header = pairs;
                    gathered.header_raw = raw_fields(value);
                }
                Some(Err(e)) => gathered.header_error = Some(e.to_string()),
                None => {}
            }
        }
        gathered
    }

    /// The value of an `oauth_*` parameter, from wherever it is.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.header
            .iter()
            .chain(&self.query)
            .chain(&self.form)
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The access token the request acts for (empty: none), for rate-limit keys.
    pub fn token(&self) -> &str {
        self.get("oauth_token").unwrap_or_default()
    }

    /// Where `oauth_*` parameters are: `header`, `query`, `form body`.
    pub fn places(&self) -> Vec<&'static str> {
        let mut places = Vec::new();
        if self.header.iter().any(|(k, _)| is_oauth(k)) {
            places.push("header");
        }
        if self.query.iter().any(|(k, _)| is_oauth(k)) {
            places.push("query");
        }
        if self.form.iter().any(|(k, _)| is_oauth(k)) {
            places.push("form body");
        }
        places
    }
}

/// The `key="value"` fields of an OAuth header as written (still encoded).
fn raw_fields(header: &str) -> Vec<(String, String)> {
    let rest = header.trim_start();
    let rest = rest.split_once(' ').map_or("", |(_, r)| r);
    rest.split(',')
        .filter_map(|field| {
            let (k, v) = field.trim().split_once('=')?;
            Some((k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        })
        .collect()
}

/// Checks signatures across a recording: keeps the nonces seen, to name a replay.
#[derive(Debug, Default)]
pub struct Signatures {
    keys: Keys,
    nonces: HashMap<(String, String, String, String), usize>,
}

/// Requirement: user context (OAuth 1.0a) is required.
const USER_CONTEXT: &str = "auth.user_context.required";

impl Signatures {
    /// A checker for these secrets.
    pub fn new(keys: Keys) -> Signatures {
        Signatures {
            keys,
            nonces: HashMap::new(),
        }
    }

    /// Every placement, encoding and signature problem of request `entry`.
    pub fn judge(&mut self, spec: &Spec, entry: usize, request: &SignedRequest<'_>) -> Judgement {
        let gathered = Gathered::of(request);
        let mut judgement = Judgement::default();
        let found = &mut judgement.findings;
        if let Some(error) = &gathered.header_error {
            found.push(Finding::of(
                spec,
                "auth.signature.verified",
                Level::Must,
                Mismatch::new(
                    "Authorization header",
                    "a readable `OAuth k=\"v\", ...` header",
                    error.clone(),
                ),
            ));
            return judgement;
        }
        let places = gathered.places();
        if places.is_empty() {
            let actual = if gathered.bearer {
                "an app-only bearer token (Authorization: Bearer)"
            } else {
                "no oauth_* parameters (no Authorization: OAuth header, none in the query or form body)"
            };
            found.push(Finding::of(
                spec,
                USER_CONTEXT,
                Level::Must,
                Mismatch::new("OAuth 1.0a", "a request signed in user context", actual),
            ));
            return judgement;
        }
        if places.len() > 1 {
            found.push(Finding::rule(
                Level::Must,
                Mismatch::new(
                    "OAuth placement",
                    "oauth_* parameters in one place (RFC 5849 §3.5: header, query or form body)",
                    format!("in the {}", places.join(" and ")),
                ),
            ));
        }
        for (key, value) in &gathered.header_raw {
            let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
            let canonical = oauth::percent_encode(&decoded);
            if !value.eq_ignore_ascii_case(&canonical) {
                found.push(Finding::rule(
                    Level::Should,
                    Mismatch::new(
                        "Authorization header encoding",
                        format!("{key} percent-encoded per RFC 3986 (`{canonical}`)"),
                        format!("`{value}`"),
                    ),
                ));
            }
        }
        let Some(signature) = gathered.get("oauth_signature").map(str::to_string) else {
            found.push(Finding::of(
                spec,
                "auth.signature.required",
                Level::Must,
                Mismatch::new("oauth_signature", "present", "absent"),
            ));
            return judgement;
        };
        let method = gathered.get("oauth_signature_method").unwrap_or_default();
        if !method.eq_ignore_ascii_case(oauth::HMAC_SHA1) {
            found.push(Finding::of(
                spec,
                "auth.signature.hmac_sha1_only",
                Level::Must,
                Mismatch::new(
                    "oauth_signature_method",
                    oauth::HMAC_SHA1,
                    format!("`{method}`"),
                ),
            ));
            return judgement;
        }
        if let Some(version) = gathered.get("oauth_version") {
            if version != oauth::VERSION {
                found.push(Finding::of(
                    spec,
                    "auth.version",
                    Level::Should,
                    Mismatch::new("oauth_version", "1.0 (or absent)", format!("`{version}`")),
                ));
            }
        }
        let consumer = gathered
            .get("oauth_consumer_key")
            .unwrap_or_default()
            .to_string();
        let token = gathered.token().to_string();
        let nonce = gathered.get("oauth_nonce").unwrap_or_default().to_string();
        let timestamp = gathered
            .get("oauth_timestamp")
            .unwrap_or_default()
            .to_string();
        match (timestamp.parse::<i64>(), request.started) {
            (Ok(at), Some(started)) if (at - started).abs() > 300 => found.push(Finding::rule(
                Level::Should,
                Mismatch::new(
                    "oauth_timestamp",
                    format!("within 5 minutes of when the request started ({started}, from startedDateTime)"),
                    format!("{at} ({:+} s)", at - started),
                ),
            )),
            (Err(_), _) => found.push(Finding::of(spec, "auth.timestamp.window", Level::Must, Mismatch::new("oauth_timestamp", "seconds since the Unix epoch", format!("`{timestamp}`")))),
            _ => {}
        }
        let replay_key = (
            consumer.clone(),
            token.clone(),
            nonce.clone(),
            timestamp.clone(),
        );
        if let Some(first) = self.nonces.get(&replay_key) {
            found.push(Finding::of(
                spec,
                "auth.nonce.replay",
                Level::Should,
                Mismatch::new(
                    "oauth_nonce",
                    format!(
                        "a fresh nonce (log.entries[{first}] has the same nonce and timestamp)"
                    ),
                    format!("`{nonce}`"),
                ),
            ));
        } else {
            self.nonces.insert(replay_key, entry);
        }
        if let Some(expected) = &self.keys.consumer_key {
            if *expected != consumer {
                judgement.unverified = Some(format!(
                    "the signature was not checked: oauth_consumer_key `{consumer}` is not the given consumer key (--consumer-key / CONFORMANCE_CONSUMER_KEY)"
                ));
                return judgement;
            }
        }
        let Some(token_secret) = self
            .keys
            .tokens
            .iter()
            .find(|(t, _)| *t == token)
            .map(|(_, s)| s.clone())
        else {
            judgement.unverified = Some(format!(
                "the signature was not checked: oauth_token `{token}` is not among the given access tokens (--access-token, --other-access-token, --limited-access-token)"
            ));
            return judgement;
        };
        let signer = Signer {
            consumer_secret: &self.keys.consumer_secret,
            token_secret: &token_secret,
        };
        if let Some(finding) = verify(spec, request, &gathered, &signer, &signature) {
            judgement.findings.push(finding);
        }
        judgement
    }
}

struct Signer<'a> {
    consumer_secret: &'a str,
    token_secret: &'a str,
}

impl Signer<'_> {
    fn sign(
        &self,
        method: &str,
        base_url: &str,
        params: &[(String, String)],
        encode: fn(&str) -> String,
    ) -> (String, String) {
        let mut encoded: Vec<(String, String)> =
            params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
        encoded.sort();
        let parameter_string = encoded
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let base = format!(
            "{}&{}&{}",
            method.to_ascii_uppercase(),
            encode(base_url),
            encode(&parameter_string)
        );
        let signature = oauth::hmac_sha1(
            &oauth::signing_key(self.consumer_secret, self.token_secret),
            &base,
        );
        (signature, base)
    }
}

fn without_signature(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(k, _)| k != "oauth_signature")
        .cloned()
        .collect()
}

/// Query or body pairs as written, not decoded (a client that signs what it sends, encoded).
fn raw_pairs(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (p.to_string(), String::new()),
        })
        .collect()
}

fn plus_for_space(s: &str) -> String {
    oauth::percent_encode(s).replace("%20", "+")
}
fn tilde_encoded(s: &str) -> String {
    oauth::percent_encode(s).replace('~', "%7E")
}
fn star_raw(s: &str) -> String {
    oauth::percent_encode(s).replace("%2A", "*")
}
fn lower_hex(s: &str) -> String {
    let encoded = oauth::percent_encode(s);
    let mut out = String::with_capacity(encoded.len());
    let mut hex = 0;
    for c in encoded.chars() {
        if c == '%' {
            hex = 2;
            out.push(c);
        } else if hex > 0 {
            hex -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `None` when the signature verifies; else the finding, naming the mistake when one of the
/// usual ones reproduces the recorded signature.
fn verify(
    spec: &Spec,
    request: &SignedRequest<'_>,
    gathered: &Gathered,
    signer: &Signer<'_>,
    presented: &str,
) -> Option<Finding> {
    let standard: fn(&str) -> String = oauth::percent_encode;
    let base_url = oauth::base_url(request.url);
    let method = request.method;
    let header = without_signature(&gathered.header);
    let query = without_signature(&gathered.query);
    let form = without_signature(&gathered.form);
    let all: Vec<(String, String)> = query.iter().chain(&form).chain(&header).cloned().collect();
    let (expected, base) = signer.sign(method, &base_url, &all, standard);
    if oauth::signatures_equal(&expected, presented) {
        return None;
    }
    type Alternative = (
        &'static str,
        &'static str,
        String,
        Vec<(String, String)>,
        String,
        fn(&str) -> String,
    );
    let mut alternatives: Vec<Alternative> = Vec::new();
    let keep = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .filter(|(k, _)| is_oauth(k))
            .cloned()
            .collect::<Vec<_>>()
    };
    if !gathered.form.iter().all(|(k, _)| is_oauth(k)) {
        let params: Vec<_> = query
            .iter()
            .chain(&keep(&form))
            .chain(&header)
            .cloned()
            .collect();
        alternatives.push(("auth.signature.covers_body", "the form-body parameters left out of the base string (an application/x-www-form-urlencoded body is signed)", method.into(), params, base_url.clone(), standard));
    }
    if !gathered.query.iter().all(|(k, _)| is_oauth(k)) {
        let params: Vec<_> = keep(&query)
            .iter()
            .chain(&form)
            .chain(&header)
            .cloned()
            .collect();
        alternatives.push((
            "auth.signature.verified",
            "the query parameters left out of the base string",
            method.into(),
            params,
            base_url.clone(),
            standard,
        ));
    }
    for (what, encode) in [
        (
            "space encoded as `+` instead of %20",
            plus_for_space as fn(&str) -> String,
        ),
        (
            "`~` encoded as %7E (RFC 3986 leaves it as is)",
            tilde_encoded,
        ),
        ("`*` left unencoded (RFC 3986 encodes it as %2A)", star_raw),
        (
            "lower-case hex in percent-encoding (RFC 3986 §2.1 wants upper case)",
            lower_hex,
        ),
    ] {
        alternatives.push((
            "remove.param.encoding",
            what,
            method.into(),
            all.clone(),
            base_url.clone(),
            encode,
        ));
    }
    let raw_query = raw_pairs(request.url.query().unwrap_or_default());
    let raw_form = if gathered.form.is_empty() {
        Vec::new()
    } else {
        raw_pairs(request.body.unwrap_or_default())
    };
    let raw: Vec<_> = without_signature(&raw_query)
        .iter()
        .chain(&without_signature(&raw_form))
        .chain(&header)
        .cloned()
        .collect();
    alternatives.push((
        "remove.param.encoding",
        "query or body values signed as sent, still percent-encoded, instead of decoded first",
        method.into(),
        raw,
        base_url.clone(),
        standard,
    ));
    let other_method = if method.eq_ignore_ascii_case("POST") {
        "GET"
    } else {
        "POST"
    };
    alternatives.push((
        "auth.signature.covers_method_and_url",
        "signed for another method",
        other_method.into(),
        all.clone(),
        base_url.clone(),
        standard,
    ));
    let mut with_query = request.url.clone();
    with_query.set_fragment(None);
    alternatives.push((
        "auth.signature.covers_method_and_url",
        "the query string left in the base URL",
        method.into(),
        all.clone(),
        with_query.to_string(),
        standard,
    ));
    if let Some(port) = request.url.port_or_known_default() {
        let host = request
            .url
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        alternatives.push((
            "auth.signature.covers_method_and_url",
            "the default port kept in the base URL",
            method.into(),
            all.clone(),
            format!(
                "{}://{host}:{port}{}",
                request.url.scheme(),
                request.url.path()
            ),
            standard,
        ));
    }
    let swapped = if request.url.scheme() == "https" {
        base_url.replacen("https://", "http://", 1)
    } else {
        base_url.replacen("http://", "https://", 1)
    };
    alternatives.push((
        "auth.signature.covers_method_and_url",
        "signed for the other scheme (http/https)",
        method.into(),
        all.clone(),
        swapped,
        standard,
    ));

    for (requirement, what, method, params, url, encode) in alternatives {
        let (signature, _) = signer.sign(&method, &url, &params, encode);
        if oauth::signatures_equal(&signature, presented) {
            return Some(Finding::of(
                spec,
                requirement,
                Level::Must,
                Mismatch::new(
                    "OAuth signature",
                    format!("a signature over the base string `{base}`"),
                    format!("one made with {what}"),
                ),
            ));
        }
    }
    Some(Finding::of(
        spec,
        "auth.signature.verified",
        Level::Must,
        Mismatch::new(
            "OAuth signature",
            format!(
                "the HMAC-SHA1 of the base string `{base}` under the given consumer and token secrets"
            ),
            "a signature that does not verify (other secrets, or the request was changed after signing)",
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONSUMER_SECRET: &str = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
    const TOKEN: &str = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb";
    const TOKEN_SECRET: &str = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
    const NOW: i64 = 1_318_622_958;

    fn spec() -> Spec {
        Spec::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")).unwrap()
    }

    fn keys() -> Keys {
        Keys {
            consumer_key: Some("xvz1evFS4wEEPTGEFPHBog".into()),
            consumer_secret: CONSUMER_SECRET.into(),
            tokens: vec![(TOKEN.into(), TOKEN_SECRET.into())],
        }
    }

    /// The Authorization header of a request signed by `signer` over `params` for `method` and
    /// `url` (nonce fixed per call so tests control replays).
    fn header(
        method: &str,
        url: &str,
        params: &[(String, String)],
        nonce: &str,
        encode: fn(&str) -> String,
    ) -> String {
        let url = url::Url::parse(url).unwrap();
        let mut oauth: Vec<(String, String)> = vec![
            ("oauth_consumer_key".into(), "xvz1evFS4wEEPTGEFPHBog".into()),
            ("oauth_nonce".into(), nonce.into()),
            ("oauth_signature_method".into(), "HMAC-SHA1".into()),
            ("oauth_timestamp".into(), NOW.to_string()),
            ("oauth_token".into(), TOKEN.into()),
            ("oauth_version".into(), "1.0".into()),
        ];
        let all: Vec<_> = params.iter().chain(&oauth).cloned().collect();
        let signer = Signer {
            consumer_secret: CONSUMER_SECRET,
            token_secret: TOKEN_SECRET,
        };
        let (signature, _) = signer.sign(method, &oauth::base_url(&url), &all, encode);
        oauth.push(("oauth_signature".into(), signature));
        oauth::authorization_header(&oauth)
    }

    fn judge_one(
        signatures: &mut Signatures,
        entry: usize,
        method: &str,
        url: &str,
        authorization: &str,
        body: Option<&str>,
    ) -> Vec<String> {
        let url = url::Url::parse(url).unwrap();
        let headers = vec![("Authorization".to_string(), authorization.to_string())];
        let request = SignedRequest {
            method,
            url: &url,
            headers: &headers,
            body,
            content_type: body.map(|_| "application/x-www-form-urlencoded"),
            started: Some(NOW),
        };
        let judgement = signatures.judge(&spec(), entry, &request);
        assert_eq!(judgement.unverified, None);
        judgement.findings.iter().map(Finding::line).collect()
    }

    const URL: &str =
        "https://api.twitter.com/1.1/collections/entries/remove.json?id=custom-1&tweet_id=2";

    fn query() -> Vec<(String, String)> {
        vec![
            ("id".into(), "custom-1".into()),
            ("tweet_id".into(), "2".into()),
        ]
    }

    #[test]
    fn a_correct_signature_verifies_and_its_replay_is_named() {
        let mut signatures = Signatures::new(keys());
        let authorization = header("POST", URL, &query(), "n1", oauth::percent_encode);
        assert!(judge_one(&mut signatures, 0, "POST", URL, &authorization, None).is_empty());
        assert_eq!(
            judge_one(&mut signatures, 1, "POST", URL, &authorization, None),
            [
                "[SHOULD auth.nonce.replay] oauth_nonce: expected a fresh nonce (log.entries[0] has the same nonce and timestamp), actual `n1`"
            ]
        );
    }

    #[test]
    fn the_usual_signing_mistakes_are_named() {
        let mut signatures = Signatures::new(keys());
        let spaced = "https://api.twitter.com/1.1/collections/create.json?name=a%20b";
        let params = vec![("name".to_string(), "a b".to_string())];
        let plus = header("POST", spaced, &params, "n2", plus_for_space);
        let found = judge_one(&mut signatures, 0, "POST", spaced, &plus, None);
        assert!(
            found[0].starts_with("[MUST remove.param.encoding] OAuth signature"),
            "{found:?}"
        );
        assert!(
            found[0].ends_with("one made with space encoded as `+` instead of %20"),
            "{found:?}"
        );

        let get = header("GET", URL, &query(), "n3", oauth::percent_encode);
        let found = judge_one(&mut signatures, 1, "POST", URL, &get, None);
        assert!(
            found[0].starts_with("[MUST auth.signature.covers_method_and_url]")
                && found[0].ends_with("signed for another method"),
            "{found:?}"
        );

        let with_query = header("POST", URL, &[], "n4", oauth::percent_encode);
        let found = judge_one(&mut signatures, 2, "POST", URL, &with_query, None);
        assert!(
            found[0].ends_with("one made with the query parameters left out of the base string"),
            "{found:?}"
        );

        let wrong_secret = header("POST", URL, &query(), "n5", oauth::percent_encode)
            .replace("oauth_signature=\"", "oauth_signature=\"A");
        let found = judge_one(&mut signatures, 3, "POST", URL, &wrong_secret, None);
        assert!(found[0].starts_with("[MUST auth.signature.verified] OAuth signature: expected the HMAC-SHA1 of the base string `POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fcollections%2Fentries%2Fremove.json&id%3Dcustom-1%26oauth_consumer_key"), "{found:?}");
    }

    #[test]
    fn placement_encoding_and_parameters_of_the_header_are_checked() {
        let mut signatures = Signatures::new(keys());
        let good = header("POST", URL, &query(), "n6", oauth::percent_encode);
        // The signature's `/` `+` `=` left raw in the header.
        let signature = oauth::parse_authorization_header(&good)
            .unwrap()
            .unwrap()
            .into_iter()
            .find(|(k, _)| k == "oauth_signature")
            .unwrap()
            .1;
        // A base64 HMAC-SHA1 always ends with `=`, so the raw header always differs.
        let raw = good.replace(&oauth::percent_encode(&signature), &signature);
        assert_ne!(raw, good);
        let found = judge_one(&mut signatures, 0, "POST", URL, &raw, None);
        assert!(
            found.iter().any(|l| l.starts_with(
                "[SHOULD] Authorization header encoding: expected oauth_signature percent-encoded"
            )),
            "{found:?}"
        );
        let version = good.replace("oauth_version=\"1.0\"", "oauth_version=\"2.0\"");
        let found = judge_one(&mut signatures, 1, "POST", URL, &version, None);
        assert_eq!(
            found[0],
            "[SHOULD auth.version] oauth_version: expected 1.0 (or absent), actual `2.0`"
        );
        let plaintext = good.replace("HMAC-SHA1", "PLAINTEXT");
        let found = judge_one(&mut signatures, 2, "POST", URL, &plaintext, None);
        assert_eq!(
            found,
            [
                "[MUST auth.signature.hmac_sha1_only] oauth_signature_method: expected HMAC-SHA1, actual `PLAINTEXT`"
            ]
        );
        let unquoted = "OAuth oauth_consumer_key=xvz1";
        let found = judge_one(&mut signatures, 3, "POST", URL, unquoted, None);
        assert!(
            found[0].contains("Authorization header: expected a readable"),
            "{found:?}"
        );
    }
}
