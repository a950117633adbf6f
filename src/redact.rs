//! Keeps secrets out of every output: failure text, reproducers, reports.
//!
//! Secrets are the consumer secret, token secrets, the bearer token and any `oauth_signature`
//! value (a signature lets anyone replay the request). Each is replaced by a placeholder naming
//! the setting it came from, in every form a target may echo it: raw, percent-encoded (either hex
//! case, any depth), percent-decoded and form-decoded (a bearer token as issued contains `%2F`,
//! `%2B`, `%3D`), JSON-escaped (`\"`, `\/`, `\u00XX`), and any mix of these character by
//! character. Redaction runs only on text that leaves the process; checks read the raw exchange.

use regex::{Captures, Regex, RegexBuilder};

/// Replaces known secrets and signatures in text.
#[derive(Debug, Clone)]
pub struct Redactor {
    /// One pattern for everything, so a placeholder is never scanned again: the signature
    /// alternative first (groups `sig` and `sigval`), then one group per secret, longest first.
    /// `None` only if even the fallback pattern failed to build (then nothing is replaced).
    pattern: Option<Regex>,
    /// Placeholder of each secret group, in group order after the signature groups.
    placeholders: Vec<&'static str>,
}

/// What replaces an `oauth_signature` value.
pub const SIGNATURE_PLACEHOLDER: &str = "$OAUTH_SIGNATURE";

/// `oauth_signature`, then whatever quoting or encoding separates it from its value: `=` (raw,
/// percent-encoded at any depth, `\u003d`) or a JSON `":"`, then an optional opening quote
/// (`"`, `'`, `\"`, `%22`, `\u0022`). Group `sig` is kept, the value (`sigval`) replaced.
const SIGNATURE_KEY: &str = r#"(?P<sig>oauth_signature(?:\\*["'])?\s*(?:=|%(?:25)*(?i:3d)|\\u(?i:003d)|:)\s*(?:\\*["']|%(?:25)*(?:27|22)|\\u(?i:002[27]))?)"#;

/// An `oauth_signature` value: base64, raw, percent-encoded at any depth, or JSON-escaped; it
/// stops at a quote, comma, ampersand or space in any encoding. (A PLAINTEXT signature is
/// `secret&secret`: it stops at the `%26`, and the secrets are redacted as secrets.)
const SIGNATURE_VALUE: &str =
    r"(?P<sigval>(?:[A-Za-z0-9+/=._~-]|%(?:25)*(?i:2b|2f|3d|7e)|\\/|\\u(?i:00(?:2b|2f|3d)))+)";

impl Default for Redactor {
    /// A redactor for signatures alone.
    fn default() -> Redactor {
        Redactor::new(Vec::new())
    }
}

impl Redactor {
    /// A redactor for these `(secret, placeholder)` pairs (empty secrets are ignored). Building
    /// one compiles a pattern (milliseconds), so the last one built is kept and reused: a run
    /// builds one per vector, always with the same secrets.
    pub fn new(secrets: Vec<(String, &'static str)>) -> Redactor {
        type Cache = std::sync::Mutex<Option<(Vec<(String, &'static str)>, Redactor)>>;
        static LAST: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
        let cache = LAST.get_or_init(Cache::default);
        if let Some((key, redactor)) = &*cache.lock().unwrap_or_else(|e| e.into_inner()) {
            if *key == secrets {
                return redactor.clone();
            }
        }
        let redactor = Redactor::build(secrets.clone());
        *cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((secrets, redactor.clone()));
        redactor
    }

    fn build(secrets: Vec<(String, &'static str)>) -> Redactor {
        let mut secrets: Vec<(String, &'static str)> = secrets
            .into_iter()
            .filter(|(secret, _)| !secret.is_empty())
            .collect();
        // Longest first, so a secret that contains another is replaced whole.
        secrets.sort_by_key(|(secret, _)| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        let mut alternatives = vec![format!("{SIGNATURE_KEY}{SIGNATURE_VALUE}")];
        let mut placeholders = Vec::new();
        for (secret, placeholder) in &secrets {
            let forms: Vec<String> = base_forms(secret).iter().map(|f| form_pattern(f)).collect();
            alternatives.push(format!("({})", forms.join("|")));
            placeholders.push(*placeholder);
        }
        let pattern = build(&alternatives).or_else(|| {
            // Secrets so long the full pattern exceeds the regex size limit: fall back to their
            // raw and decoded forms only, which stay small.
            let literal: Vec<String> = std::iter::once(alternatives[0].clone())
                .chain(secrets.iter().map(|(secret, _)| {
                    let forms: Vec<String> = base_forms(secret)
                        .iter()
                        .map(|f| regex::escape(f))
                        .collect();
                    format!("({})", forms.join("|"))
                }))
                .collect();
            build(&literal)
        });
        Redactor {
            pattern,
            placeholders,
        }
    }

    /// The text with every secret and signature replaced.
    pub fn redact(&self, text: &str) -> String {
        let Some(pattern) = &self.pattern else {
            return text.to_string();
        };
        pattern
            .replace_all(text, |caps: &Captures<'_>| {
                if let Some(key) = caps.name("sig") {
                    return format!("{}{SIGNATURE_PLACEHOLDER}", key.as_str());
                }
                // Groups: 0 whole, 1 `sig`, 2 `sigval`, then one per secret.
                let placeholder = (3..caps.len())
                    .find(|&i| caps.get(i).is_some())
                    .and_then(|i| self.placeholders.get(i - 3))
                    .copied()
                    .unwrap_or("$REDACTED");
                placeholder.to_string()
            })
            .into_owned()
    }
}

fn build(alternatives: &[String]) -> Option<Regex> {
    RegexBuilder::new(&alternatives.join("|"))
        .size_limit(64 << 20)
        .build()
        .ok()
}

/// The secret itself, and what a target that percent-decodes it would hold, when that differs
/// and is text. (Form decoding is that plus `+` read as a space, which [`char_pattern`] covers.)
fn base_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    if let Ok(decoded) = percent_encoding::percent_decode_str(secret).decode_utf8() {
        if decoded != secret {
            forms.push(decoded.into_owned());
        }
    }
    // Longest first within a secret, as across secrets.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms
}

/// A pattern matching `form` with each character in any of its encodings.
fn form_pattern(form: &str) -> String {
    form.chars().map(char_pattern).collect()
}

/// One character raw or behind backslashes (JSON short escapes `\"`, `\\`, `\/`, at any depth),
/// percent-encoded (either case, any depth: `%2F`, `%2f`, `%252F`), as a JSON `\uXXXX` escape; a space also as `+` (form
/// encoding) and a `+` also as a space (form decoding).
fn char_pattern(c: char) -> String {
    // Raw, or behind any run of backslashes (JSON-escaped once or more: `\/`, `\\\"`).
    let mut alternatives = vec![format!(r"\\*{}", regex::escape(c.encode_utf8(&mut [0; 4])))];
    let mut utf8 = [0; 4];
    let percent: String = c
        .encode_utf8(&mut utf8)
        .bytes()
        .map(|b| format!("%(?:25)*(?i:{b:02x})"))
        .collect();
    alternatives.push(percent);
    let mut utf16 = [0; 2];
    let unicode: String = c
        .encode_utf16(&mut utf16)
        .iter()
        .map(|unit| format!(r"\\u(?i:{unit:04x})"))
        .collect();
    alternatives.push(unicode);
    match c {
        ' ' => alternatives.push(r"\+".into()),
        '+' => alternatives.push(" ".into()),
        _ => {}
    }
    format!("(?:{})", alternatives.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bearer token as issued: it holds percent escapes itself.
    const BEARER: &str = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F";
    const SECRET: &str = "s3cr/et+k\"ey";

    fn redactor() -> Redactor {
        Redactor::new(vec![(SECRET.into(), "$SECRET"), (BEARER.into(), "$BEARER")])
    }

    /// `text` redacted holds no trace of either secret and names the placeholder.
    fn assert_hidden(text: &str, placeholder: &str) {
        let out = redactor().redact(text);
        for trace in ["s3cr", "ey", "0%2BuSeid", "0+uSeid", "0%2buSeid", "ULvsea4"] {
            assert!(!out.contains(trace), "`{trace}` left in {out}");
        }
        assert!(out.contains(placeholder), "{out}");
        assert!(
            out.starts_with("<") && out.ends_with(">"),
            "surroundings kept: {out}"
        );
    }

    #[test]
    fn raw() {
        assert_hidden(&format!("<{SECRET}>"), "<$SECRET>");
        assert_hidden(&format!("<Bearer {BEARER}>"), "<Bearer $BEARER>");
    }

    #[test]
    fn percent_encoded_in_either_hex_case() {
        let upper = crate::oauth::percent_encode(SECRET);
        assert_eq!(upper, "s3cr%2Fet%2Bk%22ey");
        assert_hidden(&format!("<{upper}>"), "<$SECRET>");
        assert_hidden(&format!("<{}>", lower_hex(&upper)), "<$SECRET>");
        let bearer = crate::oauth::percent_encode(BEARER);
        assert_hidden(&format!("<{bearer}>"), "<$BEARER>");
        assert_hidden(&format!("<{}>", lower_hex(&bearer)), "<$BEARER>");
    }

    /// The text with the hex digits of every `%XX` in lower case.
    fn lower_hex(text: &str) -> String {
        let mut out = String::new();
        let mut after_percent = 0;
        for c in text.chars() {
            if c == '%' {
                after_percent = 2;
                out.push(c);
            } else if after_percent > 0 {
                after_percent -= 1;
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn double_encoded() {
        let double = crate::oauth::percent_encode(&crate::oauth::percent_encode(SECRET));
        assert_hidden(&format!("<{double}>"), "<$SECRET>");
        let bearer = crate::oauth::percent_encode(&crate::oauth::percent_encode(BEARER));
        assert_hidden(&format!("<{bearer}>"), "<$BEARER>");
    }

    #[test]
    fn percent_decoded() {
        let decoded = BEARER.replace("%2B", "+").replace("%3D", "=");
        assert_hidden(&format!("<Bearer {decoded}>"), "<Bearer $BEARER>");
    }

    #[test]
    fn form_decoded() {
        // `+` read as a space, as a form decoder does.
        assert_hidden(&format!("<{}>", SECRET.replace('+', " ")), "<$SECRET>");
        // A form decoder reads `%2B` as `+`; one that decodes twice then reads that as a space.
        let twice = BEARER.replace("%2B", " ").replace("%3D", "=");
        assert_hidden(&format!("<{twice}>"), "<$BEARER>");
    }

    #[test]
    fn json_escaped() {
        let escaped = serde_json::to_string(SECRET).unwrap();
        assert_hidden(
            &format!("<{}>", &escaped[1..escaped.len() - 1]),
            "<$SECRET>",
        );
        // `\/` and `\u00XX`, as PHP-style and ASCII-only encoders write them.
        assert_hidden(r#"<s3cr\/et\u002bk\"ey>"#, "<$SECRET>");
        assert_hidden(r#"<\u0073\u0033cr\/et+k\u0022ey>"#, "<$SECRET>");
        // Escaped twice: a JSON string holding JSON text.
        assert_hidden(r#"<s3cr\\/et+k\\\"ey>"#, "<$SECRET>");
        let bearer = BEARER.replace("%2B", r"\u002B").replace("%3D", r"\u003d");
        assert_hidden(&format!("<{bearer}>"), "<$BEARER>");
    }

    #[test]
    fn a_short_secret_is_replaced_only_where_it_occurs() {
        let r = Redactor::new(vec![("1".into(), "$S")]);
        assert_eq!(r.redact("a1b%31c\\u0031"), "a$Sb$Sc$S");
        assert_eq!(r.redact("no secret here"), "no secret here");
    }

    #[test]
    fn a_secret_inside_another_is_replaced_whole_and_placeholders_are_not_rescanned() {
        let r = Redactor::new(vec![("ab".into(), "$SHORT"), ("xaby".into(), "$LONG")]);
        assert_eq!(r.redact("xaby ab"), "$LONG $SHORT");
        let letter = Redactor::new(vec![("S".into(), "$LETTER")]);
        assert_eq!(
            letter.redact("S oauth_signature=S"),
            "$LETTER oauth_signature=$OAUTH_SIGNATURE"
        );
    }

    #[test]
    fn signatures_whatever_quoting_or_escaping_surrounds_them() {
        let r = Redactor::default();
        let cases = [
            (
                r#"OAuth oauth_nonce="n", oauth_signature="ab%2Bc%2Fd%3D", oauth_signature_method="HMAC-SHA1""#,
                r#"OAuth oauth_nonce="n", oauth_signature="$OAUTH_SIGNATURE", oauth_signature_method="HMAC-SHA1""#,
            ),
            (
                "/x?oauth_signature=ab%2Bc&a=b",
                "/x?oauth_signature=$OAUTH_SIGNATURE&a=b",
            ),
            (
                r#"{"echo":"OAuth oauth_signature=\"ab%2Bc%3D\", oauth_version=\"1.0\""}"#,
                r#"{"echo":"OAuth oauth_signature=\"$OAUTH_SIGNATURE\", oauth_version=\"1.0\""}"#,
            ),
            (
                "oauth_signature='ab+c/d='",
                "oauth_signature='$OAUTH_SIGNATURE'",
            ),
            (
                "u=%3Foauth_signature%3Dab%252Bc%26x%3D1",
                "u=%3Foauth_signature%3D$OAUTH_SIGNATURE%26x%3D1",
            ),
            (
                "oauth_signature%3D%22ab%252Fc%22%2C",
                "oauth_signature%3D%22$OAUTH_SIGNATURE%22%2C",
            ),
            (
                r#"{"oauth_signature": "ab\/c+d=","n":1}"#,
                r#"{"oauth_signature": "$OAUTH_SIGNATURE","n":1}"#,
            ),
            (
                r#"{"x":"oauth_signature\u003d\u0022ab\u002Bc\u0022"}"#,
                r#"{"x":"oauth_signature\u003d\u0022$OAUTH_SIGNATURE\u0022"}"#,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(r.redact(text), want, "from {text}");
        }
        let plaintext = Redactor::new(vec![
            ("consumer-secret".into(), "$C"),
            ("token-secret".into(), "$T"),
        ]);
        assert_eq!(
            plaintext.redact("oauth_signature=consumer-secret%26token-secret&"),
            "oauth_signature=$OAUTH_SIGNATURE%26$T&"
        );
    }

    #[test]
    fn text_without_secrets_is_unchanged() {
        let text = r#"{"errors":[{"code":32,"message":"Could not authenticate you."}]} x-rate-limit-remaining: 14"#;
        assert_eq!(redactor().redact(text), text);
    }
}
