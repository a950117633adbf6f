//! Shared helpers for the reference server's own tests: start a server, sign requests with the
//! crate's OAuth module in any placement, and read Twitter-shaped responses.
#![allow(dead_code)]

use collections_conformance::oauth::{self, Credentials, SigningInput};
use collections_conformance::server::{self, RunningServer, ServerConfig};
use serde_json::Value;

/// Where the `oauth_*` parameters travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// `Authorization: OAuth …`
    Header,
    /// In the query string.
    Query,
    /// In the form body (forces a form body).
    Form,
}

/// A running server plus an HTTP client.
pub struct Kit {
    pub server: RunningServer,
    pub http: reqwest::Client,
}

/// A response, read fully.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub raw: String,
    pub body: Value,
}

impl Resp {
    /// The first error code of a hard envelope.
    pub fn code(&self) -> Option<u64> {
        self.body.pointer("/errors/0/code").and_then(Value::as_u64)
    }

    /// Asserts a hard error envelope with exactly one error of this status and code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: u64) {
        assert_eq!(
            (self.status, self.code()),
            (status, Some(code)),
            "body: {}",
            self.raw
        );
        let errors = self.body["errors"].as_array().expect("errors array");
        assert_eq!(errors.len(), 1, "{}", self.raw);
        assert!(errors[0]["message"].is_string(), "{}", self.raw);
        self.assert_json();
    }

    /// Asserts Twitter's content type and compact JSON with no trailing newline.
    #[track_caller]
    pub fn assert_json(&self) {
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(self.raw, serde_json::to_string(&self.body).unwrap());
    }

    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// A request before it is sent.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: String,
    pub url: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: Option<Vec<u8>>,
    pub extra_headers: Vec<(String, String)>,
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl Kit {
    pub async fn start() -> Kit {
        Kit::start_with(ServerConfig::default()).await
    }

    pub async fn start_with(config: ServerConfig) -> Kit {
        let server = server::start(config).await.expect("server starts");
        // reqwest is built without a crypto provider (see Cargo.toml); without this line a
        // server test run on its own panics building the client.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Kit {
            server,
            http: reqwest::Client::new(),
        }
    }

    /// Credentials of seeded user `i` (0 main, 1 other, 2 throttled).
    pub fn creds(&self, user: usize) -> Credentials {
        let info = self.server.info();
        Credentials {
            consumer_key: info.consumer_key.clone(),
            consumer_secret: info.consumer_secret.clone(),
            token: info.users[user].access_token.clone(),
            token_secret: info.users[user].access_token_secret.clone(),
        }
    }

    pub fn tweet(&self, i: usize) -> String {
        self.server.info().tweet_ids[i].clone()
    }

    /// `http://127.0.0.1:PORT/1.1/<endpoint>.json`
    pub fn url(&self, endpoint: &str) -> String {
        format!("{}/1.1/{endpoint}.json", self.server.base_url())
    }

    /// Builds a signed request: `query` on the URL, `form` in a form body, oauth in `placement`.
    /// Values are encoded per RFC 3986 with the crate's encoder.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        &self,
        creds: &Credentials,
        method: &str,
        endpoint: &str,
        query: &[(String, String)],
        form: &[(String, String)],
        placement: Placement,
        adjust: impl FnOnce(&mut SigningInput<'_>),
    ) -> Req {
        let url = self.url(endpoint);
        let parsed = url::Url::parse(&url).unwrap();
        let mut signed_params = query.to_vec();
        signed_params.extend(form.iter().cloned());
        let mut input = SigningInput::new(method, &parsed, &signed_params);
        adjust(&mut input);
        let oauth_pairs = oauth::sign(creds, &input);
        let mut query = query.to_vec();
        let mut form = form.to_vec();
        let mut authorization = None;
        match placement {
            Placement::Header => authorization = Some(oauth::authorization_header(&oauth_pairs)),
            Placement::Query => query.extend(oauth_pairs),
            Placement::Form => form.extend(oauth_pairs),
        }
        let full_url = if query.is_empty() {
            url
        } else {
            format!("{url}?{}", oauth::encode_pairs(&query))
        };
        let (content_type, body) = if form.is_empty() && placement != Placement::Form {
            (None, None)
        } else {
            (
                Some("application/x-www-form-urlencoded".to_string()),
                Some(oauth::encode_pairs(&form).into_bytes()),
            )
        };
        Req {
            method: method.to_string(),
            url: full_url,
            authorization,
            content_type,
            body,
            extra_headers: Vec::new(),
        }
    }

    pub async fn send(&self, req: Req) -> Resp {
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
        let mut builder = self.http.request(method, &req.url);
        if let Some(auth) = &req.authorization {
            builder = builder.header("authorization", auth);
        }
        if let Some(ct) = &req.content_type {
            builder = builder.header("content-type", ct);
        }
        for (k, v) in &req.extra_headers {
            builder = builder.header(k, v);
        }
        if let Some(body) = req.body {
            builder = builder.body(body);
        }
        let response = builder.send().await.expect("request sent");
        read(response).await
    }

    /// The usual call: user `user`, header auth, GET params in the query, POST params in a form
    /// body.
    pub async fn call(
        &self,
        user: usize,
        method: &str,
        endpoint: &str,
        params: &[(&str, &str)],
    ) -> Resp {
        let params = pairs(params);
        let (query, form) = if method == "GET" {
            (params, vec![])
        } else {
            (vec![], params)
        };
        let req = self.build(
            &self.creds(user),
            method,
            endpoint,
            &query,
            &form,
            Placement::Header,
            |_| {},
        );
        self.send(req).await
    }

    /// POST with all parameters on the query string (as the documentation's examples do).
    pub async fn post_query(&self, user: usize, endpoint: &str, params: &[(&str, &str)]) -> Resp {
        let req = self.build(
            &self.creds(user),
            "POST",
            endpoint,
            &pairs(params),
            &[],
            Placement::Header,
            |_| {},
        );
        self.send(req).await
    }

    /// Creates a collection for `user` and returns its id.
    pub async fn create(&self, user: usize, name: &str) -> String {
        let r = self
            .call(user, "POST", "collections/create", &[("name", name)])
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        r.body["response"]["timeline_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Adds tweets (in order) to a collection, asserting success.
    pub async fn add(&self, user: usize, id: &str, tweets: &[String]) {
        for t in tweets {
            let r = self
                .call(
                    user,
                    "POST",
                    "collections/entries/add",
                    &[("id", id), ("tweet_id", t)],
                )
                .await;
            // Parsed, not byte-compared: server-wide variants reorder keys or pretty-print.
            assert_eq!(
                (r.status, &r.body),
                (
                    200,
                    &serde_json::json!({"objects": {}, "response": {"errors": []}})
                ),
                "{}",
                r.raw
            );
        }
    }

    /// Tweet ids of a collection, top first.
    pub async fn entry_ids(&self, id: &str) -> Vec<String> {
        let r = self
            .call(
                0,
                "GET",
                "collections/entries",
                &[("id", id), ("count", "200")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        r.body["response"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["tweet"]["id"].as_str().unwrap().to_string())
            .collect()
    }
}

pub async fn read(response: reqwest::Response) -> Resp {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let raw = response.text().await.expect("body");
    let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        raw,
        body,
    }
}
