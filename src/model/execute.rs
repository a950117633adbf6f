//! Runs a sequence against the target through the run's [`Session`] and compares every answer
//! and every collection's timeline with the model.
//!
//! After each write every live collection of the sequence is read in full (`count=200`), so a
//! divergence is caught at the operation that caused it, and damage to a collection the write
//! did not name is reported as such. Only what the documentation states is compared: the soft
//! errors (order ignored; their HTTP status is UNVERIFIED and not compared), ids as strings,
//! membership and order of the timeline, and what paging returns.

use super::model::{Answer, Change, Model, Op, Order, Paging, SoftError, Tweet, slot_name};
use crate::check::{Mismatch, excerpt};
use crate::exchange::{Exchange, RecordedResponse};
use crate::runner::{SendError, Session};
use crate::vector::{AuthMode, Bindings, RawBody, Request};
use crate::verdict::StepRecord;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Instant;

/// Page size of the full reads: the documented maximum.
const FULL_READ_COUNT: u32 = 200;

/// Where a sequence diverged from the model.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// Index of the operation in the sequence.
    pub at: usize,
    /// The requirement broken.
    pub requirement: &'static str,
    /// What was compared: `answer`, `timeline of B after the write`, ...
    pub what: String,
    /// What the model expected.
    pub expected: String,
    /// What the target showed.
    pub actual: String,
    /// A reproducer of the request whose answer diverged.
    pub curl: Option<String>,
    /// Every request of the sequence, the diverging one last.
    pub records: Vec<StepRecord>,
}

/// How a replay ended.
#[derive(Debug)]
pub enum Replay {
    /// No divergence; the number of operations run (fewer than asked when the deadline passed).
    Passed(usize),
    /// The target diverged from the model.
    Diverged(Box<Divergence>),
    /// The session gave up (throttled, unresponsive, or a request the kit cannot build).
    Stopped(SendError),
}

/// A problem found while running one operation.
struct Found {
    requirement: &'static str,
    what: String,
    expected: String,
    actual: String,
}

/// Runs sequences for one model vector.
pub struct Executor<'a> {
    /// The run's session.
    pub session: &'a Session,
    /// Tweet ids, `t0` first.
    pub pool: Vec<String>,
    /// Whether UNVERIFIED outcomes are predicted (SHOULD vectors).
    pub open_points: bool,
    /// Requests sent so far, for the summary line.
    pub requests: std::sync::atomic::AtomicUsize,
}

/// One sequence's run: the model, the target's ids for the slots, the records.
struct Run {
    model: Model,
    ids: Vec<Option<String>>,
    created: Vec<String>,
    records: Vec<StepRecord>,
    step: String,
}

impl Run {
    fn id(&self, slot: usize) -> String {
        self.ids.get(slot).cloned().flatten().unwrap_or_default()
    }
}

impl Executor<'_> {
    /// Runs `ops` from a fresh state and destroys what it created. Stops starting operations
    /// once `deadline` has passed.
    pub async fn run(&self, ops: &[Op], deadline: Option<Instant>) -> Replay {
        let mut run = Run {
            model: Model::default(),
            ids: Vec::new(),
            created: Vec::new(),
            records: Vec::new(),
            step: String::new(),
        };
        let mut result = Replay::Passed(ops.len());
        for (i, op) in ops.iter().enumerate() {
            if deadline.is_some_and(|d| Instant::now() > d) {
                result = Replay::Passed(i);
                break;
            }
            run.step = format!("{}. {op}", i + 1);
            match self.step(&mut run, op).await {
                Ok(None) => {}
                Ok(Some(found)) => {
                    result = self.diverged(&mut run, i, found);
                    break;
                }
                Err(stop) => {
                    result = Replay::Stopped(stop);
                    break;
                }
            }
        }
        if let (Replay::Passed(ran), Some(last)) = (&result, ops.get(ops.len().wrapping_sub(1))) {
            if *ran == ops.len() {
                run.step = format!("{}. (end) every collection read again", ops.len());
                match self
                    .check_all(&mut run, last, "state.collections.isolated", true)
                    .await
                {
                    Ok(None) => {}
                    Ok(Some(found)) => {
                        result = self.diverged(&mut run, ops.len() - 1, found);
                    }
                    Err(stop) => result = Replay::Stopped(stop),
                }
            }
        }
        for id in std::mem::take(&mut run.created) {
            let request = post("collections/destroy", vec![("id", id)]);
            let _ = self.send(&request).await;
        }
        result
    }

    /// The divergence at operation `at`, the last recorded request marked as the one that
    /// showed it.
    fn diverged(&self, run: &mut Run, at: usize, found: Found) -> Replay {
        let curl = run
            .records
            .last()
            .and_then(|r| r.exchanges.last())
            .map(|e| e.request.curl.clone());
        if let Some(last) = run.records.last_mut() {
            last.passed = false;
            last.mismatches = vec![(
                "model".into(),
                vec![Mismatch::new(
                    found.what.clone(),
                    found.expected.clone(),
                    found.actual.clone(),
                )],
            )];
        }
        Replay::Diverged(Box::new(Divergence {
            at,
            requirement: found.requirement,
            what: found.what,
            expected: found.expected,
            actual: found.actual,
            curl,
            records: std::mem::take(&mut run.records),
        }))
    }

    async fn send(&self, request: &Request) -> Result<Exchange, SendError> {
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut exchanges = self
            .session
            .send(request, &Bindings::default(), true)
            .await?;
        exchanges
            .pop()
            .ok_or_else(|| SendError::Vector("no request was sent".into()))
    }

    /// Sends and records one request of the current step.
    async fn exchange(
        &self,
        run: &mut Run,
        request: &Request,
    ) -> Result<Result<RecordedResponse, String>, SendError> {
        let exchange = self.send(request).await?;
        let response = exchange.response.clone();
        run.records.push(record(&run.step, exchange));
        Ok(response)
    }

    fn name(&self, tweet: Tweet) -> String {
        self.pool.get(tweet).cloned().unwrap_or_default()
    }

    fn tweet_of(&self, id: &str) -> Option<Tweet> {
        self.pool.iter().position(|p| p == id)
    }

    /// Runs one operation and the reads that follow a write; `Ok(Some)` is a divergence.
    async fn step(&self, run: &mut Run, op: &Op) -> Result<Option<Found>, SendError> {
        let expected = match run.model.apply(op, self.open_points) {
            Ok(answer) => answer,
            // Generated and shrunk sequences are predictable; anything else is skipped.
            Err(_) => return Ok(None),
        };
        let requirement = if self.names_a_float64_neighbour(&run.model, op) {
            "state.ids.exact"
        } else {
            op.requirement()
        };
        let found = |what: &str, expected: String, actual: String| {
            Ok(Some(Found {
                requirement,
                what: what.to_string(),
                expected,
                actual,
            }))
        };
        match op {
            Op::Create { slot, order } => {
                let mut params = vec![("name", format!("model {}", slot_name(*slot)))];
                if *order != Order::Curation {
                    params.push(("timeline_order", order.as_str().to_string()));
                }
                let response = self
                    .exchange(run, &post("collections/create", params))
                    .await?;
                let id = response.as_ref().ok().and_then(|r| {
                    (r.status == 200)
                        .then(|| r.json.as_ref()?.pointer("/response/timeline_id")?.as_str())
                        .flatten()
                        .map(str::to_string)
                });
                let Some(id) = id else {
                    return found(
                        "answer",
                        "HTTP 200 with response.timeline_id, a string".into(),
                        shown(&response),
                    );
                };
                if run.ids.len() <= *slot {
                    run.ids.resize(*slot + 1, None);
                }
                run.ids[*slot] = Some(id.clone());
                run.created.push(id);
            }
            Op::Destroy { slot } => {
                let id = run.id(*slot);
                let response = self
                    .exchange(run, &post("collections/destroy", vec![("id", id.clone())]))
                    .await?;
                let ok = response.as_ref().is_ok_and(|r| {
                    r.status == 200
                        && r.json.as_ref().and_then(|j| j.get("destroyed"))
                            == Some(&Value::Bool(true))
                });
                if !ok {
                    return found(
                        "answer",
                        "HTTP 200 {\"destroyed\": true}".into(),
                        shown(&response),
                    );
                }
                run.ids[*slot] = None;
                run.created.retain(|c| c != &id);
            }
            Op::Read { slot, paging } => {
                if let Some(f) = self.check_read(run, *slot, *paging).await? {
                    return Ok(Some(f));
                }
                return Ok(None);
            }
            Op::Concurrent { slot, writes } => {
                let requests: Vec<Request> = writes
                    .iter()
                    .map(|w| self.write_request(&run.id(*slot), *w))
                    .collect();
                let sent = join_all(requests.iter().map(|r| self.send(r)).collect()).await;
                let mut answers = Vec::new();
                for exchange in sent {
                    let exchange = exchange?;
                    answers.push(exchange.response.clone());
                    run.records.push(record(&run.step, exchange));
                }
                if let Some((e, a)) = self.check_concurrent(&expected, &answers) {
                    return found("answers to the writes sent at once", e, a);
                }
            }
            _ => {
                let request = match op {
                    Op::Add {
                        slot,
                        tweet,
                        relative,
                    } => {
                        let mut params =
                            vec![("id", run.id(*slot)), ("tweet_id", self.name(*tweet))];
                        if let Some(r) = relative {
                            params.push(("relative_to", self.name(r.to)));
                            if let Some(above) = r.above {
                                params.push(("above", above.to_string()));
                            }
                        }
                        post("collections/entries/add", params)
                    }
                    Op::Remove { slot, tweet } => post(
                        "collections/entries/remove",
                        vec![("id", run.id(*slot)), ("tweet_id", self.name(*tweet))],
                    ),
                    Op::Move {
                        slot,
                        tweet,
                        relative,
                    } => {
                        let mut params = vec![
                            ("id", run.id(*slot)),
                            ("tweet_id", self.name(*tweet)),
                            ("relative_to", self.name(relative.to)),
                        ];
                        if let Some(above) = relative.above {
                            params.push(("above", above.to_string()));
                        }
                        post("collections/entries/move", params)
                    }
                    Op::Curate { slot, changes } => self.curate_request(&run.id(*slot), changes),
                    _ => unreachable!("handled above"),
                };
                let response = self.exchange(run, &request).await?;
                if let Answer::Soft(errors) = &expected {
                    if let Err((e, a)) = self.check_soft(&response, errors) {
                        return found("answer", e, a);
                    }
                }
            }
        }
        // After a write: the collection written, in full, and the others after a write that
        // takes tweets out or destroys (every collection is read again when the sequence ends).
        let takes_out = matches!(
            op,
            Op::Remove { .. } | Op::Curate { .. } | Op::Concurrent { .. } | Op::Destroy { .. }
        );
        self.check_all(run, op, requirement, takes_out).await
    }

    /// Reads live collections in full and compares them with the model: `op`'s own, and with
    /// `everyone` every other one too.
    async fn check_all(
        &self,
        run: &mut Run,
        op: &Op,
        requirement: &'static str,
        everyone: bool,
    ) -> Result<Option<Found>, SendError> {
        for slot in 0..run.ids.len() {
            if run.model.get(slot).is_none() || (slot != op.slot() && !everyone) {
                continue;
            }
            let what = format!("timeline of {} after the write", slot_name(slot));
            // A target whose reads settle late gets the run's consistency window, as state reads
            // of the step vectors do.
            let deadline = std::time::Instant::now() + self.session.patience.consistency_window;
            loop {
                let settled = std::time::Instant::now() >= deadline;
                let listed = match self.read(run, slot, FULL_READ_COUNT, &[]).await? {
                    Ok(page) => page,
                    Err(_) if !settled => {
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                    Err(problem) => {
                        return Ok(Some(Found {
                            requirement: "state.entries.paging",
                            what,
                            expected: "HTTP 200 with response.timeline".into(),
                            actual: problem,
                        }));
                    }
                };
                let shown: Vec<Option<Tweet>> =
                    listed.ids.iter().map(|id| self.tweet_of(id)).collect();
                let collection = run.model.get_mut(slot).expect("live");
                let expected = collection.describe();
                if collection.observe(&shown).is_ok() {
                    break;
                }
                if !settled {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
                let requirement = if slot == op.slot() {
                    requirement
                } else {
                    "state.collections.isolated"
                };
                return Ok(Some(Found {
                    requirement,
                    what,
                    expected: format!("(top first) {expected}"),
                    actual: format!("(top first) {}", self.describe_ids(&listed.ids)),
                }));
            }
        }
        Ok(None)
    }

    /// Whether `op` names a tweet whose float64 neighbour (another id rounding to the same
    /// double) is in a collection of the sequence: a divergence then breaks `state.ids.exact`.
    fn names_a_float64_neighbour(&self, model: &Model, op: &Op) -> bool {
        let as_double = |t: Tweet| self.name(t).parse::<u64>().ok().map(|n| n as f64);
        let named: Vec<Tweet> = match op {
            Op::Add { tweet, .. } | Op::Remove { tweet, .. } | Op::Move { tweet, .. } => {
                vec![*tweet]
            }
            Op::Curate { changes: c, .. } | Op::Concurrent { writes: c, .. } => {
                c.iter().map(|ch| ch.tweet()).collect()
            }
            _ => Vec::new(),
        };
        named.iter().any(|&t| {
            model.slots.iter().flatten().any(|c| {
                c.tweets()
                    .into_iter()
                    .any(|u| u != t && as_double(u).is_some() && as_double(u) == as_double(t))
            })
        })
    }

    fn describe_ids(&self, ids: &[String]) -> String {
        let parts: Vec<String> = ids
            .iter()
            .map(|id| match self.tweet_of(id) {
                Some(t) => format!("t{t}"),
                None => format!("{id} (not a tweet of this sequence)"),
            })
            .collect();
        format!("[{}]", parts.join(", "))
    }

    fn write_request(&self, collection: &str, write: Change) -> Request {
        let (endpoint, tweet) = match write {
            Change::Add(t) => ("collections/entries/add", t),
            Change::Remove(t) => ("collections/entries/remove", t),
        };
        post(
            endpoint,
            vec![
                ("id", collection.to_string()),
                ("tweet_id", self.name(tweet)),
            ],
        )
    }

    fn curate_request(&self, collection: &str, changes: &[Change]) -> Request {
        let changes: Vec<Value> = changes
            .iter()
            .map(|c| match c {
                Change::Add(t) => serde_json::json!({"op": "add", "tweet_id": self.name(*t)}),
                Change::Remove(t) => {
                    serde_json::json!({"op": "remove", "tweet_id": self.name(*t)})
                }
            })
            .collect();
        let body = serde_json::json!({"id": collection, "changes": changes});
        let mut request = Request::api(
            "POST",
            "collections/entries/curate",
            Vec::new(),
            AuthMode::User,
        );
        request.body = Some(RawBody {
            content_type: Some("application/json".into()),
            text: body.to_string(),
        });
        request
    }

    /// The soft envelope with exactly `expected` (any order); no errors means HTTP 200.
    fn check_soft(
        &self,
        response: &Result<RecordedResponse, String>,
        expected: &[SoftError],
    ) -> Result<(), (String, String)> {
        let want = {
            let mut w: Vec<String> = expected
                .iter()
                .map(|e| format!("{} t{} {}", e.op, e.tweet, e.reason))
                .collect();
            w.sort();
            w
        };
        let expectation = if want.is_empty() {
            "HTTP 200, the soft envelope with response.errors []".to_string()
        } else {
            format!(
                "the soft envelope with response.errors [{}] (change.tweet_id a string)",
                want.join(", ")
            )
        };
        let Ok(r) = response else {
            return Err((expectation, shown(response)));
        };
        let errors = r
            .json
            .as_ref()
            .and_then(|j| j.pointer("/response/errors"))
            .and_then(Value::as_array);
        let Some(errors) = errors else {
            return Err((expectation, shown(response)));
        };
        let mut got = Vec::new();
        for e in errors {
            let op = e.pointer("/change/op").and_then(Value::as_str);
            let tweet = e.pointer("/change/tweet_id").and_then(Value::as_str);
            let reason = e.get("reason").and_then(Value::as_str);
            match (op, tweet, reason) {
                (Some(op), Some(tweet), Some(reason)) => got.push(format!(
                    "{op} {} {reason}",
                    self.tweet_of(tweet)
                        .map_or_else(|| tweet.to_string(), |t| format!("t{t}"))
                )),
                _ => return Err((expectation, shown(response))),
            }
        }
        got.sort();
        if got != want || (want.is_empty() && r.status != 200) {
            return Err((expectation, shown(response)));
        }
        Ok(())
    }

    /// Writes sent at once: each answered as in some interleaving.
    fn check_concurrent(
        &self,
        expected: &Answer,
        answers: &[Result<RecordedResponse, String>],
    ) -> Option<(String, String)> {
        let all: Vec<String> = answers.iter().map(shown).collect();
        match expected {
            Answer::Each(each) => {
                for (answer, response) in each.iter().zip(answers) {
                    if let Answer::Soft(errors) = answer {
                        if let Err((e, _)) = self.check_soft(response, errors) {
                            return Some((format!("every write: {e}"), all.join("\n      ")));
                        }
                    }
                }
                None
            }
            Answer::OneWins(error) => {
                let wins = answers
                    .iter()
                    .filter(|r| self.check_soft(r, &[]).is_ok())
                    .count();
                let losses = answers
                    .iter()
                    .filter(|r| self.check_soft(r, std::slice::from_ref(error)).is_ok())
                    .count();
                (wins != 1 || wins + losses != answers.len()).then(|| {
                    (
                        format!(
                            "exactly one success and {} soft duplicate errors (one add wins the race)",
                            answers.len() - 1
                        ),
                        all.join("\n      "),
                    )
                })
            }
            _ => None,
        }
    }

    /// One `collections/entries` request.
    async fn read(
        &self,
        run: &mut Run,
        slot: usize,
        count: u32,
        extra: &[(&'static str, String)],
    ) -> Result<Result<Page, String>, SendError> {
        let mut params = vec![("id", run.id(slot)), ("count", count.to_string())];
        params.extend(extra.iter().cloned());
        let request = Request::api(
            "GET",
            "collections/entries",
            params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            AuthMode::User,
        );
        let response = self.exchange(run, &request).await?;
        Ok(Page::parse(&response))
    }

    /// An explicit read: pages walked with `max_position`, or the entries newer than one.
    async fn check_read(
        &self,
        run: &mut Run,
        slot: usize,
        paging: Paging,
    ) -> Result<Option<Found>, SendError> {
        let found = |what: String, expected: String, actual: String| {
            Ok(Some(Found {
                requirement: "state.entries.paging",
                what,
                expected,
                actual,
            }))
        };
        let expected_desc = run
            .model
            .get(slot)
            .map(|c| c.describe())
            .unwrap_or_default();
        match paging {
            Paging::Walk { count } => {
                let mut listed: Vec<String> = Vec::new();
                let mut max_position: Option<String> = None;
                let limit = run.model.get(slot).map_or(0, |c| c.len()) + 3;
                for page_no in 0..limit {
                    let extra: Vec<(&'static str, String)> = max_position
                        .iter()
                        .map(|m| ("max_position", m.clone()))
                        .collect();
                    let page = match self.read(run, slot, count, &extra).await? {
                        Ok(page) => page,
                        Err(problem) => {
                            return found(
                                format!("page {} of {}", page_no + 1, slot_name(slot)),
                                "HTTP 200 with response.timeline".into(),
                                problem,
                            );
                        }
                    };
                    if page.ids.len() > count as usize {
                        return found(
                            format!("page {} of {}", page_no + 1, slot_name(slot)),
                            format!("at most count={count} entries"),
                            self.describe_ids(&page.ids),
                        );
                    }
                    // max_position is inclusive ([D-ENT]): the boundary entry may come again.
                    let fresh: Vec<String> = match (page.ids.first(), listed.last()) {
                        (Some(first), Some(last)) if first == last => page.ids[1..].to_vec(),
                        _ => page.ids.clone(),
                    };
                    if fresh.is_empty() {
                        break;
                    }
                    listed.extend(fresh);
                    match page.min_position {
                        Some(min) => max_position = Some(min),
                        None => {
                            return found(
                                format!("page {} of {}", page_no + 1, slot_name(slot)),
                                "response.position.min_position on a page with entries".into(),
                                "none".into(),
                            );
                        }
                    }
                }
                let shown: Vec<Option<Tweet>> = listed.iter().map(|id| self.tweet_of(id)).collect();
                let collection = run.model.get_mut(slot).expect("live");
                if collection.observe(&shown).is_err() {
                    return found(
                        format!(
                            "{} walked in pages of {count} (max_position = previous min_position)",
                            slot_name(slot)
                        ),
                        format!("(top first) {expected_desc}"),
                        format!("(top first) {}", self.describe_ids(&listed)),
                    );
                }
            }
            Paging::Newer { below } => {
                let full = match self.read(run, slot, FULL_READ_COUNT, &[]).await? {
                    Ok(page) => page,
                    Err(problem) => {
                        return found(
                            format!("timeline of {}", slot_name(slot)),
                            "HTTP 200 with response.timeline".into(),
                            problem,
                        );
                    }
                };
                let shown: Vec<Option<Tweet>> =
                    full.ids.iter().map(|id| self.tweet_of(id)).collect();
                if run
                    .model
                    .get_mut(slot)
                    .expect("live")
                    .observe(&shown)
                    .is_err()
                {
                    return found(
                        format!("timeline of {}", slot_name(slot)),
                        format!("(top first) {expected_desc}"),
                        format!("(top first) {}", self.describe_ids(&full.ids)),
                    );
                }
                let Some(Some(position)) = full.sort_indexes.get(below).cloned() else {
                    return found(
                        format!("timeline of {}", slot_name(slot)),
                        "tweet.sort_index, a string, on every entry".into(),
                        "missing".into(),
                    );
                };
                let newer = match self
                    .read(
                        run,
                        slot,
                        FULL_READ_COUNT,
                        &[("min_position", position.clone())],
                    )
                    .await?
                {
                    Ok(page) => page,
                    Err(problem) => {
                        return found(
                            format!("{} with min_position", slot_name(slot)),
                            "HTTP 200 with response.timeline".into(),
                            problem,
                        );
                    }
                };
                if newer.ids != full.ids[..below] {
                    return found(
                        format!(
                            "{} with min_position={position} (entry #{below}'s sort_index)",
                            slot_name(slot)
                        ),
                        format!(
                            "the entries above it, in order: {}",
                            self.describe_ids(&full.ids[..below])
                        ),
                        self.describe_ids(&newer.ids),
                    );
                }
            }
        }
        Ok(None)
    }
}

/// What one `collections/entries` answer listed.
struct Page {
    ids: Vec<String>,
    sort_indexes: Vec<Option<String>>,
    min_position: Option<String>,
}

impl Page {
    fn parse(response: &Result<RecordedResponse, String>) -> Result<Page, String> {
        let r = response.as_ref().map_err(Clone::clone)?;
        let timeline = r
            .json
            .as_ref()
            .filter(|_| r.status == 200)
            .and_then(|j| j.pointer("/response/timeline"))
            .and_then(Value::as_array)
            .ok_or_else(|| shown(response))?;
        let mut ids = Vec::new();
        let mut sort_indexes = Vec::new();
        for item in timeline {
            match item.pointer("/tweet/id") {
                Some(Value::String(id)) => ids.push(id.clone()),
                other => {
                    return Err(format!(
                        "tweet.id {} (ids are strings: [D-RESP])",
                        other.map_or("missing".to_string(), Value::to_string)
                    ));
                }
            }
            sort_indexes.push(
                item.pointer("/tweet/sort_index")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            );
        }
        let min_position = r
            .json
            .as_ref()
            .and_then(|j| j.pointer("/response/position/min_position"))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
        Ok(Page {
            ids,
            sort_indexes,
            min_position,
        })
    }
}

/// A signed POST with its parameters on the query string, as the documentation's examples.
fn post(endpoint: &str, params: Vec<(&str, String)>) -> Request {
    Request::api(
        "POST",
        endpoint,
        params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        AuthMode::User,
    )
}

fn record(step: &str, exchange: Exchange) -> StepRecord {
    StepRecord {
        name: step.to_string(),
        exchanges: vec![exchange],
        mismatches: Vec::new(),
        passed: true,
        invariants: Vec::new(),
        settled: None,
        captures: Vec::new(),
    }
}

/// A response in one line for failure text.
fn shown(response: &Result<RecordedResponse, String>) -> String {
    match response {
        Ok(r) => format!("HTTP {} {}", r.status, excerpt(&r.body)),
        Err(e) => format!("no response: {e}"),
    }
}

/// Polls every future until all are done (requests sent at once on one task).
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (future, slot) in pending.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(output) => *slot = Some(output),
                    Poll::Pending => all = false,
                }
            }
        }
        if all { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    done.into_iter().flatten().collect()
}
