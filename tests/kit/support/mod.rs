//! A reference server started the way users start it (`collections-conformance serve --port 0`),
//! for tests that point the kit at a separately running target.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_collections-conformance");

/// A `serve` process and its ready line; killed when dropped.
pub struct Served {
    child: Child,
    /// The JSON line `serve` printed when ready.
    pub ready: serde_json::Value,
}

impl Served {
    /// Starts `serve --port 0` and waits for its ready line.
    pub fn start() -> Served {
        Served::start_with(&[])
    }

    /// Starts `serve --port 0` with more `serve` options, and a collection capacity its seeded
    /// tweets can fill (unless the options set one), so the eviction vector is judged.
    pub fn start_with(options: &[&str]) -> Served {
        let capacity: &[&str] = if options.contains(&"--collection-capacity") {
            &[]
        } else {
            &["--collection-capacity", "12"]
        };
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0"])
            .args(capacity)
            .args(options)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ready = serde_json::from_str(&line).expect("serve prints one JSON line when ready");
        Served { child, ready }
    }

    fn text(&self, pointer: &str) -> String {
        self.ready
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("no {pointer} in the ready line"))
            .to_string()
    }

    /// The base URL it listens on.
    pub fn base_url(&self) -> String {
        self.text("/base_url")
    }

    /// The main user's target settings, with the first `tweets` tweet ids (no second user, no
    /// bearer token, no rate-limited user).
    pub fn env(&self, tweets: usize) -> Vec<(&'static str, String)> {
        let ids: Vec<String> = self.ready["tweet_ids"]
            .as_array()
            .unwrap()
            .iter()
            .take(tweets)
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        vec![
            ("CONFORMANCE_BASE_URL", self.base_url()),
            ("CONFORMANCE_CONSUMER_KEY", self.text("/consumer_key")),
            ("CONFORMANCE_CONSUMER_SECRET", self.text("/consumer_secret")),
            (
                "CONFORMANCE_ACCESS_TOKEN",
                self.text("/users/0/access_token"),
            ),
            (
                "CONFORMANCE_ACCESS_TOKEN_SECRET",
                self.text("/users/0/access_token_secret"),
            ),
            ("CONFORMANCE_TWEET_IDS", ids.join(",")),
        ]
    }
}

impl Served {
    /// Every user and credential the ready line names: the whole suite can run.
    pub fn full_env(&self) -> Vec<(&'static str, String)> {
        let mut env = self.env(60);
        for (name, pointer) in [
            ("CONFORMANCE_OTHER_ACCESS_TOKEN", "/users/1/access_token"),
            (
                "CONFORMANCE_OTHER_ACCESS_TOKEN_SECRET",
                "/users/1/access_token_secret",
            ),
            ("CONFORMANCE_LIMITED_ACCESS_TOKEN", "/users/2/access_token"),
            (
                "CONFORMANCE_LIMITED_ACCESS_TOKEN_SECRET",
                "/users/2/access_token_secret",
            ),
            ("CONFORMANCE_BEARER_TOKEN", "/bearer_token"),
        ] {
            env.push((name, self.text(pointer)));
        }
        let capacity = &self.ready["collection_capacity"];
        env.push(("CONFORMANCE_COLLECTION_CAPACITY", capacity.to_string()));
        env
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
