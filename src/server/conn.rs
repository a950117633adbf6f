//! Connections: the accept loop and the limits that keep slow or hostile clients from holding the
//! server, and graceful shutdown with a deadline.
//!
//! - A request head must arrive within the header timeout, counted from the moment the server
//!   waits for it, so an idle keep-alive connection is closed after the same time (hyper's
//!   `header_read_timeout`).
//! - A request body must arrive within the body timeout, counted from the end of its head;
//!   otherwise 408 with a JSON envelope and `Connection: close`.
//! - Connections are capped per client IP and in total (the total also stays below the process's
//!   descriptor limit); a client over a cap gets 503 / 130 "Over capacity" as JSON and is closed,
//!   so half-open connections cannot starve other clients or the state file of descriptors.
//! - Whenever the server answers without having read the whole request body (404 path, wrong
//!   method, too large, malformed, too slow), it says `Connection: close`, so a client never sends
//!   its next request into a connection that is about to close.
//! - Shutdown stops accepting, lets in-flight requests finish, and after the shutdown timeout
//!   drops whatever is still open, so a half-open client cannot keep the server (and the final
//!   save of `--state`) waiting.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::errors::{ApiError, JSON_CONTENT_TYPE};
use super::state::AppState;

/// Default time a client has to send a request head (and an idle keep-alive connection lives).
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(15);
/// Default time a client has to send a request body once its head arrived.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(15);
/// Default time shutdown waits for open connections before dropping them.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
/// Default cap on simultaneous connections from one client IP.
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 128;
/// Default cap on simultaneous connections in total (lowered to fit the descriptor limit).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// Descriptors kept free for the listener, the state file and its journal, logs.
const SPARE_DESCRIPTORS: usize = 32;
/// Refusals being written at once; beyond this an over-cap connection is closed without a word.
const MAX_REFUSALS: usize = 64;

/// Timeouts and caps of the connection layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnLimits {
    /// Time to send a request head; also how long an idle keep-alive connection stays open.
    pub header_timeout: Duration,
    /// Time to send a request body after its head.
    pub body_timeout: Duration,
    /// Time shutdown waits for open connections.
    pub shutdown_timeout: Duration,
    /// Simultaneous connections in total.
    pub max_connections: usize,
    /// Simultaneous connections per client IP.
    pub max_connections_per_ip: usize,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_ip: DEFAULT_MAX_CONNECTIONS_PER_IP,
        }
    }
}

/// Live connection counts, total and per IP.
#[derive(Debug, Default)]
struct Counts {
    total: AtomicUsize,
    per_ip: Mutex<HashMap<IpAddr, usize>>,
}

/// One counted connection; dropping it gives the slot back.
struct Slot {
    counts: Arc<Counts>,
    ip: IpAddr,
}

impl Counts {
    fn acquire(self: &Arc<Self>, ip: IpAddr, total: usize, per_ip: usize) -> Option<Slot> {
        let mut map = self.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        let mine = map.entry(ip).or_insert(0);
        if *mine >= per_ip || self.total.load(Ordering::Relaxed) >= total {
            if *mine == 0 {
                map.remove(&ip);
            }
            return None;
        }
        *mine += 1;
        self.total.fetch_add(1, Ordering::Relaxed);
        Some(Slot {
            counts: self.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self.counts.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
        self.counts.total.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The total cap actually used: the configured one, lowered so that connections alone never
/// exhaust the process's descriptor limit.
fn effective_max_connections(configured: usize) -> usize {
    let configured = configured.max(1);
    match descriptor_limit() {
        Some(limit) => configured.min(limit.saturating_sub(SPARE_DESCRIPTORS).max(1)),
        None => configured,
    }
}

#[cfg(unix)]
fn descriptor_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we pass and reads nothing else.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as usize)
}

#[cfg(not(unix))]
fn descriptor_limit() -> Option<usize> {
    None
}

/// Serves `app` on `listener` until `stop` resolves (or its sender is dropped), then shuts down
/// within `limits.shutdown_timeout`.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    state: Arc<AppState>,
    limits: ConnLimits,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let counts = Arc::new(Counts::default());
    let refusals = Arc::new(AtomicUsize::new(0));
    let max_total = effective_max_connections(limits.max_connections);
    let mut tasks = JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of descriptors or a connection reset before accept: wait a
                        // moment (timeouts free descriptors) instead of spinning.
                        if !matches!(
                            error.kind(),
                            std::io::ErrorKind::ConnectionAborted
                                | std::io::ErrorKind::ConnectionReset
                        ) {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                match counts.acquire(peer.ip(), max_total, limits.max_connections_per_ip.max(1)) {
                    Some(slot) => {
                        let (app, state, stop_rx) = (app.clone(), state.clone(), stop_rx.clone());
                        tasks.spawn(connection(stream, slot, app, state, limits, stop_rx));
                    }
                    None => {
                        if refusals.fetch_add(1, Ordering::Relaxed) < MAX_REFUSALS {
                            let refusals = refusals.clone();
                            tasks.spawn(async move {
                                refuse(stream).await;
                                refusals.fetch_sub(1, Ordering::Relaxed);
                            });
                        } else {
                            refusals.fetch_sub(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(limits.shutdown_timeout, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tasks.shutdown().await;
    }
    Ok(())
}

/// One HTTP/1.1 connection, until the client closes it, a timeout fires, or shutdown.
async fn connection(
    stream: TcpStream,
    _slot: Slot,
    app: axum::Router,
    state: Arc<AppState>,
    limits: ConnLimits,
    mut stop: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let (app, state) = (app.clone(), state.clone());
        async move { Ok::<_, Infallible>(handle(app, state, limits.body_timeout, request).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.wait_for(|stopping| *stopping) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// Answers one request: the body gets its deadline, the router answers, the change is made
/// durable before the client hears of it, and `Connection: close` marks an unread body.
async fn handle(
    app: axum::Router,
    state: Arc<AppState>,
    body_timeout: Duration,
    request: Request<Incoming>,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let drained = Arc::new(AtomicBool::new(hyper::body::Body::is_end_stream(&body)));
    let body = GuardedBody {
        inner: body,
        deadline: Box::pin(tokio::time::sleep(body_timeout)),
        drained: drained.clone(),
    };
    let request = Request::from_parts(parts, Body::new(body));
    let mut response = match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if let Err(error) = super::persist::commit(&state).await {
        eprintln!("collections-conformance serve: {error:#}");
        response = ApiError::code(131)
            .with_status(StatusCode::INTERNAL_SERVER_ERROR)
            .with_message("Internal error: the change was made but could not be saved.")
            .into_response();
    }
    if !drained.load(Ordering::Acquire) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Why a request body could not be read.
#[derive(Debug)]
enum BodyError {
    /// It did not arrive within the body timeout.
    Timeout,
    /// The framing was broken (bad chunk size, connection closed mid-body, …).
    Malformed(hyper::Error),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::Timeout => f.write_str("request body not received in time"),
            BodyError::Malformed(e) => write!(f, "malformed request body: {e}"),
        }
    }
}

impl std::error::Error for BodyError {}

/// The request body with a deadline, recording whether it was read to the end.
struct GuardedBody {
    inner: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
    drained: Arc<AtomicBool>,
}

impl hyper::body::Body for GuardedBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(None) => {
                this.drained.store(true, Ordering::Release);
                Poll::Ready(None)
            }
            Poll::Ready(Some(Ok(frame))) => {
                if hyper::body::Body::is_end_stream(&this.inner) {
                    this.drained.store(true, Ordering::Release);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(BodyError::Malformed(error)))),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(BodyError::Timeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        hyper::body::Body::is_end_stream(&self.inner)
    }

    fn size_hint(&self) -> SizeHint {
        hyper::body::Body::size_hint(&self.inner)
    }
}

/// The envelope for a body that could not be read: 413 / 131 past the size cap, 408 / 131 when it
/// came too slowly, 400 / 131 when its framing was broken (an invalid chunk size, for one); the
/// message is code 131's from the spec table, as for every other 131.
pub fn body_error(error: &axum::Error) -> ApiError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return ApiError::bad_body().with_status(StatusCode::PAYLOAD_TOO_LARGE);
        }
        if let Some(body) = e.downcast_ref::<BodyError>() {
            return match body {
                BodyError::Timeout => ApiError::bad_body().with_status(StatusCode::REQUEST_TIMEOUT),
                BodyError::Malformed(_) => ApiError::bad_body(),
            };
        }
        source = e.source();
    }
    ApiError::bad_body()
}

/// Tells a client over a connection cap why it is closed: 503 / 130 as JSON, then close. Reads
/// (and drops) what the client sent for a moment, so closing does not reset the connection
/// before the answer arrives.
async fn refuse(mut stream: TcpStream) {
    let body = r#"{"errors":[{"code":130,"message":"Over capacity"}]}"#;
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: {JSON_CONTENT_TYPE}\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}
