//! Request dispatch: one function takes every request through the same pipeline, in the order
//! the server documents:
//!
//! 1. path → 404 / 34 for anything that is not a Collections endpoint;
//! 2. method → 400 / 86 ("This method requires a POST." / "… a GET or HEAD.");
//! 3. body read with a size cap → 413 / 131 beyond it;
//! 4. authentication (see [`super::auth`]) → 400 / 215, 401 / 32, 89, 135, 403 / 220;
//! 5. rate limit per token and endpoint → 429 / 88 (headers on every authenticated response);
//! 6. parameters, then the operation (in the handlers).
//!
//! No typed extractors are used, so no framework rejection can escape the Twitter envelope.
//!
//! Every step reads the endpoint's [`Policy`] (see [`super::policy`]) where the behaviour is
//! decided; faults and variants are other values of it, not branches here.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::Response;

use super::auth::{AuthRequest, Principal, authenticate};
use super::errors::ApiError;
use super::handlers;
use super::params::{Params, RequestParams};
use super::policy::{Policy, RateLimitHeaders};
use super::state::AppState;

/// The Collections endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// `POST collections/create`
    Create,
    /// `POST collections/destroy`
    Destroy,
    /// `POST collections/update`
    Update,
    /// `GET collections/show`
    Show,
    /// `GET collections/list`
    List,
    /// `GET collections/entries`
    Entries,
    /// `POST collections/entries/add`
    EntriesAdd,
    /// `POST collections/entries/remove`
    EntriesRemove,
    /// `POST collections/entries/move`
    EntriesMove,
    /// `POST collections/entries/curate`
    EntriesCurate,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 10] = [
        Endpoint::Create,
        Endpoint::Destroy,
        Endpoint::Update,
        Endpoint::Show,
        Endpoint::List,
        Endpoint::Entries,
        Endpoint::EntriesAdd,
        Endpoint::EntriesRemove,
        Endpoint::EntriesMove,
        Endpoint::EntriesCurate,
    ];

    /// The name used in docs and rate-limit keys, e.g. `collections/entries/remove`.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Create => "collections/create",
            Endpoint::Destroy => "collections/destroy",
            Endpoint::Update => "collections/update",
            Endpoint::Show => "collections/show",
            Endpoint::List => "collections/list",
            Endpoint::Entries => "collections/entries",
            Endpoint::EntriesAdd => "collections/entries/add",
            Endpoint::EntriesRemove => "collections/entries/remove",
            Endpoint::EntriesMove => "collections/entries/move",
            Endpoint::EntriesCurate => "collections/entries/curate",
        }
    }

    /// Position in [`Endpoint::ALL`].
    pub fn index(self) -> usize {
        Endpoint::ALL
            .iter()
            .position(|e| *e == self)
            .unwrap_or_default()
    }

    /// The endpoint with this name (`collections/entries/remove`), if any.
    pub fn from_name(name: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The endpoint served at `path` (`/1.1/<name>.json`).
    pub fn from_path(path: &str) -> Option<Endpoint> {
        Endpoint::from_name(path.strip_prefix("/1.1/")?.strip_suffix(".json")?)
    }

    /// Whether the endpoint reads (GET) rather than writes (POST).
    pub fn is_get(self) -> bool {
        matches!(self, Endpoint::Show | Endpoint::List | Endpoint::Entries)
    }

    fn allows(self, method: &Method) -> bool {
        if self.is_get() {
            method == Method::GET || method == Method::HEAD
        } else {
            method == Method::POST
        }
    }
}

/// A verified request, as handlers see it.
#[derive(Debug)]
pub struct Call {
    /// Which endpoint.
    pub endpoint: Endpoint,
    /// Who is calling.
    pub principal: Principal,
    /// API parameters (query and form body, `oauth_*` removed).
    pub params: Params,
    /// The raw body (for curate's JSON).
    pub body: Bytes,
}

/// The single handler behind every path.
pub async fn dispatch(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = handle(&state, request).await;
    if state.log_requests {
        eprintln!("{method} {path} -> {}", response.status().as_u16());
    }
    response
}

async fn handle(state: &AppState, request: Request) -> Response {
    let Some(endpoint) = Endpoint::from_path(request.uri().path()) else {
        let policy = state.behaviour.unknown_path();
        return policy.finish(policy.error_response(ApiError::not_found()));
    };
    let policy = state.behaviour.for_endpoint(endpoint);
    let response = handle_endpoint(state, endpoint, policy, request).await;
    if !policy.latency.is_zero() {
        tokio::time::sleep(policy.latency).await;
    }
    policy.finish(response)
}

async fn handle_endpoint(
    state: &AppState,
    endpoint: Endpoint,
    policy: &Policy,
    request: Request,
) -> Response {
    let fail = |error: ApiError| policy.error_response(error);
    let (parts, body) = request.into_parts();
    let get_as_post = policy.get_acts_as_post && parts.method == Method::GET;
    if !endpoint.allows(&parts.method) && !get_as_post {
        let required = if endpoint.is_get() {
            "GET or HEAD"
        } else {
            "POST"
        };
        return fail(policy.wrong_method.error(required));
    }
    let body = match axum::body::to_bytes(body, state.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(error) => return fail(super::conn::body_error(&error)),
    };

    // curate's body is JSON and never signed, whatever its Content-Type claims ([D-ABOUT]); a
    // client that signs curate parameters as a form gets 32, as node-twitter#286 observed.
    let params = if endpoint == Endpoint::EntriesCurate && policy.curate_body_unsigned {
        RequestParams::collect(parts.uri.query(), &HeaderMap::new(), &[])
    } else if endpoint == Endpoint::EntriesCurate {
        // A policy that reads every body as a form, whatever its Content-Type says.
        let mut form = HeaderMap::new();
        form.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        RequestParams::collect(parts.uri.query(), &form, &body)
    } else if !policy.plus_is_space {
        RequestParams::collect_keeping_plus(parts.uri.query(), &parts.headers, &body)
    } else {
        RequestParams::collect(parts.uri.query(), &parts.headers, &body)
    };
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().map_err(|_| ()));
    let auth_request = AuthRequest {
        method: parts.method.as_str(),
        base_url: request_base_url(&parts.headers, &parts.uri),
        authorization,
        params: &params,
        body: &body,
    };
    let now = crate::oauth::unix_now();
    let authenticated = authenticate(
        &state.registry,
        &state.nonces,
        policy
            .timestamp_window_secs
            .unwrap_or(state.timestamp_window_secs),
        now,
        &auth_request,
        policy,
    );
    // The client report's seam (`--client-report`): off, it is one `None` check.
    let seen = state.client_report.as_ref().and_then(|report| {
        let outcome = authenticated.as_ref().map(|_| ());
        let base_url = auth_request.base_url.as_deref();
        report.observe(endpoint, &parts, &body, base_url, outcome, now)
    });
    let principal = match authenticated {
        Ok(principal) => principal,
        Err(error) => {
            let error = match policy.every_auth_refusal {
                Some(refusal) => refusal.error(""),
                None => error,
            };
            return fail(error);
        }
    };

    let mut limit = state.limit_for(&principal.user_id, endpoint.name());
    if let Some(cap) = policy.write_limit_cap.filter(|_| !endpoint.is_get()) {
        limit = limit.min(cap);
    }
    let quota = state.limiter.lock().unwrap_or_else(|p| p.into_inner()).hit(
        &principal.token,
        endpoint.name(),
        limit,
        state.rate_limits.window_secs,
        now,
    );
    if let Some(seen) = seen {
        seen.commit(quota.exceeded && policy.enforce_rate_limit, quota.reset);
    }
    let mut response = if quota.exceeded && policy.enforce_rate_limit {
        if policy.apply_when_rate_limited {
            let call = Call {
                endpoint,
                principal,
                params: params.api(),
                body,
            };
            let _ = handlers::handle(state, policy, &call);
        }
        fail(ApiError::rate_limited())
    } else {
        // Parameters still count for the signature above; a policy only hides one source from
        // the handler.
        let mut api_source = params;
        if !policy.params_from_query {
            api_source.query.clear();
        }
        if !policy.params_from_form {
            api_source.form.clear();
        }
        let call = Call {
            endpoint,
            principal,
            params: api_source.api(),
            body,
        };
        let handled = handlers::handle(state, policy, &call);
        state.note_changes();
        match handled {
            Ok(value) => policy.success_response(&value),
            Err(error) => fail(error),
        }
    };
    let headers_sent = match policy.rate_limit_headers {
        RateLimitHeaders::Always => true,
        RateLimitHeaders::ReadsOnly => endpoint.is_get(),
        RateLimitHeaders::Never => false,
    };
    if !headers_sent {
        return response;
    }
    let remaining = if policy.count_down_remaining {
        quota.remaining
    } else {
        quota.limit
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-rate-limit-limit", quota.limit.to_string()),
        ("x-rate-limit-remaining", remaining.to_string()),
        ("x-rate-limit-reset", quota.reset.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// The base URL the client signed: `https` when a proxy says so with `X-Forwarded-Proto`, else
/// `http`; the `Host` the client addressed (or the request target's authority); the path as sent.
fn request_base_url(headers: &HeaderMap, uri: &axum::http::Uri) -> Option<String> {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let scheme = if https { "https" } else { "http" };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| uri.authority().map(|a| a.to_string()))?;
    let url = url::Url::parse(&format!("{scheme}://{host}{}", uri.path())).ok()?;
    Some(crate::oauth::base_url(&url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_endpoints() {
        assert_eq!(
            Endpoint::from_path("/1.1/collections/entries/remove.json"),
            Some(Endpoint::EntriesRemove)
        );
        assert_eq!(Endpoint::from_path("/1.1/collections/entries/remove"), None);
        assert_eq!(Endpoint::from_path("/1.1/collections/nope.json"), None);
        assert_eq!(
            Endpoint::from_path("/1.1/collections/entries.json"),
            Some(Endpoint::Entries)
        );
    }

    #[test]
    fn base_url_follows_host_and_forwarded_proto() {
        let uri: axum::http::Uri = "/1.1/collections/show.json?id=x".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("Example.COM:80"));
        assert_eq!(
            request_base_url(&headers, &uri).as_deref(),
            Some("http://example.com/1.1/collections/show.json")
        );
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        headers.insert(
            header::HOST,
            HeaderValue::from_static("api.example.com:443"),
        );
        assert_eq!(
            request_base_url(&headers, &uri).as_deref(),
            Some("https://api.example.com/1.1/collections/show.json")
        );
    }
}
