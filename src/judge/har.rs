//! HAR 1.2 (<http://www.softwareishard.com/blog/har-12-spec/>), as browsers, proxies and HTTP
//! recorders write it: the types (read and written through serde) and the conversion of one
//! entry into the exchange the checks judge.
//!
//! Readers differ in what they leave out, so everything but `log.entries[].request.method`,
//! `.url` and `.response.status` is optional here. A request body is taken from `postData.text`
//! when the recorder kept it, else rebuilt from `postData.params` (taken as they appear, i.e.
//! still form-encoded, as Chromium writes them). A response body is `content.text`, base64-decoded
//! when `content.encoding` is `base64` (the only way a HAR can hold bytes that are not UTF-8).

use crate::exchange::{Exchange, RecordedRequest, RecordedResponse};
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// A whole HAR file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Har {
    /// The only top-level key.
    pub log: Log,
}

/// `log`: who recorded, and the exchanges in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Log {
    /// Format version (`1.2`).
    #[serde(default)]
    pub version: String,
    /// The recording tool.
    #[serde(default)]
    pub creator: Creator,
    /// Every exchange, in the order recorded.
    pub entries: Vec<Entry>,
}

/// The tool that wrote the file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Creator {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its version.
    #[serde(default)]
    pub version: String,
}

/// One exchange.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// When the request started, ISO 8601 (`2026-11-28T03:00:00.000Z`).
    #[serde(default)]
    pub started_date_time: String,
    /// Total time in milliseconds (-1 when unknown).
    #[serde(default)]
    pub time: f64,
    /// The request.
    pub request: Request,
    /// The response (`status` 0 when none came).
    pub response: Response,
    /// Required by HAR 1.2, unused here.
    #[serde(default)]
    pub cache: serde_json::Value,
    /// Required by HAR 1.2, unused here.
    #[serde(default)]
    pub timings: serde_json::Value,
}

/// A name/value pair (headers, query string, form parameters).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pair {
    /// Name.
    pub name: String,
    /// Value (absent for file uploads in `postData.params`).
    #[serde(default)]
    pub value: String,
}

/// `request`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// HTTP method.
    pub method: String,
    /// Absolute URL, query included.
    pub url: String,
    /// `HTTP/1.1`, `h2`, ...
    #[serde(default)]
    pub http_version: String,
    /// Headers as sent.
    #[serde(default)]
    pub headers: Vec<Pair>,
    /// The query string, decoded by the recorder (the URL is what the judge reads).
    #[serde(default)]
    pub query_string: Vec<Pair>,
    /// The body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
    /// Required by HAR 1.2, unused here.
    #[serde(default)]
    pub cookies: Vec<serde_json::Value>,
    /// -1 when unknown.
    #[serde(default = "minus_one")]
    pub headers_size: i64,
    /// -1 when unknown.
    #[serde(default = "minus_one")]
    pub body_size: i64,
}

/// `request.postData`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    /// The body's media type.
    #[serde(default)]
    pub mime_type: String,
    /// Form parameters, when the recorder split them out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Pair>,
    /// The body text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// `response`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// HTTP status; 0 when the request got no response.
    pub status: u16,
    /// Reason phrase.
    #[serde(default)]
    pub status_text: String,
    /// `HTTP/1.1`, `h2`, ...
    #[serde(default)]
    pub http_version: String,
    /// Headers as received.
    #[serde(default)]
    pub headers: Vec<Pair>,
    /// The body.
    #[serde(default)]
    pub content: Content,
    /// Required by HAR 1.2, unused here.
    #[serde(default)]
    pub cookies: Vec<serde_json::Value>,
    /// `Location` of a redirect.
    #[serde(default, rename = "redirectURL")]
    pub redirect_url: String,
    /// -1 when unknown.
    #[serde(default = "minus_one")]
    pub headers_size: i64,
    /// -1 when unknown.
    #[serde(default = "minus_one")]
    pub body_size: i64,
}

/// `response.content`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// Body length in bytes.
    #[serde(default)]
    pub size: i64,
    /// The response's media type.
    #[serde(default)]
    pub mime_type: String,
    /// The body, as text or base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `base64` when `text` is base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

fn minus_one() -> i64 {
    -1
}

impl Har {
    /// Reads and parses a HAR file; the error names the file and, for bad JSON or a missing
    /// field, the line and column.
    pub fn load(path: &Path) -> anyhow::Result<Har> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Har::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Parses HAR text.
    pub fn parse(text: &str) -> anyhow::Result<Har> {
        // A UTF-8 byte order mark is common in files written on Windows.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        serde_json::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "not a HAR file (line {}, column {}): {e}",
                e.line(),
                e.column()
            )
        })
    }
}

impl Entry {
    /// The request body as sent: `postData.text`, or the form parameters joined.
    pub fn request_body(&self) -> Option<String> {
        let post = self.request.post_data.as_ref()?;
        if let Some(text) = &post.text {
            return Some(text.clone());
        }
        if post.params.is_empty() {
            return None;
        }
        Some(
            post.params
                .iter()
                .map(|p| format!("{}={}", p.name, p.value))
                .collect::<Vec<_>>()
                .join("&"),
        )
    }

    /// The request's media type: its `Content-Type` header, else `postData.mimeType`.
    pub fn request_content_type(&self) -> Option<String> {
        self.request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-type"))
            .map(|h| h.value.clone())
            .or_else(|| {
                self.request
                    .post_data
                    .as_ref()
                    .map(|p| p.mime_type.clone())
                    .filter(|m| !m.is_empty())
            })
    }

    /// The response body bytes; `Err` says why they cannot be had (bad base64, or a body the
    /// recorder did not keep).
    pub fn response_bytes(&self) -> Result<Vec<u8>, String> {
        let content = &self.response.content;
        match (&content.text, content.encoding.as_deref()) {
            (Some(text), Some(encoding)) if encoding.eq_ignore_ascii_case("base64") => {
                base64::engine::general_purpose::STANDARD
                    .decode(text.trim())
                    .map_err(|e| format!("response.content.text is not valid base64: {e}"))
            }
            (Some(_), Some(other)) => Err(format!(
                "response.content.encoding `{other}` is not one HAR 1.2 defines (base64)"
            )),
            (Some(text), None) => Ok(text.as_bytes().to_vec()),
            (None, _) if content.size > 0 => Err(format!(
                "the recorder kept no response body (content.size {} but no content.text): \
                 record with response content",
                content.size
            )),
            (None, _) => Ok(Vec::new()),
        }
    }

    /// When the request started, in Unix seconds, if `startedDateTime` is a valid date.
    pub fn started_unix(&self) -> Option<i64> {
        chrono::DateTime::parse_from_rfc3339(self.started_date_time.trim())
            .ok()
            .map(|t| t.timestamp())
    }

    /// The entry as the kit's own exchange record, so the checks and the reports treat recorded
    /// traffic and the kit's own requests alike. Header names of the response are lower-cased,
    /// as [`RecordedResponse`] keeps them.
    pub fn exchange(&self) -> Exchange {
        let headers = self
            .request
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect();
        let request = RecordedRequest::new(
            &self.request.method,
            &self.request.url,
            headers,
            self.request_body(),
        );
        let response = if self.response.status == 0 {
            Err("no response was recorded (status 0)".to_string())
        } else {
            self.response_bytes().map(|bytes| {
                let mut headers: Vec<(String, String)> = self
                    .response
                    .headers
                    .iter()
                    .map(|h| (h.name.to_ascii_lowercase(), h.value.clone()))
                    .collect();
                // `content.mimeType` is the Content-Type header's value (HAR 1.2); a recorder
                // that kept no headers still kept it.
                let mime = &self.response.content.mime_type;
                if !headers.iter().any(|(k, _)| k == "content-type") && !mime.is_empty() {
                    headers.push(("content-type".into(), mime.clone()));
                }
                RecordedResponse::new(self.response.status, headers, bytes, false)
            })
        };
        Exchange {
            request,
            response,
            duration: Duration::try_from_secs_f64(self.time.max(0.0) / 1000.0).unwrap_or_default(),
        }
    }
}
