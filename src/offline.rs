//! Vectors that need no network: the signer's known answers and percent-encoding cases.
//!
//! They run before (and without) any target, so a broken signer is reported as such rather than
//! as a target refusing every request.

use crate::check::Mismatch;
use crate::oauth::{self, Credentials, SigningInput};
use crate::vector::{EncodingCase, SignatureCase};

/// Recomputes a published signature walk-through and compares every published value.
pub fn check_signature(case: &SignatureCase) -> Vec<Mismatch> {
    let url = match url::Url::parse(&case.url) {
        Ok(url) => url,
        Err(e) => {
            return vec![Mismatch::new(
                "url",
                "a valid URL",
                format!("`{}`: {e}", case.url),
            )];
        }
    };
    let mut params = oauth::parse_form(url.query().unwrap_or_default());
    params.extend(case.form.iter().cloned());
    let credentials = Credentials {
        consumer_key: case.consumer_key.clone(),
        consumer_secret: case.consumer_secret.clone(),
        token: case.token.clone(),
        token_secret: case.token_secret.clone(),
    };
    let mut input = SigningInput::new(&case.method, &url, &params);
    input.nonce = case.nonce.clone();
    input.timestamp = case.timestamp;
    let oauth_params = oauth::sign(&credentials, &input);
    let mut signed: Vec<(String, String)> = params.clone();
    signed.extend(
        oauth_params
            .iter()
            .filter(|(k, _)| k != "oauth_signature")
            .cloned(),
    );
    let signature = oauth_params
        .iter()
        .find(|(k, _)| k == "oauth_signature")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();

    let computed = [
        (
            "parameter string",
            &case.expect.parameter_string,
            oauth::parameter_string(&signed),
        ),
        (
            "signature base string",
            &case.expect.base_string,
            oauth::signature_base_string(&case.method, &oauth::base_url(&url), &signed),
        ),
        (
            "signing key",
            &case.expect.signing_key,
            oauth::signing_key(&case.consumer_secret, &case.token_secret),
        ),
        ("signature", &case.expect.signature, signature),
        (
            "Authorization header",
            &case.expect.authorization_header,
            oauth::authorization_header(&oauth_params),
        ),
    ];
    computed
        .into_iter()
        .filter_map(|(what, expected, actual)| match expected {
            Some(expected) if *expected != actual => Some(Mismatch::new(
                what,
                format!("`{expected}`"),
                format!("`{actual}`"),
            )),
            _ => None,
        })
        .collect()
}

/// Encodes each input and compares with the published encoding.
pub fn check_encoding(cases: &[EncodingCase]) -> Vec<Mismatch> {
    cases
        .iter()
        .filter_map(|case| {
            let actual = oauth::percent_encode(&case.input);
            (actual != case.expect).then(|| {
                Mismatch::new(
                    format!("percent-encoding of `{}`", case.input),
                    format!("`{}`", case.expect),
                    format!("`{actual}`"),
                )
            })
        })
        .collect()
}
