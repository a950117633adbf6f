//! The reference server against slow, half-open and malformed clients: header, idle and body
//! timeouts, connection caps, `Connection: close` on unread bodies, 400 for broken chunking, and
//! a SIGTERM that finishes (and saves `--state`) with a half-open client connected.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use collections_conformance::server::{ConnLimits, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::server_support::{Kit, Spawned};

const REMOVE: &str = "/1.1/collections/entries/remove.json";

fn limits(header_secs: f64, body_secs: f64) -> ConnLimits {
    ConnLimits {
        header_timeout: Duration::from_secs_f64(header_secs),
        body_timeout: Duration::from_secs_f64(body_secs),
        ..ConnLimits::default()
    }
}

async fn kit_with(limits: ConnLimits) -> Kit {
    Kit::start_with(ServerConfig {
        limits,
        ..ServerConfig::default()
    })
    .await
}

/// A connection from a chosen loopback address (127.0.0.1 and 127.0.0.2 are different clients).
async fn connect_from(from: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    socket.connect(to).await.expect("connects")
}

/// Everything the server sends until it closes the connection, or `None` if it is still open
/// after `limit`.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut out = Vec::new();
    let read = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&out).into_owned())
}

/// Reads one response head and its `content-length` body, leaving the connection open.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let n = stream.read(&mut buf).await.expect("read");
            assert!(
                n > 0,
                "closed before a full response: {:?}",
                String::from_utf8_lossy(&out)
            );
            out.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&out).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if out.len() >= end + 4 + length {
                    return;
                }
            }
        }
    })
    .await
    .expect("a response within 5 s");
    String::from_utf8_lossy(&out).into_owned()
}

fn has_close(response: &str) -> bool {
    let head = response.split("\r\n\r\n").next().unwrap_or("");
    head.lines()
        .any(|l| l.to_ascii_lowercase().replace(' ', "") == "connection:close")
}

fn json_body(response: &str) -> serde_json::Value {
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response:?}"))
}

#[tokio::test]
async fn half_sent_head_and_idle_keep_alive_are_closed_after_the_header_timeout() {
    let kit = kit_with(limits(1.0, 5.0)).await;
    let addr = kit.server.addr();
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(format!("POST {REMOVE} HTTP/1.1\r\nHost: x\r\n").as_bytes())
        .await
        .unwrap();
    let started = Instant::now();
    assert!(
        read_until_closed(&mut half, Duration::from_secs(5))
            .await
            .is_some(),
        "a half-sent head is still open after 5 s (header timeout 1 s)"
    );
    assert!(started.elapsed() >= Duration::from_millis(900));

    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let first = read_response(&mut idle).await;
    assert!(first.starts_with("HTTP/1.1 404"), "{first}");
    assert!(!has_close(&first), "no body, nothing unread: {first}");
    assert!(
        read_until_closed(&mut idle, Duration::from_secs(5))
            .await
            .is_some(),
        "an idle keep-alive connection is still open after 5 s"
    );
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408_as_json_and_close() {
    let kit = kit_with(limits(5.0, 1.0)).await;
    let mut stream = TcpStream::connect(kit.server.addr()).await.unwrap();
    stream
        .write_all(
            format!(
                "POST {REMOVE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nid=custom-1"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let response = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("answered and closed within 5 s (body timeout 1 s)");
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(has_close(&response), "{response}");
    assert_eq!(json_body(&response)["errors"][0]["code"], 131);
}

#[tokio::test]
async fn early_answers_that_leave_the_body_unread_say_connection_close() {
    let kit = kit_with(ConnLimits::default()).await;
    let addr = kit.server.addr();
    let big = "a".repeat(200_000);
    for (what, head, status) in [
        ("unknown path", "POST /nope HTTP/1.1", "404"),
        (
            "wrong method",
            &format!("GET {REMOVE} HTTP/1.1") as &str,
            "400",
        ),
        ("too large", &format!("POST {REMOVE} HTTP/1.1"), "413"),
    ] {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(
                format!(
                    "{head}\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
                    big.len()
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        // Send the body while reading, as a client would; the server may stop reading early.
        let (mut reader, mut writer) = stream.into_split();
        let body = big.clone();
        let writing = tokio::spawn(async move {
            let _ = writer.write_all(body.as_bytes()).await;
            writer
        });
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while let Ok(n) = reader.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
                if String::from_utf8_lossy(&out).contains("\r\n\r\n{") {
                    break;
                }
            }
        })
        .await;
        let response = String::from_utf8_lossy(&out).into_owned();
        assert!(
            response.starts_with(&format!("HTTP/1.1 {status}")),
            "{what}: {response}"
        );
        assert!(
            has_close(&response),
            "{what}: no Connection: close in {response}"
        );
        writing.abort();
    }

    // A request whose body was read keeps its connection.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("POST {REMOVE} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nid=1&")
                .as_bytes(),
        )
        .await
        .unwrap();
    let response = read_response(&mut stream).await;
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(!has_close(&response), "{response}");
}

#[tokio::test]
async fn an_invalid_chunk_size_is_400_with_a_json_envelope() {
    let kit = kit_with(ConnLimits::default()).await;
    let mut stream = TcpStream::connect(kit.server.addr()).await.unwrap();
    stream
        .write_all(
            format!(
                "POST {REMOVE} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nid=1\r\n0\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let response = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("answered and closed");
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(has_close(&response), "{response}");
    let body = json_body(&response);
    assert_eq!(body["errors"][0]["code"], 131, "{response}");
    assert!(
        response.contains("application/json; charset=utf-8"),
        "{response}"
    );
}

#[tokio::test]
async fn a_client_over_its_connection_cap_gets_503_json_and_others_are_served() {
    let kit = kit_with(ConnLimits {
        max_connections_per_ip: 5,
        ..ConnLimits::default()
    })
    .await;
    let addr = kit.server.addr();
    let mut held = Vec::new();
    for _ in 0..5 {
        let mut s = connect_from([127, 0, 0, 1], addr).await;
        s.write_all(b"GET /1.1/collections/show.json HTTP/1.1\r\n")
            .await
            .unwrap();
        held.push(s);
    }
    // Let the server count them before the next one.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut over = connect_from([127, 0, 0, 1], addr).await;
    let response = read_until_closed(&mut over, Duration::from_secs(5))
        .await
        .expect("refused and closed");
    assert!(response.starts_with("HTTP/1.1 503"), "{response}");
    assert_eq!(json_body(&response)["errors"][0]["code"], 130);

    let mut other = connect_from([127, 0, 0, 2], addr).await;
    other
        .write_all(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let response = read_response(&mut other).await;
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");

    // A slot freed is a slot usable again.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = connect_from([127, 0, 0, 1], addr).await;
    again
        .write_all(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(read_response(&mut again).await.starts_with("HTTP/1.1 404"));
}

/// The scenario from the reliability report: 300 half-sent heads against a server limited to 256
/// descriptors, then a normal request from another client.
#[tokio::test]
async fn three_hundred_half_open_heads_under_256_descriptors_do_not_deny_service() {
    let server = Spawned::start(&[], Some(256));
    let addr = server.addr();
    let mut half_open = Vec::new();
    for _ in 0..300 {
        // Connections over the server's caps may be refused or reset; that is the point.
        let Ok(mut s) = TcpStream::connect(addr).await else {
            continue;
        };
        let _ = s
            .write_all(b"POST /1.1/collections/create.json HTTP/1.1\r\nHost: x\r\n")
            .await;
        half_open.push(s);
    }
    let started = Instant::now();
    let mut other = connect_from([127, 0, 0, 2], addr).await;
    other
        .write_all(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let response = read_response(&mut other).await;
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    drop(half_open);
}

#[tokio::test]
async fn sigterm_with_a_half_open_client_finishes_and_saves_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let state = path.to_str().unwrap();
    let mut server = Spawned::start(&["--state", state, "--shutdown-timeout", "1"], None);
    let r = server
        .call(0, "POST", "collections/create", &[("name", "Kept")])
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let id = r.body["response"]["timeline_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut half = TcpStream::connect(server.addr()).await.unwrap();
    half.write_all(b"POST /1.1/collections/create.json HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let status = server
        .terminate(Duration::from_secs(10))
        .expect("SIGTERM finishes within 10 s with a half-open client connected");
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    drop(half);
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains(&id), "{saved}");
    let journal = collections_conformance::server::journal_path(&path);
    assert_eq!(
        std::fs::read(journal).unwrap_or_default().len(),
        0,
        "folded at shutdown"
    );
}

#[tokio::test]
async fn a_full_nonce_cache_refuses_with_503_130_instead_of_forgetting() {
    let kit = Kit::start_with(ServerConfig {
        max_live_nonces: 3,
        ..ServerConfig::default()
    })
    .await;
    for _ in 0..3 {
        let r = kit
            .call(0, "GET", "collections/show", &[("id", "custom-1")])
            .await;
        assert_eq!(r.status, 404, "{}", r.raw);
    }
    let r = kit
        .call(0, "GET", "collections/show", &[("id", "custom-1")])
        .await;
    r.assert_error(503, 130);
}
