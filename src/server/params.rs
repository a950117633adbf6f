//! Collecting request parameters from the query string and a form body, the two places OAuth 1.0a
//! signs (RFC 5849 section 3.4.1.3.1).
//!
//! Parameters are parsed from raw bytes rather than with typed extractors, so a malformed request
//! becomes a Twitter error envelope instead of a framework rejection. Values are form-decoded
//! (`+` and `%20` are both a space; invalid UTF-8 is replaced), so clients that encode spaces,
//! `~` or `*` differently all reach the same decoded value, which is then re-encoded per RFC 3986
//! for the signature base string.

use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;

/// The decoded parameters of one request, by where they came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestParams {
    /// From the query string.
    pub query: Vec<(String, String)>,
    /// From an `application/x-www-form-urlencoded` body (empty for any other body).
    pub form: Vec<(String, String)>,
}

impl RequestParams {
    /// Parses the query and, when the body is a form (by `Content-Type`), the body. A JSON or
    /// untyped body is not a parameter source and is not signed ([D-ABOUT]: "A POST body that is
    /// not application/x-www-form-urlencoded is not considered as part of the parameters").
    pub fn collect(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Self {
        let query = query.map(crate::oauth::parse_form).unwrap_or_default();
        let form = if is_form(headers) {
            crate::oauth::parse_form(&String::from_utf8_lossy(body))
        } else {
            Vec::new()
        };
        RequestParams { query, form }
    }

    /// Like [`RequestParams::collect`] with a decoder that leaves `+` a plus, the bug of
    /// a policy without `plus_is_space` (see [`super::policy::Policy`]).
    pub fn collect_keeping_plus(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Self {
        let decode = |text: &str| -> Vec<(String, String)> {
            crate::oauth::parse_form(&text.replace('+', "%2B"))
        };
        let query = query.map(decode).unwrap_or_default();
        let form = if is_form(headers) {
            decode(&String::from_utf8_lossy(body))
        } else {
            Vec::new()
        };
        RequestParams { query, form }
    }

    /// Query then form pairs, in order.
    pub fn all(&self) -> impl Iterator<Item = &(String, String)> {
        self.query.iter().chain(self.form.iter())
    }

    /// The API parameters (everything but `oauth_*`), for the endpoint handlers.
    pub fn api(&self) -> Params {
        Params(
            self.all()
                .filter(|(k, _)| !k.starts_with("oauth_"))
                .cloned()
                .collect(),
        )
    }
}

/// Whether the request's `Content-Type` is `application/x-www-form-urlencoded` (parameters such
/// as `; charset=utf-8` allowed, case-insensitive).
pub fn is_form(headers: &HeaderMap) -> bool {
    mime(headers).as_deref() == Some("application/x-www-form-urlencoded")
}

fn mime(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

/// API parameters of a request, decoded; keys are unique (duplicates are refused earlier).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The value of `name`, if present (possibly empty).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name` if present and not empty (an empty value counts as missing).
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn form_bodies_count_only_with_a_form_content_type() {
        let mut headers = HeaderMap::new();
        let p = RequestParams::collect(Some("a=1+2"), &headers, b"b=3");
        assert_eq!(p.query, vec![("a".into(), "1 2".into())]);
        assert!(p.form.is_empty());
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
        );
        let p = RequestParams::collect(None, &headers, b"b=%7E*&oauth_nonce=x&b=4");
        assert_eq!(p.api().get("b"), Some("~*"));
        assert_eq!(p.form.len(), 3);
        assert_eq!(p.api().get("oauth_nonce"), None);
    }
}
