//! Auth modes: each is one complete way of authenticating a request, valid or deliberately
//! broken, built from the shared OAuth module so vectors never assemble headers by hand.

use crate::oauth::{self, SigningInput};
use crate::target::{Target, Token};
use crate::vector::{AuthMode, OAuthPlacement};

/// A consumer key no target issued, for `unknown_consumer`.
const UNKNOWN_CONSUMER_KEY: &str = "conformanceUnknownConsumer0";
/// An access token no target issued, for `unknown_token`.
const UNKNOWN_TOKEN: &str = "1-conformanceUnknownAccessToken00000000000";
/// A bearer token no target issued, for `unknown_bearer`.
const UNKNOWN_BEARER: &str = "AAAAAAAAAAAAAAAAAAAAAConformanceUnknownBearerToken0000000000";
/// How far `stale_timestamp` and `future_timestamp` are from now: outside the usual windows of a
/// few minutes, but the window Twitter allowed is not documented, so vectors using them are SHOULD.
const CLOCK_SKEW_SECS: u64 = 3600;
/// How far `stale_timestamp_days` is in the past: three days, "too far in the past" under any
/// reading of the documentation, so a MUST vector can rely on it.
const CLOCK_SKEW_DAYS_SECS: u64 = 3 * 24 * 3600;
/// The `realm` of `realm_in_header`: any value verifies, since RFC 5849 section 3.4.1.3.1 keeps
/// realm out of the base string; a space and a slash make a server that signs it fail for sure.
const REALM: &str = "Twitter API/1.1";

tokio::task_local! {
    /// Nonce and timestamp every signature in the scope uses instead of fresh ones.
    static FIXED_NONCE: (String, u64);
}

/// Runs `future` with every request it signs using this nonce and timestamp instead of fresh
/// ones, so its exchanges are byte-for-byte reproducible (golden failure texts). Only for
/// tests: a real target refuses a repeated nonce.
pub async fn with_fixed_nonce<F: std::future::Future>(
    nonce: &str,
    timestamp: u64,
    future: F,
) -> F::Output {
    FIXED_NONCE
        .scope((nonce.to_string(), timestamp), future)
        .await
}

/// What authentication adds to a request.
#[derive(Debug, Clone, Default)]
pub struct Authentication {
    /// Headers to set (`Authorization`).
    pub headers: Vec<(String, String)>,
    /// `oauth_*` pairs to append to the query string.
    pub query: Vec<(String, String)>,
    /// `oauth_*` pairs to append to the form body.
    pub form: Vec<(String, String)>,
    /// Send the identical request twice and judge the second (`replayed_nonce`).
    pub send_twice: bool,
    /// Send the request, then a freshly signed copy, then the first again, and judge the last
    /// (`replayed_nonce_later`).
    pub replay_after_another: bool,
}

/// The request as it will be sent, before authentication is added.
pub struct Unsigned<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// URL (its query is not used; `query` holds the parameters).
    pub url: &'a url::Url,
    /// Query parameters, decoded.
    pub query: &'a [(String, String)],
    /// Form-body parameters, decoded; only form bodies are signed.
    pub form: &'a [(String, String)],
    /// A raw body sent instead of `form` (never signed, except by `non_form_body_signed`).
    pub body: Option<&'a str>,
}

/// Builds the authentication of one request in the given mode.
pub fn authenticate(
    mode: AuthMode,
    placement: OAuthPlacement,
    target: &Target,
    request: &Unsigned<'_>,
) -> Result<Authentication, String> {
    let user = |token: &Option<Token>, what: &str| {
        token
            .clone()
            .ok_or_else(|| format!("auth mode needs {what}, which the target configuration lacks"))
    };
    let mut credentials = target.credentials(&target.user);
    match mode {
        AuthMode::None => return Ok(Authentication::default()),
        AuthMode::Bearer => {
            let bearer = target
                .bearer_token
                .clone()
                .ok_or("auth mode `bearer` needs CONFORMANCE_BEARER_TOKEN")?;
            return Ok(bearer_header(&bearer));
        }
        AuthMode::UnknownBearer => return Ok(bearer_header(UNKNOWN_BEARER)),
        AuthMode::OtherUser => {
            credentials = target.credentials(&user(&target.other_user, "a second user")?)
        }
        AuthMode::LimitedUser => {
            credentials = target.credentials(&user(&target.limited_user, "a rate-limited user")?)
        }
        AuthMode::WrongTokenSecret => credentials.token_secret = wrong(&credentials.token_secret),
        AuthMode::WrongConsumerSecret => {
            credentials.consumer_secret = wrong(&credentials.consumer_secret)
        }
        AuthMode::UnknownConsumer => credentials.consumer_key = UNKNOWN_CONSUMER_KEY.into(),
        AuthMode::UnknownToken => credentials.token = UNKNOWN_TOKEN.into(),
        AuthMode::NoTokenSecret => credentials.token_secret.clear(),
        AuthMode::RealmInHeader if placement != OAuthPlacement::Header => {
            return Err("auth mode `realm_in_header` needs `oauth_in: header`".into());
        }
        _ => {}
    }

    let mut signed_params: Vec<(String, String)> = Vec::new();
    if mode != AuthMode::QueryParamsUnsigned {
        signed_params.extend(request.query.iter().cloned());
    }
    if mode != AuthMode::BodyParamsUnsigned {
        signed_params.extend(request.form.iter().cloned());
    }
    if mode == AuthMode::NonFormBodySigned {
        let body = request
            .body
            .ok_or("auth mode `non_form_body_signed` needs a raw `body`")?;
        signed_params.extend(oauth::parse_form(body));
    }
    let other_url;
    let mut input = SigningInput::new(request.method, request.url, &signed_params);
    if let Ok((nonce, timestamp)) = FIXED_NONCE.try_with(Clone::clone) {
        (input.nonce, input.timestamp) = (nonce, timestamp);
    }
    match mode {
        AuthMode::StaleTimestamp => input.timestamp -= CLOCK_SKEW_SECS,
        AuthMode::StaleTimestampDays => input.timestamp -= CLOCK_SKEW_DAYS_SECS,
        AuthMode::FutureTimestamp => input.timestamp += CLOCK_SKEW_SECS,
        AuthMode::SignedForOtherMethod => {
            input.method = if request.method.eq_ignore_ascii_case("GET") {
                "POST"
            } else {
                "GET"
            }
        }
        AuthMode::SignedForOtherUrl => {
            let mut url = request.url.clone();
            url.set_path(if url.path().ends_with("/add.json") {
                "/1.1/collections/entries/remove.json"
            } else {
                "/1.1/collections/entries/add.json"
            });
            other_url = url;
            input.url = &other_url;
        }
        AuthMode::OauthVersion2 => input.version = Some("2.0"),
        AuthMode::Plaintext => input.signature_method = "PLAINTEXT",
        _ => {}
    }
    let mut oauth_params = oauth::sign(&credentials, &input);
    match mode {
        AuthMode::BadSignature => {
            for (key, value) in &mut oauth_params {
                if key == "oauth_signature" {
                    *value = tamper(value);
                }
            }
        }
        AuthMode::MissingSignature => oauth_params.retain(|(key, _)| key != "oauth_signature"),
        _ => {}
    }

    let mut auth = Authentication {
        send_twice: mode == AuthMode::ReplayedNonce,
        replay_after_another: mode == AuthMode::ReplayedNonceLater,
        ..Authentication::default()
    };
    match placement {
        OAuthPlacement::Header if mode == AuthMode::RealmInHeader => {
            let header = oauth::authorization_header(&oauth_params);
            let fields = header.strip_prefix("OAuth ").unwrap_or(&header);
            auth.headers.push((
                "Authorization".into(),
                format!("OAuth realm=\"{REALM}\", {fields}"),
            ));
        }
        OAuthPlacement::Header => auth.headers.push((
            "Authorization".into(),
            oauth::authorization_header(&oauth_params),
        )),
        OAuthPlacement::Query => auth.query = oauth_params,
        OAuthPlacement::Form => auth.form = oauth_params,
    }
    Ok(auth)
}

fn bearer_header(token: &str) -> Authentication {
    Authentication {
        headers: vec![("Authorization".into(), format!("Bearer {token}"))],
        ..Authentication::default()
    }
}

/// A secret that differs from the real one.
fn wrong(secret: &str) -> String {
    format!("{secret}-wrong")
}

/// The signature with its first character changed: still valid base64, certainly wrong.
fn tamper(signature: &str) -> String {
    let mut chars: Vec<char> = signature.chars().collect();
    if let Some(first) = chars.first_mut() {
        *first = if *first == 'A' { 'B' } else { 'A' };
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `oauth_timestamp` an auth mode puts in the Authorization header.
    fn timestamp_of(mode: AuthMode) -> u64 {
        let target = Target {
            base_url: "http://127.0.0.1:1".parse().unwrap(),
            consumer_key: "key".into(),
            consumer_secret: "secret".into(),
            user: Token {
                token: "1-token".into(),
                secret: "token-secret".into(),
            },
            other_user: None,
            limited_user: None,
            bearer_token: None,
            tweet_ids: Vec::new(),
            collection_capacity: None,
            timeout: std::time::Duration::from_secs(1),
            http: std::sync::OnceLock::new(),
        };
        let url: url::Url = "http://127.0.0.1:1/1.1/collections/entries/remove.json"
            .parse()
            .unwrap();
        let unsigned = Unsigned {
            method: "POST",
            url: &url,
            query: &[],
            form: &[],
            body: None,
        };
        let auth = authenticate(mode, OAuthPlacement::Header, &target, &unsigned).unwrap();
        let header = &auth.headers[0].1;
        let start = header.find("oauth_timestamp=\"").unwrap() + "oauth_timestamp=\"".len();
        let end = start + header[start..].find('"').unwrap();
        header[start..end].parse().unwrap()
    }

    #[test]
    fn clock_skews_are_an_hour_and_days() {
        let now = timestamp_of(AuthMode::User);
        let hour = now.abs_diff(timestamp_of(AuthMode::StaleTimestamp));
        assert!(
            (3590..=3610).contains(&hour),
            "stale_timestamp is {hour} s off"
        );
        let days = now - timestamp_of(AuthMode::StaleTimestampDays);
        assert!(
            days >= 2 * 24 * 3600,
            "stale_timestamp_days is only {days} s off"
        );
    }

    #[test]
    fn broken_values_differ_from_the_originals() {
        assert_ne!(wrong("abc"), "abc");
        assert_ne!(tamper("Abc="), "Abc=");
        assert_ne!(tamper("xbc="), "xbc=");
    }
}
