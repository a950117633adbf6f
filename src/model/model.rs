//! The executable model: collections and their timelines as the reference documents them, and
//! what each operation must answer.
//!
//! Only documented behaviour is predicted. Where the reference leaves a point open the model
//! either accepts every allowed outcome (the relative order of tweets added by one curate or by
//! writes sent at once is a *group*: any order of its members is accepted, and the order the
//! target shows is then kept), or refuses to predict ([`Unpredictable`]), in which case the
//! generator never produces the operation and the shrinker drops the candidate.
//!
//! Tweets are indexes into the sequence's tweet pool (`t0`, `t1`, ...), collections are slots
//! (`A`, `B`), so a sequence is independent of the ids a target hands out and can be replayed.

use std::fmt;

/// A tweet of the pool.
pub type Tweet = usize;

/// How a collection orders its tweets ([D-CRE] `timeline_order`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// `curation_reverse_chron` (the default): the order the owner curated, new on top.
    Curation,
    /// `tweet_chron`: oldest tweet first.
    TweetChron,
    /// `tweet_reverse_chron`: newest tweet first.
    TweetReverseChron,
}

impl Order {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Order::Curation => "curation_reverse_chron",
            Order::TweetChron => "tweet_chron",
            Order::TweetReverseChron => "tweet_reverse_chron",
        }
    }
}

/// Where `relative_to` puts a tweet, and how `above` is sent (`None`: left out, which the
/// documentation defines as `true`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relative {
    /// The tweet to place against.
    pub to: Tweet,
    /// The `above` parameter as sent.
    pub above: Option<bool>,
}

impl Relative {
    fn is_above(self) -> bool {
        self.above.unwrap_or(true)
    }
}

/// One change of a curate request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// `{"op":"add"}`.
    Add(Tweet),
    /// `{"op":"remove"}`.
    Remove(Tweet),
}

impl Change {
    /// The tweet it names.
    pub fn tweet(self) -> Tweet {
        match self {
            Change::Add(t) | Change::Remove(t) => t,
        }
    }
}

/// How a read walks `collections/entries`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    /// Pages of `count`, each asked with `max_position` = the previous page's `min_position`.
    Walk {
        /// `count`.
        count: u32,
    },
    /// The entries newer than the entry at this index (`min_position` = its `sort_index`).
    Newer {
        /// Index, top first, of the entry whose position is sent.
        below: usize,
    },
}

/// One operation of a sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `collections/create` into a slot.
    Create {
        /// Slot.
        slot: usize,
        /// `timeline_order` (left out for the default).
        order: Order,
    },
    /// `collections/entries/add`.
    Add {
        /// Slot.
        slot: usize,
        /// `tweet_id`.
        tweet: Tweet,
        /// `relative_to` and `above`.
        relative: Option<Relative>,
    },
    /// `collections/entries/remove`.
    Remove {
        /// Slot.
        slot: usize,
        /// `tweet_id`.
        tweet: Tweet,
    },
    /// `collections/entries/move`.
    Move {
        /// Slot.
        slot: usize,
        /// `tweet_id`.
        tweet: Tweet,
        /// `relative_to` and `above`.
        relative: Relative,
    },
    /// `collections/entries/curate`.
    Curate {
        /// Slot.
        slot: usize,
        /// The changes, in order.
        changes: Vec<Change>,
    },
    /// `collections/entries`, paged.
    Read {
        /// Slot.
        slot: usize,
        /// How.
        paging: Paging,
    },
    /// `collections/destroy`.
    Destroy {
        /// Slot.
        slot: usize,
    },
    /// Independent adds and removes sent to one collection at once.
    Concurrent {
        /// Slot.
        slot: usize,
        /// The writes (`Change::Add` is an entries/add, `Change::Remove` an entries/remove).
        writes: Vec<Change>,
    },
}

impl Op {
    /// The slot the operation is about.
    pub fn slot(&self) -> usize {
        match self {
            Op::Create { slot, .. }
            | Op::Add { slot, .. }
            | Op::Remove { slot, .. }
            | Op::Move { slot, .. }
            | Op::Curate { slot, .. }
            | Op::Read { slot, .. }
            | Op::Destroy { slot }
            | Op::Concurrent { slot, .. } => *slot,
        }
    }

    /// Whether the operation changes state (and is followed by a full read).
    pub fn is_write(&self) -> bool {
        !matches!(self, Op::Read { .. })
    }

    /// The requirement a divergence on this operation breaks.
    pub fn requirement(&self) -> &'static str {
        match self {
            Op::Create { .. } | Op::Destroy { .. } => "state.destroy",
            Op::Add { relative: None, .. } => "state.add.on_top",
            Op::Add { .. } => "state.add.relative",
            Op::Remove { .. } => "remove.state.removed",
            Op::Move { .. } => "state.move.placed",
            Op::Curate { .. } => "state.curate.applied",
            Op::Read { .. } => "state.entries.paging",
            Op::Concurrent { .. } => "state.concurrent.linearizable",
        }
    }
}

/// A slot's letter.
pub fn slot_name(slot: usize) -> char {
    (b'A' + (slot % 26) as u8) as char
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let above = |r: &Relative| match r.above {
            None => String::new(),
            Some(a) => format!(" above={a}"),
        };
        match self {
            Op::Create { slot, order } => {
                write!(f, "create {} ({})", slot_name(*slot), order.as_str())
            }
            Op::Add {
                slot,
                tweet,
                relative,
            } => {
                write!(f, "add t{tweet} to {}", slot_name(*slot))?;
                if let Some(r) = relative {
                    write!(f, " relative_to=t{}{}", r.to, above(r))?;
                }
                Ok(())
            }
            Op::Remove { slot, tweet } => write!(f, "remove t{tweet} from {}", slot_name(*slot)),
            Op::Move {
                slot,
                tweet,
                relative,
            } => write!(
                f,
                "move t{tweet} in {} relative_to=t{}{}",
                slot_name(*slot),
                relative.to,
                above(relative)
            ),
            Op::Curate { slot, changes } => {
                write!(f, "curate {} [", slot_name(*slot))?;
                for (i, c) in changes.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    match c {
                        Change::Add(t) => write!(f, "{sep}add t{t}")?,
                        Change::Remove(t) => write!(f, "{sep}remove t{t}")?,
                    }
                }
                write!(f, "]")
            }
            Op::Read { slot, paging } => match paging {
                Paging::Walk { count } => write!(
                    f,
                    "read {} in pages of count={count} (max_position = previous min_position)",
                    slot_name(*slot)
                ),
                Paging::Newer { below } => write!(
                    f,
                    "read {} newer than entry #{below} (min_position)",
                    slot_name(*slot)
                ),
            },
            Op::Destroy { slot } => write!(f, "destroy {}", slot_name(*slot)),
            Op::Concurrent { slot, writes } => {
                write!(f, "at once on {}: ", slot_name(*slot))?;
                for (i, c) in writes.iter().enumerate() {
                    let sep = if i == 0 { "" } else { " | " };
                    match c {
                        Change::Add(t) => write!(f, "{sep}add t{t}")?,
                        Change::Remove(t) => write!(f, "{sep}remove t{t}")?,
                    }
                }
                Ok(())
            }
        }
    }
}

/// One soft error the target must answer (`response.errors[]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SoftError {
    /// `change.op`.
    pub op: &'static str,
    /// `change.tweet_id`.
    pub tweet: Tweet,
    /// `reason`.
    pub reason: &'static str,
}

/// What a write must be answered with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `response.timeline_id`.
    Created,
    /// `{"destroyed": true}`.
    Destroyed,
    /// The soft envelope with exactly these errors (any order).
    Soft(Vec<SoftError>),
    /// One answer per write sent at once, in the order sent.
    Each(Vec<Answer>),
    /// Writes sent at once that race for one tweet: exactly one is answered with success, every
    /// other with this error.
    OneWins(SoftError),
}

/// The model declines to predict an operation (an undocumented case, or one that names a slot
/// that does not exist): such a sequence is never generated nor kept by the shrinker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unpredictable(pub String);

/// One collection of the model: groups of tweets, top first. Within a group the order is open
/// (any order is accepted); a curation-ordered collection keeps the order it was then shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collection {
    /// `timeline_order`.
    pub order: Order,
    /// Top first.
    pub groups: Vec<Vec<Tweet>>,
}

impl Collection {
    fn new(order: Order) -> Collection {
        Collection {
            order,
            groups: Vec::new(),
        }
    }

    /// Whether the collection holds the tweet.
    pub fn contains(&self, tweet: Tweet) -> bool {
        self.groups.iter().any(|g| g.contains(&tweet))
    }

    /// The tweets, top first (groups in the order they are held).
    pub fn tweets(&self) -> Vec<Tweet> {
        self.groups.iter().flatten().copied().collect()
    }

    /// Number of tweets.
    pub fn len(&self) -> usize {
        self.groups.iter().map(Vec::len).sum()
    }

    /// Whether the collection is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn take_out(&mut self, tweet: Tweet) {
        for group in &mut self.groups {
            group.retain(|t| *t != tweet);
        }
        self.groups.retain(|g| !g.is_empty());
    }

    /// Adds tweets as one new group on top (tweet orders: into the one open group).
    fn put_on_top(&mut self, tweets: Vec<Tweet>) {
        if tweets.is_empty() {
            return;
        }
        match self.order {
            Order::Curation => self.groups.insert(0, tweets),
            // Tweet time is not something the model knows: the whole timeline is one group.
            _ => match self.groups.first_mut() {
                Some(group) => group.extend(tweets),
                None => self.groups.push(tweets),
            },
        }
    }

    /// Places `tweet` (not held) next to `relative.to` (held, in a group of its own).
    fn place(&mut self, tweet: Tweet, relative: Relative) -> Result<(), Unpredictable> {
        let at = self
            .groups
            .iter()
            .position(|g| g == &vec![relative.to])
            .ok_or_else(|| Unpredictable(format!("t{} is not placed yet", relative.to)))?;
        let at = if relative.is_above() { at } else { at + 1 };
        self.groups.insert(at, vec![tweet]);
        Ok(())
    }

    /// Compares what the target shows (top first) with the model; on a match, a
    /// curation-ordered collection keeps the shown order of its open groups.
    pub fn observe(&mut self, shown: &[Option<Tweet>]) -> Result<(), String> {
        let mut rest = shown;
        let mut settled = Vec::new();
        for group in &self.groups {
            if rest.len() < group.len() {
                return Err("fewer entries than expected".into());
            }
            let (head, tail) = rest.split_at(group.len());
            let mut got: Vec<Option<Tweet>> = head.to_vec();
            let mut want: Vec<Option<Tweet>> = group.iter().map(|t| Some(*t)).collect();
            got.sort();
            want.sort();
            if got != want {
                return Err("different entries or order".into());
            }
            settled.extend(head.iter().map(|t| vec![t.unwrap_or_default()]));
            rest = tail;
        }
        if !rest.is_empty() {
            return Err("more entries than expected".into());
        }
        if self.order == Order::Curation {
            self.groups = settled;
        }
        Ok(())
    }

    /// The expected timeline for people: `[t3, {t1 t2}, t0]` (braces: any order).
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                if g.len() == 1 {
                    format!("t{}", g[0])
                } else {
                    let inner: Vec<String> = g.iter().map(|t| format!("t{t}")).collect();
                    format!("{{{} in any order}}", inner.join(" "))
                }
            })
            .collect();
        format!("[{}]", parts.join(", "))
    }
}

/// The model of one sequence: its collection slots.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    /// `None`: never created, or destroyed.
    pub slots: Vec<Option<Collection>>,
}

impl Model {
    /// The collection in `slot`, if it exists.
    pub fn get(&self, slot: usize) -> Option<&Collection> {
        self.slots.get(slot).and_then(Option::as_ref)
    }

    /// Mutable access to the collection in `slot`.
    pub fn get_mut(&mut self, slot: usize) -> Option<&mut Collection> {
        self.slots.get_mut(slot).and_then(Option::as_mut)
    }

    fn live(&mut self, slot: usize) -> Result<&mut Collection, Unpredictable> {
        self.get_mut(slot)
            .ok_or_else(|| Unpredictable(format!("collection {} does not exist", slot_name(slot))))
    }

    /// Applies a write and returns what the target must answer (reads change nothing and answer
    /// [`Answer::Soft`] with no errors; the executor checks them against the timeline).
    pub fn apply(&mut self, op: &Op, open_points: bool) -> Result<Answer, Unpredictable> {
        let unpredictable = |why: &str| Err(Unpredictable(why.to_string()));
        match op {
            Op::Create { slot, order } => {
                if self.get(*slot).is_some() {
                    return unpredictable("slot already holds a collection");
                }
                if self.slots.len() <= *slot {
                    self.slots.resize(*slot + 1, None);
                }
                self.slots[*slot] = Some(Collection::new(*order));
                Ok(Answer::Created)
            }
            Op::Destroy { slot } => {
                self.live(*slot)?;
                self.slots[*slot] = None;
                Ok(Answer::Destroyed)
            }
            Op::Read { slot, paging } => {
                let c = self.live(*slot)?;
                if let Paging::Newer { below } = paging {
                    if *below >= c.len() {
                        return unpredictable("no entry at that index");
                    }
                }
                Ok(Answer::Soft(vec![]))
            }
            Op::Add {
                slot,
                tweet,
                relative,
            } => {
                let c = self.live(*slot)?;
                if let Some(r) = relative {
                    // relative_to is documented for curation order, naming a held tweet only.
                    if c.order != Order::Curation || !c.contains(r.to) || r.to == *tweet {
                        return unpredictable("relative_to outside its documented use");
                    }
                }
                if c.contains(*tweet) {
                    return Ok(Answer::Soft(vec![duplicate(*tweet)]));
                }
                match relative {
                    Some(r) => c.place(*tweet, *r)?,
                    None => c.put_on_top(vec![*tweet]),
                }
                Ok(Answer::Soft(vec![]))
            }
            Op::Remove { slot, tweet } => {
                let c = self.live(*slot)?;
                if !c.contains(*tweet) {
                    return Ok(Answer::Soft(vec![SoftError {
                        op: "remove",
                        tweet: *tweet,
                        reason: "not_found",
                    }]));
                }
                c.take_out(*tweet);
                Ok(Answer::Soft(vec![]))
            }
            Op::Move {
                slot,
                tweet,
                relative,
            } => {
                let c = self.live(*slot)?;
                // Move is documented for curation order, relative to a held tweet.
                if c.order != Order::Curation || !c.contains(relative.to) || relative.to == *tweet {
                    return unpredictable("move outside its documented use");
                }
                if !c.contains(*tweet) {
                    return Ok(Answer::Soft(vec![SoftError {
                        op: "move",
                        tweet: *tweet,
                        reason: "not_found",
                    }]));
                }
                c.take_out(*tweet);
                c.place(*tweet, *relative)?;
                Ok(Answer::Soft(vec![]))
            }
            Op::Curate { slot, changes } => {
                let c = self.live(*slot)?;
                let mut seen = Vec::new();
                for change in changes {
                    if seen.contains(&change.tweet()) {
                        return unpredictable("a tweet named twice in one curate");
                    }
                    seen.push(change.tweet());
                }
                if changes.is_empty() || changes.len() > 100 {
                    return unpredictable("curate needs 1 to 100 changes");
                }
                let fails = |ch: &Change| match ch {
                    Change::Add(t) => c.contains(*t),
                    Change::Remove(t) => !c.contains(*t),
                };
                let failing = changes.iter().filter(|ch| fails(ch)).count();
                let all_duplicate_adds = changes
                    .iter()
                    .all(|ch| matches!(ch, Change::Add(t) if c.contains(*t)));
                // Documented: all changes applied, or all adds rejected as duplicates ([D-CUR]).
                // Partial success and the remove not_found are UNVERIFIED: open points only.
                if failing > 0 && !all_duplicate_adds && !open_points {
                    return unpredictable("curate mixing failing and succeeding changes");
                }
                let mut errors = Vec::new();
                let mut added = Vec::new();
                for change in changes {
                    match *change {
                        Change::Add(t) if c.contains(t) => errors.push(duplicate(t)),
                        Change::Add(t) => added.push(t),
                        Change::Remove(t) if c.contains(t) => c.take_out(t),
                        Change::Remove(t) => errors.push(SoftError {
                            op: "remove",
                            tweet: t,
                            reason: "not_found",
                        }),
                    }
                }
                c.put_on_top(added);
                Ok(Answer::Soft(errors))
            }
            Op::Concurrent { slot, writes } => {
                let c = self.live(*slot)?;
                if writes.len() < 2 {
                    return unpredictable("fewer than two writes at once");
                }
                let first = writes[0].tweet();
                if writes.iter().all(|w| *w == Change::Add(first)) && !c.contains(first) {
                    // A race for one tweet: one add wins, the others are duplicates.
                    c.put_on_top(vec![first]);
                    return Ok(Answer::OneWins(duplicate(first)));
                }
                // Independent writes: distinct tweets, each succeeding in every interleaving.
                let mut seen = Vec::new();
                for w in writes {
                    let ok = match w {
                        Change::Add(t) => !c.contains(*t),
                        Change::Remove(t) => c.contains(*t),
                    };
                    if !ok || seen.contains(&w.tweet()) {
                        return unpredictable("writes at once that depend on their order");
                    }
                    seen.push(w.tweet());
                }
                let mut added = Vec::new();
                for w in writes {
                    match *w {
                        Change::Add(t) => added.push(t),
                        Change::Remove(t) => c.take_out(t),
                    }
                }
                c.put_on_top(added);
                Ok(Answer::Each(vec![Answer::Soft(vec![]); writes.len()]))
            }
        }
    }

    /// Settles every open group in the order it is held (the generator's stand-in for a read).
    pub fn settle(&mut self) {
        for c in self.slots.iter_mut().flatten() {
            if c.order == Order::Curation {
                c.groups = c.tweets().into_iter().map(|t| vec![t]).collect();
            }
        }
    }
}

fn duplicate(tweet: Tweet) -> SoftError {
    SoftError {
        op: "add",
        tweet,
        reason: "duplicate",
    }
}

/// Whether every operation of `ops` is predictable from an empty model (shrink candidates and
/// generated sequences must be).
pub fn predictable(ops: &[Op], open_points: bool) -> bool {
    let mut model = Model::default();
    ops.iter().all(|op| {
        let ok = model.apply(op, open_points).is_ok();
        model.settle();
        ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curated() -> Model {
        let mut m = Model::default();
        m.apply(
            &Op::Create {
                slot: 0,
                order: Order::Curation,
            },
            false,
        )
        .unwrap();
        m
    }

    #[test]
    fn adds_go_on_top_and_relative_places_next_to_the_anchor() {
        let mut m = curated();
        for t in [0, 1] {
            let add = Op::Add {
                slot: 0,
                tweet: t,
                relative: None,
            };
            assert_eq!(m.apply(&add, false), Ok(Answer::Soft(vec![])));
        }
        let below = Op::Add {
            slot: 0,
            tweet: 2,
            relative: Some(Relative {
                to: 1,
                above: Some(false),
            }),
        };
        m.apply(&below, false).unwrap();
        assert_eq!(m.get(0).unwrap().tweets(), vec![1, 2, 0]);
        let again = Op::Add {
            slot: 0,
            tweet: 0,
            relative: None,
        };
        assert_eq!(m.apply(&again, false), Ok(Answer::Soft(vec![duplicate(0)])));
        // Removed and re-added: on top again.
        m.apply(&Op::Remove { slot: 0, tweet: 0 }, false).unwrap();
        m.apply(&again, false).unwrap();
        assert_eq!(m.get(0).unwrap().tweets(), vec![0, 1, 2]);
        let mv = Op::Move {
            slot: 0,
            tweet: 0,
            relative: Relative {
                to: 2,
                above: Some(false),
            },
        };
        m.apply(&mv, false).unwrap();
        assert_eq!(m.get(0).unwrap().tweets(), vec![1, 2, 0]);
    }

    #[test]
    fn curate_groups_accept_any_order_then_keep_the_one_shown() {
        let mut m = curated();
        let curate = Op::Curate {
            slot: 0,
            changes: vec![Change::Add(3), Change::Add(4)],
        };
        m.apply(&curate, false).unwrap();
        let c = m.get_mut(0).unwrap();
        assert_eq!(c.describe(), "[{t3 t4 in any order}]");
        assert!(c.observe(&[Some(4), Some(3)]).is_ok());
        assert!(c.observe(&[Some(3), Some(4)]).is_err());
        assert!(c.observe(&[Some(4)]).is_err());
    }

    #[test]
    fn undocumented_cases_are_not_predicted() {
        let mut m = curated();
        let mixed = Op::Curate {
            slot: 0,
            changes: vec![Change::Add(1), Change::Remove(2)],
        };
        assert!(m.apply(&mixed, false).is_err());
        assert!(m.clone().apply(&mixed, true).is_ok());
        let relative_absent = Op::Add {
            slot: 0,
            tweet: 1,
            relative: Some(Relative { to: 9, above: None }),
        };
        assert!(m.apply(&relative_absent, false).is_err());
        assert!(m.apply(&Op::Destroy { slot: 1 }, false).is_err());
    }
}
