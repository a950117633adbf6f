//! OAuth 1.0a HMAC-SHA1, as Twitter documents it.
//!
//! This is the only code the harness and the reference server share: the harness signs with it,
//! the server verifies with it. Sources:
//! - "Creating a signature": <https://developer.twitter.com/en/docs/basics/authentication/guides/creating-a-signature>
//! - "Percent encoding parameters": <https://developer.twitter.com/en/docs/basics/authentication/guides/percent-encoding-parameters>
//! - "Authorizing a request": <https://developer.twitter.com/en/docs/basics/authentication/guides/authorizing-a-request>
//! - RFC 5849 section 3.4 (signature) and 3.5 (parameter transmission).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use rand::RngCore;
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// Characters RFC 3986 leaves unencoded: `A-Z a-z 0-9 - . _ ~`. Everything else becomes `%XX`
/// with uppercase hex, byte by byte of the UTF-8 encoding (so space is `%20`, never `+`).
const RFC3986_RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The only signature method Twitter accepts.
pub const HMAC_SHA1: &str = "HMAC-SHA1";

/// The only `oauth_version` Twitter documents ("should always be 1.0").
pub const VERSION: &str = "1.0";

/// Percent-encodes a key or value per RFC 3986 section 2.1, as the signature rules require.
pub fn percent_encode(input: &str) -> String {
    utf8_percent_encode(input, RFC3986_RESERVED).to_string()
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space, `%XX` a byte.
/// Invalid UTF-8 is replaced rather than refused, so a hostile request cannot make decoding fail.
pub fn form_decode(input: &str) -> String {
    let plus_as_space = input.replace('+', " ");
    percent_decode_str(&plus_as_space)
        .decode_utf8_lossy()
        .into_owned()
}

/// Splits a query string or form body into decoded `(key, value)` pairs, keeping duplicates and
/// order. A pair without `=` has an empty value.
pub fn parse_form(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (form_decode(k), form_decode(v)),
            None => (form_decode(pair), String::new()),
        })
        .collect()
}

/// Encodes decoded pairs as a query string or form body with RFC 3986 encoding (the encoding the
/// signature is computed over, so what is sent and what is signed agree byte for byte).
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The "parameter string": every pair percent-encoded, sorted by encoded key then encoded value,
/// joined as `k=v&k=v`.
pub fn parameter_string(params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The base URL of a request for signing: lowercase scheme and host, the port only when it is not
/// the scheme's default, the path, and no query or fragment (RFC 5849 section 3.4.1.2).
pub fn base_url(url: &url::Url) -> String {
    let scheme = url.scheme().to_ascii_lowercase();
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let port = match (scheme.as_str(), url.port()) {
        ("http", Some(80)) | ("https", Some(443)) | (_, None) => String::new(),
        (_, Some(port)) => format!(":{port}"),
    };
    format!("{scheme}://{host}{port}{}", url.path())
}

/// The signature base string: `METHOD&encoded(base url)&encoded(parameter string)`.
pub fn signature_base_string(method: &str, base_url: &str, params: &[(String, String)]) -> String {
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode(base_url),
        percent_encode(&parameter_string(params))
    )
}

/// The signing key: encoded consumer secret, `&`, encoded token secret (empty when there is none).
pub fn signing_key(consumer_secret: &str, token_secret: &str) -> String {
    format!(
        "{}&{}",
        percent_encode(consumer_secret),
        percent_encode(token_secret)
    )
}

/// HMAC-SHA1 of the base string under the key, base64-encoded: the value of `oauth_signature`.
pub fn hmac_sha1(key: &str, base_string: &str) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC accepts any key length");
    mac.update(base_string.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// Compares two signatures in constant time, so a verifier leaks nothing about how much matched.
pub fn signatures_equal(expected: &str, presented: &str) -> bool {
    expected.len() == presented.len() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// A fresh nonce: 32 random bytes, base64-encoded with every non-word character removed, as the
/// documentation's example nonce was made.
pub fn generate_nonce() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    BASE64
        .encode(bytes)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// The current time in whole seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Builds an `Authorization` header value from `oauth_*` pairs, in the documented shape:
/// `OAuth k="v", k="v"`, keys and values percent-encoded.
pub fn authorization_header(oauth_params: &[(String, String)]) -> String {
    let fields: Vec<String> = oauth_params
        .iter()
        .map(|(k, v)| format!("{}=\"{}\"", percent_encode(k), percent_encode(v)))
        .collect();
    format!("OAuth {}", fields.join(", "))
}

/// Why an `Authorization: OAuth ...` header could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderParseError(pub String);

impl std::fmt::Display for HeaderParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed OAuth Authorization header: {}", self.0)
    }
}

impl std::error::Error for HeaderParseError {}

/// Parses `OAuth k="v", k="v"` into decoded pairs. The scheme name is case-insensitive; `realm`
/// is dropped, as RFC 5849 excludes it from the signature. Returns `None` for another scheme.
pub fn parse_authorization_header(
    header: &str,
) -> Option<Result<Vec<(String, String)>, HeaderParseError>> {
    let header = header.trim_start();
    let (scheme, rest) = header.split_at(header.find(' ').unwrap_or(header.len()));
    if !scheme.eq_ignore_ascii_case("OAuth") {
        return None;
    }
    Some(parse_header_fields(rest))
}

fn parse_header_fields(fields: &str) -> Result<Vec<(String, String)>, HeaderParseError> {
    let mut pairs = Vec::new();
    for field in fields.split(',') {
        let field = field.trim();
        if field.is_empty() {
            continue;
        }
        let (key, value) = field
            .split_once('=')
            .ok_or_else(|| HeaderParseError(format!("field `{field}` has no `=`")))?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| HeaderParseError(format!("value of `{key}` is not in double quotes")))?;
        let key = percent_decode_str(key.trim())
            .decode_utf8_lossy()
            .into_owned();
        if key.eq_ignore_ascii_case("realm") {
            continue;
        }
        let value = percent_decode_str(value).decode_utf8_lossy().into_owned();
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// The secrets and identifiers a client signs with. `token` is empty for requests made before a
/// token exists; every Collections endpoint needs one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// `oauth_consumer_key`: identifies the app.
    pub consumer_key: String,
    /// The app's secret; never sent, only used in the signing key.
    pub consumer_secret: String,
    /// `oauth_token`: identifies the user.
    pub token: String,
    /// The user's token secret; never sent, only used in the signing key.
    pub token_secret: String,
}

/// Everything about one signing that a caller may want to vary, so that the harness can build the
/// deliberately broken signatures its authentication vectors need.
#[derive(Debug, Clone)]
pub struct SigningInput<'a> {
    /// HTTP method placed in the base string.
    pub method: &'a str,
    /// URL whose base form goes in the base string (query and fragment are ignored).
    pub url: &'a url::Url,
    /// Decoded request parameters that go into the signature (query and form body).
    pub params: &'a [(String, String)],
    /// `oauth_nonce`.
    pub nonce: String,
    /// `oauth_timestamp`.
    pub timestamp: u64,
    /// `oauth_signature_method`.
    pub signature_method: &'a str,
    /// `oauth_version`; `None` leaves the parameter out, which RFC 5849 allows.
    pub version: Option<&'a str>,
}

impl<'a> SigningInput<'a> {
    /// A normal signing: fresh nonce, current time, HMAC-SHA1, version 1.0.
    pub fn new(method: &'a str, url: &'a url::Url, params: &'a [(String, String)]) -> Self {
        SigningInput {
            method,
            url,
            params,
            nonce: generate_nonce(),
            timestamp: unix_now(),
            signature_method: HMAC_SHA1,
            version: Some(VERSION),
        }
    }
}

/// The `oauth_*` parameters of a signed request, signature included, in the documented order.
pub fn sign(credentials: &Credentials, input: &SigningInput<'_>) -> Vec<(String, String)> {
    let mut oauth = oauth_params_without_signature(credentials, input);
    let mut all = input.params.to_vec();
    all.extend(oauth.iter().cloned());
    let base = signature_base_string(input.method, &base_url(input.url), &all);
    let key = signing_key(&credentials.consumer_secret, &credentials.token_secret);
    let signature = if input.signature_method.eq_ignore_ascii_case("PLAINTEXT") {
        key
    } else {
        hmac_sha1(&key, &base)
    };
    let at = oauth
        .iter()
        .position(|(k, _)| k.as_str() > "oauth_signature")
        .unwrap_or(oauth.len());
    oauth.insert(at, ("oauth_signature".to_string(), signature));
    oauth
}

fn oauth_params_without_signature(
    credentials: &Credentials,
    input: &SigningInput<'_>,
) -> Vec<(String, String)> {
    let mut oauth = vec![
        (
            "oauth_consumer_key".to_string(),
            credentials.consumer_key.clone(),
        ),
        ("oauth_nonce".to_string(), input.nonce.clone()),
        (
            "oauth_signature_method".to_string(),
            input.signature_method.to_string(),
        ),
        ("oauth_timestamp".to_string(), input.timestamp.to_string()),
    ];
    if !credentials.token.is_empty() {
        oauth.push(("oauth_token".to_string(), credentials.token.clone()));
    }
    if let Some(version) = input.version {
        oauth.push(("oauth_version".to_string(), version.to_string()));
    }
    oauth
}

/// Computes the HMAC-SHA1 signature a verifier expects for a received request: every parameter
/// (query, form body, `oauth_*` except `oauth_signature`) goes into the base string.
pub fn expected_signature(
    method: &str,
    base_url: &str,
    params_without_signature: &[(String, String)],
    consumer_secret: &str,
    token_secret: &str,
) -> String {
    let base = signature_base_string(method, base_url, params_without_signature);
    hmac_sha1(&signing_key(consumer_secret, token_secret), &base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Twitter's "Creating a signature" walk-through, with the `/1.1` URL of the
    /// developer.twitter.com page; the vectors under `vectors/oauth/` hold more cases.
    #[test]
    fn documented_example_signature() {
        let credentials = Credentials {
            consumer_key: "xvz1evFS4wEEPTGEFPHBog".into(),
            consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".into(),
            token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into(),
            token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".into(),
        };
        let url = url::Url::parse("https://api.twitter.com/1.1/statuses/update.json").unwrap();
        let params = pairs(&[
            (
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!",
            ),
            ("include_entities", "true"),
        ]);
        let mut input = SigningInput::new("POST", &url, &params);
        input.nonce = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg".into();
        input.timestamp = 1318622958;
        let oauth = sign(&credentials, &input);
        let signature = &oauth
            .iter()
            .find(|(k, _)| k == "oauth_signature")
            .unwrap()
            .1;
        assert_eq!(signature, "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
    }

    #[test]
    fn header_round_trips_through_the_parser() {
        let oauth = pairs(&[("oauth_consumer_key", "a b"), ("oauth_signature", "x/y=")]);
        let header = authorization_header(&oauth);
        assert_eq!(
            header,
            "OAuth oauth_consumer_key=\"a%20b\", oauth_signature=\"x%2Fy%3D\""
        );
        assert_eq!(parse_authorization_header(&header), Some(Ok(oauth)));
    }

    #[test]
    fn other_schemes_and_malformed_headers_are_told_apart() {
        assert_eq!(parse_authorization_header("Bearer abc"), None);
        assert!(matches!(
            parse_authorization_header("OAuth oauth_nonce=abc"),
            Some(Err(_))
        ));
        assert_eq!(
            parse_authorization_header("oauth realm=\"x\", oauth_nonce=\"n\""),
            Some(Ok(pairs(&[("oauth_nonce", "n")])))
        );
    }

    #[test]
    fn base_url_drops_default_ports_query_and_case() {
        let url = url::Url::parse("HTTPS://API.Twitter.com:443/1.1/x.json?a=b#f").unwrap();
        assert_eq!(base_url(&url), "https://api.twitter.com/1.1/x.json");
        let url = url::Url::parse("http://127.0.0.1:8080/1.1/x.json").unwrap();
        assert_eq!(base_url(&url), "http://127.0.0.1:8080/1.1/x.json");
    }

    #[test]
    fn form_decoding_accepts_plus_and_percent_spaces() {
        assert_eq!(
            parse_form("a=b+c&d=e%20f&g&=h"),
            pairs(&[("a", "b c"), ("d", "e f"), ("g", ""), ("", "h")])
        );
    }

    #[test]
    fn signature_comparison_is_exact() {
        assert!(signatures_equal("abc=", "abc="));
        assert!(!signatures_equal("abc=", "abd="));
        assert!(!signatures_equal("abc=", "abc"));
    }

    #[test]
    fn nonces_are_word_characters_and_differ() {
        let (a, b) = (generate_nonce(), generate_nonce());
        assert_ne!(a, b);
        assert!(a.len() > 30 && a.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
