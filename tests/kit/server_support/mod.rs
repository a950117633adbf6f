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
            http: client(),
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

/// Signs a call as seeded user `user` of a server described by its ready line: header auth,
/// GET parameters in the query, POST parameters in a form body.
pub fn signed(
    info: &server::ReadyInfo,
    user: usize,
    method: &str,
    endpoint: &str,
    params: &[(&str, &str)],
) -> Req {
    let creds = Credentials {
        consumer_key: info.consumer_key.clone(),
        consumer_secret: info.consumer_secret.clone(),
        token: info.users[user].access_token.clone(),
        token_secret: info.users[user].access_token_secret.clone(),
    };
    let url = format!("{}/1.1/{endpoint}.json", info.base_url);
    let params = pairs(params);
    let input_url = url::Url::parse(&url).unwrap();
    let oauth_pairs = oauth::sign(&creds, &SigningInput::new(method, &input_url, &params));
    let (url, content_type, body) = if method == "GET" {
        (
            format!("{url}?{}", oauth::encode_pairs(&params)),
            None,
            None,
        )
    } else {
        (
            url,
            Some("application/x-www-form-urlencoded".to_string()),
            Some(oauth::encode_pairs(&params).into_bytes()),
        )
    };
    Req {
        method: method.to_string(),
        url,
        authorization: Some(oauth::authorization_header(&oauth_pairs)),
        content_type,
        body,
        extra_headers: Vec::new(),
    }
}

/// Sends a request with any client.
pub async fn send_with(http: &reqwest::Client, req: Req) -> Resp {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
    let mut builder = http.request(method, &req.url);
    if let Some(auth) = &req.authorization {
        builder = builder.header("authorization", auth);
    }
    if let Some(ct) = &req.content_type {
        builder = builder.header("content-type", ct);
    }
    if let Some(body) = req.body {
        builder = builder.body(body);
    }
    read(builder.send().await.expect("request sent")).await
}

/// A `serve` process of the real binary, known by its ready line; killed when dropped.
pub struct Spawned {
    pub child: std::process::Child,
    pub info: server::ReadyInfo,
    pub http: reqwest::Client,
}

impl Spawned {
    /// Starts `serve ARGS` (under `ulimit -n N` when given) and waits for its ready line.
    pub fn start(args: &[&str], descriptor_limit: Option<u32>) -> Spawned {
        use std::io::BufRead;
        let exe = env!("CARGO_BIN_EXE_collections-conformance");
        let mut command = match descriptor_limit {
            Some(n) => {
                let mut c = std::process::Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(exe);
                c
            }
            None => std::process::Command::new(exe),
        };
        let mut child = command
            .arg("serve")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("serve starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("ready line");
        let info = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        Spawned {
            child,
            info,
            http: client(),
        }
    }

    /// A signed call as seeded user `user`.
    pub async fn call(
        &self,
        user: usize,
        method: &str,
        endpoint: &str,
        params: &[(&str, &str)],
    ) -> Resp {
        send_with(
            &self.http,
            signed(&self.info, user, method, endpoint, params),
        )
        .await
    }

    /// `host:port` of the server.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.info
            .base_url
            .trim_start_matches("http://")
            .parse()
            .unwrap()
    }

    /// Sends SIGTERM and waits up to `limit` for the exit; `None` if it did not exit.
    pub fn terminate(&mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client (reqwest is built without a default TLS provider; this installs ring's).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
