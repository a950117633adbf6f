//! OAuth 1.0a (HMAC-SHA1) verification of user-context requests, and refusal of app-only bearer
//! tokens, as every Collections endpoint requires ("Requires authentication? Yes (user context
//! only)").
//!
//! Order of checks (first failure wins):
//! 1. `Authorization: Bearer …` → 403 / 220 for the app's bearer token, 401 / 89 otherwise.
//! 2. No `oauth_*` parameter anywhere, or an unreadable `OAuth` header → 400 / 215.
//! 3. A key repeated across header, query and form body → 401 / 32.
//! 4. Any of consumer key, token, nonce, timestamp, signature method, signature missing → 400 / 215.
//! 5. Signature method other than `HMAC-SHA1`, or `oauth_version` other than `1.0` → 401 / 32.
//! 6. Unknown consumer key → 401 / 32.
//! 7. Unknown or revoked token → 401 / 89.
//! 8. Timestamp further than the window from now (either side) or not a number → 401 / 135.
//! 9. Wrong signature (constant-time comparison) → 401 / 32.
//! 10. Nonce already used by this consumer and token within the window → 401 / 32.
//!
//! Each check reads the request's [`Policy`] (see [`super::policy`]): a fault or a variant is a
//! policy in which one of them is skipped, loosened or answered otherwise.

use std::collections::{HashMap, HashSet};

use super::nonces::{self, NonceCache, NonceCheck};

use super::errors::ApiError;
use super::params::RequestParams;
use super::policy::{BaseStringEncoding, Policy};
use super::seed::Seed;
use crate::oauth;

/// Who made a verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user the token belongs to.
    pub user_id: String,
    /// The access token (rate limits are counted per token).
    pub token: String,
}

/// What the verifier knows about an access token.
#[derive(Debug, Clone)]
struct TokenInfo {
    user_id: String,
    secret: String,
    revoked: bool,
}

/// The app's credentials and every token issued for it, indexed for lookup.
#[derive(Debug, Clone)]
pub struct Registry {
    consumer_key: String,
    consumer_secret: String,
    bearer_token: String,
    tokens: HashMap<String, TokenInfo>,
    /// The first seeded user, whom a lax policy lets unverified callers act as.
    main_user: Option<Principal>,
}

impl Registry {
    /// Indexes the seed's app and tokens.
    pub fn from_seed(seed: &Seed) -> Self {
        let mut tokens = HashMap::new();
        for user in &seed.users {
            tokens.insert(
                user.access_token.clone(),
                TokenInfo {
                    user_id: user.user_id.clone(),
                    secret: user.access_token_secret.clone(),
                    revoked: false,
                },
            );
        }
        for token in &seed.revoked_tokens {
            tokens.insert(
                token.access_token.clone(),
                TokenInfo {
                    user_id: token.user_id.clone(),
                    secret: token.access_token_secret.clone(),
                    revoked: true,
                },
            );
        }
        Registry {
            consumer_key: seed.app.consumer_key.clone(),
            consumer_secret: seed.app.consumer_secret.clone(),
            bearer_token: seed.app.bearer_token.clone(),
            tokens,
            main_user: seed.users.first().map(|u| Principal {
                user_id: u.user_id.clone(),
                token: u.access_token.clone(),
            }),
        }
    }
}

/// The parts of a request the verifier looks at.
#[derive(Debug, Clone)]
pub struct AuthRequest<'a> {
    /// HTTP method as received.
    pub method: &'a str,
    /// Base URL as the client addressed it (scheme, `Host`, path); `None` if it cannot be built.
    pub base_url: Option<String>,
    /// The `Authorization` header; `Some(Err(()))` when it is not valid text.
    pub authorization: Option<Result<&'a str, ()>>,
    /// Query and form parameters (the signed ones).
    pub params: &'a RequestParams,
    /// The raw body (only a policy with `any_body_is_form` reads it).
    pub body: &'a [u8],
}

/// Verifies a request and names its user, or says why not (see the module docs for the order).
/// `policy` says which checks run and how refusals are answered (the default: every one, as documented).
pub fn authenticate(
    registry: &Registry,
    nonces: &std::sync::Mutex<NonceCache>,
    window_secs: u64,
    now: u64,
    request: &AuthRequest<'_>,
    policy: &Policy,
) -> Result<Principal, ApiError> {
    if !policy.verify_credentials {
        if let Some(principal) = unverified_principal(registry, request) {
            return Ok(principal);
        }
    }
    let mut header_pairs = Vec::new();
    match request.authorization {
        Some(Err(())) => return Err(ApiError::bad_authentication()),
        Some(Ok(value)) => {
            if let Some(token) = bearer_token(value) {
                let matches = oauth::signatures_equal(&registry.bearer_token, token)
                    || oauth::signatures_equal(&registry.bearer_token, &oauth::form_decode(token));
                if matches && policy.accept_bearer {
                    if let Some(main) = &registry.main_user {
                        return Ok(main.clone());
                    }
                }
                return Err(if matches {
                    ApiError::code(220)
                } else {
                    policy.unknown_token.error("")
                });
            }
            match oauth::parse_authorization_header(value) {
                Some(Ok(pairs)) => header_pairs = pairs,
                Some(Err(_)) => return Err(ApiError::bad_authentication()),
                // Another scheme (Basic, …): not OAuth; the query or body may still carry it.
                None => {}
            }
        }
        None => {}
    }

    let header_only = !policy.oauth_in_params;
    let every_pair: Vec<&(String, String)> = header_pairs
        .iter()
        .chain(
            request
                .params
                .all()
                .filter(|(k, _)| !(header_only && k.starts_with("oauth_"))),
        )
        .collect();
    if !every_pair.iter().any(|(k, _)| k.starts_with("oauth_")) {
        return Err(ApiError::bad_authentication());
    }
    let mut keys = HashSet::new();
    if every_pair.iter().any(|(k, _)| !keys.insert(k.as_str())) && policy.refuse_duplicate_keys {
        return Err(ApiError::not_authenticated());
    }
    let oauth_value = |name: &str| {
        every_pair
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let signature = oauth_value("oauth_signature");
    let (Some(consumer_key), Some(token), Some(nonce), Some(timestamp), Some(method), true) = (
        oauth_value("oauth_consumer_key"),
        oauth_value("oauth_token"),
        oauth_value("oauth_nonce"),
        oauth_value("oauth_timestamp"),
        oauth_value("oauth_signature_method"),
        signature.is_some() || !policy.require_signature,
    ) else {
        return Err(ApiError::bad_authentication());
    };
    let plaintext = method == "PLAINTEXT" && policy.accept_plaintext;
    if method != oauth::HMAC_SHA1 && !plaintext {
        return Err(ApiError::not_authenticated());
    }
    if every_pair
        .iter()
        .any(|(k, v)| k == "oauth_version" && v != oauth::VERSION)
        && policy.check_oauth_version
    {
        return Err(ApiError::not_authenticated());
    }
    if !oauth::signatures_equal(&registry.consumer_key, consumer_key) && policy.check_consumer_key {
        return Err(ApiError::not_authenticated());
    }
    let info = match registry.tokens.get(token) {
        Some(info) if !info.revoked => info,
        _ => match &registry.main_user {
            // Without a known secret there is no signature to check: accepted as it comes.
            Some(main) if policy.accept_unknown_tokens => {
                return Ok(Principal {
                    user_id: main.user_id.clone(),
                    token: token.to_string(),
                });
            }
            _ => return Err(policy.unknown_token.error("")),
        },
    };
    let timestamp_unchecked = policy.check_timestamp_in_header_only
        && !header_pairs.iter().any(|(k, _)| k == "oauth_timestamp");
    match timestamp.parse::<u64>() {
        Ok(ts) if ts.abs_diff(now) <= window_secs || timestamp_unchecked => {}
        Ok(ts) if ts < now && !policy.refuse_stale_timestamps => {}
        Ok(ts) if ts > now && !policy.refuse_future_timestamps => {}
        _ => return Err(ApiError::code(135)),
    }
    let Some(base_url) = request.base_url.as_deref() else {
        return Err(ApiError::not_authenticated());
    };
    let oauth_in_body = request
        .params
        .form
        .iter()
        .any(|(k, _)| k.starts_with("oauth_"));
    let body_unsigned =
        !policy.sign_body_params || (oauth_in_body && !policy.sign_body_params_with_oauth_in_body);
    let mut signed: Vec<(String, String)> = every_pair
        .iter()
        .filter(|(k, _)| k != "oauth_signature")
        .filter(|pair| {
            !(body_unsigned
                && !pair.0.starts_with("oauth_")
                && request.params.form.iter().any(|form| form == **pair))
        })
        .filter(|(_, v)| !(policy.drop_empty_params && v.is_empty()))
        .map(|pair| match request.params.query.contains(pair) {
            true if policy.decode_query_twice => (pair.0.clone(), percent_decode_again(&pair.1)),
            _ => (*pair).clone(),
        })
        .collect();
    signed.extend(signature_extras(request, policy));
    let key = oauth::signing_key(&registry.consumer_secret, &info.secret);
    let mut expected: Vec<String> = if plaintext {
        vec![key]
    } else if policy.base_string_encoding == BaseStringEncoding::Form {
        vec![oauth::hmac_sha1(
            &key,
            &form_encoded_base_string(request.method, base_url, &signed),
        )]
    } else if !policy.signature_binds_method_and_url {
        any_method_and_endpoint(request.method, base_url)
            .iter()
            .map(|(method, url)| {
                oauth::expected_signature(
                    method,
                    url,
                    &signed,
                    &registry.consumer_secret,
                    &info.secret,
                )
            })
            .collect()
    } else {
        vec![oauth::expected_signature(
            request.method,
            base_url,
            &signed,
            &registry.consumer_secret,
            &info.secret,
        )]
    };
    if policy.accept_key_without_token_secret && !plaintext {
        let base = oauth::signature_base_string(request.method, base_url, &signed);
        expected.push(oauth::hmac_sha1(
            &oauth::signing_key(&registry.consumer_secret, ""),
            &base,
        ));
    }
    let verified = match signature {
        Some(signature) => expected
            .iter()
            .any(|expected| oauth::signatures_equal(expected, signature)),
        // Only reachable when the policy does not require a signature.
        None => true,
    };
    if !verified && policy.compare_signatures {
        return Err(policy.bad_signature.error(""));
    }
    let fresh = match nonces
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .check_and_record(
            consumer_key,
            token,
            nonce,
            now,
            window_secs,
            policy.remember_last_nonce_only,
        ) {
        NonceCheck::Fresh => true,
        NonceCheck::Replayed => false,
        NonceCheck::Full => return Err(nonces::over_capacity()),
    };
    if !fresh && policy.remember_nonces {
        return Err(ApiError::not_authenticated());
    }
    Ok(Principal {
        user_id: info.user_id.clone(),
        token: token.to_string(),
    })
}

/// Pairs a faulty policy signs beyond the faithful ones: the header's `realm`
/// (`sign_realm`), a non-form body read as a form (`any_body_is_form`).
fn signature_extras(request: &AuthRequest<'_>, policy: &Policy) -> Vec<(String, String)> {
    let mut extras = Vec::new();
    if policy.sign_realm {
        if let Some(Ok(header)) = request.authorization {
            extras.extend(realm_of(header).map(|realm| ("realm".to_string(), realm)));
        }
    }
    if policy.any_body_is_form && request.params.form.is_empty() && !request.body.is_empty() {
        extras.extend(oauth::parse_form(&String::from_utf8_lossy(request.body)));
    }
    extras
}

/// A value percent-decoded once more, `+` kept (what `rawurldecode` on an already decoded
/// value does): `%41` becomes `A`.
fn percent_decode_again(value: &str) -> String {
    percent_encoding::percent_decode_str(value)
        .decode_utf8_lossy()
        .into_owned()
}

/// The `realm` of an `OAuth` Authorization header, which the shared parser drops.
fn realm_of(header: &str) -> Option<String> {
    let start = header.find("realm=\"")? + "realm=\"".len();
    let end = start + header[start..].find('"')?;
    Some(header[start..end].to_string())
}

/// When the signature need not bind method and URL: the request's own method and URL, then every
/// common method with every Collections endpoint URL on the same host.
fn any_method_and_endpoint(method: &str, base_url: &str) -> Vec<(String, String)> {
    let mut candidates = vec![(method.to_string(), base_url.to_string())];
    let origin = base_url.split("/1.1/").next().unwrap_or(base_url);
    for method in ["GET", "POST", "PUT", "DELETE"] {
        for endpoint in super::routes::Endpoint::ALL {
            candidates.push((
                method.to_string(),
                format!("{origin}/1.1/{}.json", endpoint.name()),
            ));
        }
    }
    candidates
}

/// Under [`BaseStringEncoding::Form`]: the base string with parameters encoded the
/// `application/x-www-form-urlencoded` way (space as `+`, `*` kept, `~` as `%7E`), a classic
/// signer bug; identical to RFC 3986 for plain alphanumeric values.
fn form_encoded_base_string(method: &str, base_url: &str, params: &[(String, String)]) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut pairs: Vec<(String, String)> =
        params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    pairs.sort();
    let parameter_string = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        oauth::percent_encode(base_url),
        oauth::percent_encode(&parameter_string)
    )
}

/// When credentials are not verified: the user of the `oauth_token` the request names (header, query or
/// body) when it is a live token, else the main user, without checking anything else.
fn unverified_principal(registry: &Registry, request: &AuthRequest<'_>) -> Option<Principal> {
    let header_pairs = match request.authorization {
        Some(Ok(value)) => match oauth::parse_authorization_header(value) {
            Some(Ok(pairs)) => pairs,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let named = header_pairs
        .iter()
        .chain(request.params.all())
        .find(|(k, _)| k == "oauth_token")
        .and_then(|(_, token)| {
            let info = registry.tokens.get(token).filter(|info| !info.revoked)?;
            Some(Principal {
                user_id: info.user_id.clone(),
                token: token.clone(),
            })
        });
    named.or_else(|| registry.main_user.clone())
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer_token(header: &str) -> Option<&str> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    scheme.eq_ignore_ascii_case("Bearer").then(|| rest.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_recognised() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("OAuth a=\"b\""), None);
    }
}
