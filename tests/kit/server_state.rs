//! The reference server's lifecycle and state: concurrency without lost or phantom entries,
//! `--state` save and load, `start`/`shutdown`, the ready line and `--config` seeds.

use std::collections::BTreeSet;

use crate::server_support::Kit;
use collections_conformance::server::{self, ReadyInfo, Seed, ServeArgs, ServerConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_adds_and_removes_leave_exactly_the_expected_set() {
    let kit = std::sync::Arc::new(Kit::start().await);
    let id = kit.create(0, "Race").await;
    let tweets: Vec<String> = (0..40).map(|i| kit.tweet(i)).collect();
    // Pre-fill the 20 tweets that will be removed.
    kit.add(0, &id, &tweets[20..]).await;
    let mut tasks = Vec::new();
    for (i, t) in tweets.iter().enumerate() {
        let (kit, id, t) = (kit.clone(), id.clone(), t.clone());
        tasks.push(tokio::spawn(async move {
            let endpoint = if i < 20 {
                "collections/entries/add"
            } else {
                "collections/entries/remove"
            };
            let r = kit
                .call(0, "POST", endpoint, &[("id", &id), ("tweet_id", &t)])
                .await;
            assert_eq!(r.status, 200, "{}", r.raw);
            assert_eq!(
                r.body["response"]["errors"].as_array().unwrap().len(),
                0,
                "{}",
                r.raw
            );
        }));
    }
    // Duplicated adds race as well: exactly one of each pair succeeds, the other is "duplicate".
    let extra = kit.tweet(45);
    let mut dup_tasks = Vec::new();
    for _ in 0..10 {
        let (kit, id, t) = (kit.clone(), id.clone(), extra.clone());
        dup_tasks.push(tokio::spawn(async move {
            let r = kit
                .call(
                    0,
                    "POST",
                    "collections/entries/add",
                    &[("id", &id), ("tweet_id", &t)],
                )
                .await;
            r.body["response"]["errors"].as_array().unwrap().len()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut duplicates = 0;
    for t in dup_tasks {
        duplicates += t.await.unwrap();
    }
    assert_eq!(duplicates, 9);
    let got: BTreeSet<String> = kit.entry_ids(&id).await.into_iter().collect();
    let mut expected: BTreeSet<String> = tweets[..20].iter().cloned().collect();
    expected.insert(extra);
    assert_eq!(got, expected);
}

#[tokio::test]
async fn state_file_round_trip_and_graceful_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let config = ServerConfig {
        state_file: Some(path.clone()),
        ..ServerConfig::default()
    };
    let kit = Kit::start_with(config.clone()).await;
    let id = kit.create(0, "Persisted").await;
    let tweets = [kit.tweet(3), kit.tweet(4)];
    kit.add(0, &id, &tweets).await;
    let Kit { server, .. } = kit;
    let addr = server.addr();
    server.shutdown().await.unwrap();
    assert!(path.exists());
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "stopped listening"
    );

    let kit = Kit::start_with(config).await;
    assert_eq!(
        kit.entry_ids(&id).await,
        vec![tweets[1].clone(), tweets[0].clone()]
    );
    // New ids never collide with restored ones.
    let second = kit.create(0, "Second").await;
    assert_ne!(second, id);
    let Kit { server, .. } = kit;
    server.shutdown().await.unwrap();

    std::fs::write(&path, "not json").unwrap();
    let err = server::start(ServerConfig {
        state_file: Some(path),
        ..ServerConfig::default()
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("state file"), "{err}");
}

#[tokio::test]
async fn ready_info_describes_the_seed_and_round_trips_as_json() {
    let kit = Kit::start().await;
    let info = kit.server.info().clone();
    assert_eq!(info.base_url, kit.server.base_url());
    assert_eq!(
        info.base_url,
        format!("http://127.0.0.1:{}", kit.server.addr().port())
    );
    assert_eq!(info.users.len(), 3);
    assert!(info.tweet_ids.len() >= 50);
    assert!(info.users[0].rate_limits.is_empty());
    let line = serde_json::to_string(&info).unwrap();
    assert!(!line.contains('\n'));
    assert!(
        !line.contains("rate_limits\":{}"),
        "empty limits are omitted: {line}"
    );
    let back: ReadyInfo = serde_json::from_str(&line).unwrap();
    assert_eq!(back, info);
}

#[tokio::test]
async fn serve_args_build_a_config_from_flags_and_a_seed_file() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }
    let dir = tempfile::tempdir().unwrap();
    let seed_path = dir.path().join("seed.json");
    let mut seed = Seed::default();
    seed.app.consumer_key = "customconsumerkey00000000".into();
    seed.tweets.truncate(5);
    // A partial document: only the fields given replace the defaults.
    let partial = serde_json::json!({"app": seed.app, "tweets": seed.tweets});
    std::fs::write(&seed_path, partial.to_string()).unwrap();
    let cli = Cli::try_parse_from([
        "serve",
        "--port",
        "0",
        "--config",
        seed_path.to_str().unwrap(),
        "--rate-limit",
        "entries/remove=5",
        "--rate-limit",
        "collections/show=7",
        "--rate-window",
        "60",
        "--timestamp-window",
        "30",
    ])
    .unwrap();
    let config = cli.serve.to_config().unwrap();
    assert_eq!(config.seed, seed);
    assert_eq!(config.timestamp_window_secs, 30);
    assert_eq!(config.rate_limits.window_secs, 60);
    assert_eq!(
        config.rate_limits.endpoint_limits["collections/entries/remove"],
        5
    );
    assert_eq!(config.rate_limits.endpoint_limits["collections/show"], 7);
    assert!(Cli::try_parse_from(["serve", "--rate-limit", "entries/nope=5"]).is_err());
    assert!(Cli::try_parse_from(["serve", "--rate-limit", "entries/remove"]).is_err());

    let kit = Kit::start_with(config).await;
    assert_eq!(kit.server.info().consumer_key, "customconsumerkey00000000");
    assert_eq!(kit.server.info().tweet_ids.len(), 5);
    let r = kit
        .call(0, "GET", "collections/show", &[("id", "custom-1")])
        .await;
    assert_eq!(r.header("x-rate-limit-limit").as_deref(), Some("7"));
}

#[tokio::test]
async fn invalid_seeds_are_refused_at_start() {
    let mut seed = Seed::default();
    seed.tweets[0].user_id = "42".into();
    assert!(
        server::start(ServerConfig {
            seed,
            ..ServerConfig::default()
        })
        .await
        .is_err()
    );
    let mut seed = Seed::default();
    seed.users[1].access_token = seed.users[0].access_token.clone();
    assert!(
        server::start(ServerConfig {
            seed,
            ..ServerConfig::default()
        })
        .await
        .is_err()
    );
}

/// The reliability report's scenario: acknowledged writes, then SIGKILL (no chance to save),
/// then a restart on the same `--state`.
#[tokio::test]
async fn acknowledged_writes_survive_sigkill() {
    use crate::server_support::Spawned;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let state = path.to_str().unwrap();
    let server = Spawned::start(&["--state", state], None);
    let mut created = Vec::new();
    for i in 0..20 {
        let r = server
            .call(
                0,
                "POST",
                "collections/create",
                &[("name", &format!("Kill {i}"))],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        created.push(
            r.body["response"]["timeline_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let tweets = &server.info.tweet_ids;
    for t in &tweets[..10] {
        let r = server
            .call(
                0,
                "POST",
                "collections/entries/add",
                &[("id", &created[0]), ("tweet_id", t)],
            )
            .await;
        assert_eq!(r.raw, r#"{"objects":{},"response":{"errors":[]}}"#);
    }
    let r = server
        .call(0, "POST", "collections/destroy", &[("id", &created[19])])
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    drop(server); // SIGKILL

    let server = Spawned::start(&["--state", state], None);
    let r = server
        .call(
            0,
            "GET",
            "collections/list",
            &[("user_id", &server.info.users[0].user_id), ("count", "200")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let listed: BTreeSet<String> = r.body["objects"]["timelines"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let expected: BTreeSet<String> = created[..19].iter().cloned().collect();
    assert_eq!(
        listed, expected,
        "every acknowledged create, not the destroyed one"
    );
    let r = server
        .call(
            0,
            "GET",
            "collections/entries",
            &[("id", &created[0]), ("count", "200")],
        )
        .await;
    assert_eq!(
        r.body["response"]["timeline"].as_array().map(Vec::len),
        Some(10),
        "{}",
        r.raw
    );
}

async fn start_error(path: &std::path::Path) -> String {
    match server::start(ServerConfig {
        state_file: Some(path.to_path_buf()),
        ..ServerConfig::default()
    })
    .await
    {
        Ok(_) => panic!("{} was accepted", path.display()),
        Err(e) => format!("{e:#}"),
    }
}

#[tokio::test]
async fn a_state_path_that_cannot_work_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder").join("state.json");
    let err = start_error(&missing).await;
    assert!(err.contains("does not exist"), "{err}");

    #[cfg(unix)]
    if unsafe { libc::geteuid() } != 0 {
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
        let err = start_error(&locked.join("state.json")).await;
        assert!(err.contains("writable") || err.contains("cannot"), "{err}");
    }
}

#[tokio::test]
async fn files_that_are_not_state_files_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let seed = serde_json::to_string(&Seed::default()).unwrap();
    for text in ["[]", "{}", "not json", seed.as_str()] {
        std::fs::write(&path, text).unwrap();
        let err = start_error(&path).await;
        assert!(err.contains("is not a state file"), "{text:.20}: {err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "not overwritten"
        );
    }
    std::fs::write(
        &path,
        r#"{"format":"collections-conformance-state","version":99}"#,
    )
    .unwrap();
    let err = start_error(&path).await;
    assert!(err.contains("version 99"), "{err}");
}

#[tokio::test]
async fn inconsistent_states_are_refused_naming_the_problem_and_stale_temporaries_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let config = ServerConfig {
        state_file: Some(path.clone()),
        ..ServerConfig::default()
    };
    let kit = Kit::start_with(config.clone()).await;
    let id = kit.create(0, "Valid").await;
    kit.add(0, &id, &[kit.tweet(1), kit.tweet(2)]).await;
    let Kit { server, .. } = kit;
    server.shutdown().await.unwrap();
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(good["format"], "collections-conformance-state");
    assert_eq!(good["version"], 1);

    type Breaker = fn(&mut serde_json::Value, &str);
    let cases: [(&str, Breaker); 6] = [
        ("owner \"42\" is not a seeded user", |v, id| {
            v["collections"][id]["user_id"] = "42".into()
        }),
        ("name has 5000 characters", |v, id| {
            v["collections"][id]["name"] = "n".repeat(5000).into()
        }),
        ("appears twice", |v, id| {
            let first = v["collections"][id]["entries"][0]["tweet_id"].clone();
            v["collections"][id]["entries"][1]["tweet_id"] = first;
        }),
        ("add_seq 18446744073709551615 is out of range", |v, _| {
            v["add_seq"] = u64::MAX.into()
        }),
        ("is not below the previous entry", |v, id| {
            let entries = v["collections"][id]["entries"].as_array_mut().unwrap();
            entries.reverse();
        }),
        ("unknown field", |v, _| v["extra"] = true.into()),
    ];
    for (expected, break_it) in cases {
        let mut bad = good.clone();
        break_it(&mut bad, &id);
        std::fs::write(&path, bad.to_string()).unwrap();
        let err = start_error(&path).await;
        assert!(err.contains(expected), "expected {expected:?} in: {err}");
    }

    std::fs::write(&path, good.to_string()).unwrap();
    let stale = dir.path().join(".state.json.4242.tmp");
    let unrelated = dir.path().join(".other.json.4242.tmp");
    std::fs::write(&stale, "partial").unwrap();
    std::fs::write(&unrelated, "keep").unwrap();
    let kit = Kit::start_with(config).await;
    assert!(
        !stale.exists(),
        "stale temporary of this state file removed"
    );
    assert!(unrelated.exists(), "someone else's file kept");
    assert_eq!(kit.entry_ids(&id).await.len(), 2);
}

/// `serve --collection-capacity N` reaches the server and its ready line, so a harness started
/// against a running server can fill a collection to it; 0 is refused before anything starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_collection_capacity_is_configurable_and_announced() {
    let kit = Kit::start().await;
    assert_eq!(
        kit.server.info().collection_capacity,
        server::DEFAULT_COLLECTION_CAPACITY
    );
    // A ready line from before the field means the capacity servers had then.
    let mut old: serde_json::Value = serde_json::to_value(kit.server.info()).unwrap();
    old.as_object_mut().unwrap().remove("collection_capacity");
    let back: ReadyInfo = serde_json::from_value(old).unwrap();
    assert_eq!(back.collection_capacity, 5000);

    let spawned = crate::server_support::Spawned::start(&["--collection-capacity", "2"], None);
    assert_eq!(spawned.info.collection_capacity, 2);
    let r = spawned
        .call(0, "POST", "collections/create", &[("name", "Two")])
        .await;
    let id = r.body["response"]["timeline_id"]
        .as_str()
        .unwrap()
        .to_string();
    for tweet in &spawned.info.tweet_ids[..3] {
        let r = spawned
            .call(
                0,
                "POST",
                "collections/entries/add",
                &[("id", &id), ("tweet_id", tweet)],
            )
            .await;
        assert_eq!(r.raw, r#"{"objects":{},"response":{"errors":[]}}"#);
    }
    let r = spawned
        .call(0, "GET", "collections/entries", &[("id", &id)])
        .await;
    let held: Vec<&str> = r.body["response"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["tweet"]["id"].as_str())
        .collect();
    let tweets = &spawned.info.tweet_ids;
    assert_eq!(held, [tweets[2].as_str(), tweets[1].as_str()]);

    let exe = env!("CARGO_BIN_EXE_collections-conformance");
    let output = std::process::Command::new(exe)
        .args(["serve", "--collection-capacity", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("at least 1 tweet"), "{stderr}");
    assert!(output.stdout.is_empty(), "no ready line");
    let err = server::start(ServerConfig {
        collection_capacity: 0,
        ..ServerConfig::default()
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("capacity"), "{err}");
}

/// A state saved by a server whose collections grow past capacity (`add-capacity-unbounded`)
/// loads again under that fault; a server that keeps its capacity refuses it, naming the
/// capacity, unless its capacity is large enough.
#[tokio::test]
async fn a_state_grown_past_capacity_loads_only_where_it_could_have_been_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let config = |capacity: usize, faults: &[server::Fault]| ServerConfig {
        state_file: Some(path.clone()),
        collection_capacity: capacity,
        faults: faults.iter().copied().collect(),
        ..ServerConfig::default()
    };
    let grows = [server::Fault::AddCapacityUnbounded];
    let kit = Kit::start_with(config(2, &grows)).await;
    let id = kit.create(0, "Grown").await;
    let tweets: Vec<String> = (0..3).map(|i| kit.tweet(i)).collect();
    kit.add(0, &id, &tweets).await;
    let Kit { server, .. } = kit;
    server.shutdown().await.unwrap();

    let kit = Kit::start_with(config(2, &grows)).await;
    assert_eq!(kit.entry_ids(&id).await.len(), 3);
    let Kit { server, .. } = kit;
    server.shutdown().await.unwrap();

    let err = format!("{:#}", server::start(config(2, &[])).await.unwrap_err());
    assert!(err.contains("holds 3 entries (capacity 2"), "{err}");
    let kit = Kit::start_with(config(3, &[])).await;
    assert_eq!(kit.entry_ids(&id).await.len(), 3);
}
