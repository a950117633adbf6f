//! Keeps secrets out of every output: failure text, reproducers, reports.
//!
//! Secrets are the consumer secret, token secrets, the bearer token and any `oauth_signature`
//! value (a signature lets anyone replay the request). Each is replaced, raw or percent-encoded,
//! by a placeholder naming the setting it came from.

/// Replaces known secrets and signatures in text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<(String, String)>,
}

/// What replaces an `oauth_signature` value.
pub const SIGNATURE_PLACEHOLDER: &str = "$OAUTH_SIGNATURE";

impl Redactor {
    /// A redactor for these `(secret, placeholder)` pairs.
    pub fn new(secrets: Vec<(String, &'static str)>) -> Redactor {
        let mut expanded = Vec::new();
        for (secret, placeholder) in secrets {
            if secret.is_empty() {
                continue;
            }
            let encoded = crate::oauth::percent_encode(&secret);
            let double = crate::oauth::percent_encode(&encoded);
            for form in [secret.clone(), encoded, double] {
                expanded.push((form, placeholder.to_string()));
            }
        }
        // Longest first, so a secret that contains another is replaced whole.
        expanded.sort_by_key(|(secret, _)| std::cmp::Reverse(secret.len()));
        expanded.dedup();
        Redactor { secrets: expanded }
    }

    /// The text with every secret and signature replaced.
    pub fn redact(&self, text: &str) -> String {
        let mut out = redact_signatures(text);
        for (secret, placeholder) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), placeholder);
            }
        }
        out
    }
}

/// Replaces the value after every `oauth_signature=` (header, query or body form).
fn redact_signatures(text: &str) -> String {
    const KEY: &str = "oauth_signature=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let (before, after) = rest.split_at(at + KEY.len());
        out.push_str(before);
        let quoted = after.starts_with('"');
        let value_start = usize::from(quoted);
        let value_len = after[value_start..]
            .find(|c: char| {
                if quoted {
                    c == '"'
                } else {
                    c == '&' || c == '\'' || c == '"' || c.is_whitespace()
                }
            })
            .unwrap_or(after.len() - value_start);
        if quoted {
            out.push('"');
        }
        out.push_str(SIGNATURE_PLACEHOLDER);
        rest = &after[value_start + value_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_signatures_are_replaced_in_every_form() {
        let r = Redactor::new(vec![("s3cr/et".into(), "$SECRET")]);
        let text = "key=s3cr/et enc=s3cr%2Fet Authorization: OAuth oauth_signature=\"ab%2Fc%3D\", oauth_signature_method=\"HMAC-SHA1\" q?oauth_signature=xyz&a=b";
        let out = r.redact(text);
        assert!(!out.contains("s3cr"), "{out}");
        assert!(!out.contains("ab%2Fc") && !out.contains("xyz"), "{out}");
        assert!(
            out.contains("oauth_signature_method=\"HMAC-SHA1\""),
            "{out}"
        );
        assert!(
            out.contains("oauth_signature=$OAUTH_SIGNATURE&a=b"),
            "{out}"
        );
    }
}
