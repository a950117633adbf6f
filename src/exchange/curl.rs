//! A `curl` command line that sends a recorded request again.

/// Quotes a shell word with single quotes.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// `curl -i -X METHOD 'URL' -H 'Name: value' --data-raw 'body'`, from already-redacted parts.
pub fn command(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) -> String {
    let mut parts = vec!["curl -i".to_string(), format!("-X {method}"), quote(url)];
    for (name, value) in headers {
        parts.push(format!("-H {}", quote(&format!("{name}: {value}"))));
    }
    if let Some(body) = body {
        parts.push(format!("--data-raw {}", quote(body)));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_single_quotes() {
        let cmd = super::command(
            "POST",
            "http://h/x?a=b",
            &[("X".into(), "it's".into())],
            Some("a=1"),
        );
        assert_eq!(
            cmd,
            r"curl -i -X POST 'http://h/x?a=b' -H 'X: it'\''s' --data-raw 'a=1'"
        );
    }
}
