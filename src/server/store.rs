//! The collections themselves: what exists, who owns it, and which tweets it holds in which
//! order.
//!
//! The store is plain data behind one lock in `AppState`; every operation here is synchronous and
//! total (no panics, no partial updates), so concurrent clients never see lost or phantom
//! entries. It serializes to JSON for `--state FILE`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::seed::TWITTER_EPOCH_MS;

/// Spacing between the sort indexes of neighbouring entries, so an insertion between two entries
/// rarely needs renumbering.
const GAP: u64 = 1 << 22;

/// The largest sort index or tweet id (Twitter ids are signed 64-bit).
pub const MAX_ID: u64 = i64::MAX as u64;

/// How a collection orders its tweets ([D-CRE] `timeline_order`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum TimelineOrder {
    /// In the order the owner curated them; new tweets at the top (the default).
    #[default]
    CurationReverseChron,
    /// Oldest tweet first.
    TweetChron,
    /// Newest tweet first.
    TweetReverseChron,
}

impl TimelineOrder {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineOrder::CurationReverseChron => "curation_reverse_chron",
            TimelineOrder::TweetChron => "tweet_chron",
            TimelineOrder::TweetReverseChron => "tweet_reverse_chron",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "curation_reverse_chron" => Some(TimelineOrder::CurationReverseChron),
            "tweet_chron" => Some(TimelineOrder::TweetChron),
            "tweet_reverse_chron" => Some(TimelineOrder::TweetReverseChron),
            _ => None,
        }
    }
}

/// One tweet in a collection.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The tweet.
    pub tweet_id: u64,
    /// Its position; entries are kept in descending `sort_index` (the order `entries` shows).
    pub sort_index: u64,
    /// When it was added (store-wide sequence), to evict the oldest addition at capacity.
    pub added_seq: u64,
}

/// A collection ("custom timeline").
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Collection {
    /// `custom-<digits>`.
    pub id: String,
    /// Owner's user id.
    pub user_id: String,
    /// Title (at most 25 characters).
    pub name: String,
    /// Description (`""` when unset).
    pub description: String,
    /// Associated URL (`""` when unset).
    pub url: String,
    /// Ordering.
    pub timeline_order: TimelineOrder,
    /// Entries, highest `sort_index` first.
    pub entries: Vec<Entry>,
    /// Entries removed since the server started, most recent last (at most
    /// [`MAX_REMOVED_KEPT`]); only the `readd-keeps-position` fault reads them. Not saved.
    #[serde(skip)]
    pub removed: Vec<Entry>,
}

/// How many removed entries a collection remembers for the `readd-keeps-position` fault.
pub const MAX_REMOVED_KEPT: usize = 64;

impl Collection {
    /// Whether the collection holds the tweet.
    pub fn contains(&self, tweet_id: u64) -> bool {
        self.position(tweet_id).is_some()
    }

    fn position(&self, tweet_id: u64) -> Option<usize> {
        self.entries.iter().position(|e| e.tweet_id == tweet_id)
    }

    /// The numeric part of the id (used in the web permalink).
    pub fn numeric_id(&self) -> &str {
        self.id.strip_prefix("custom-").unwrap_or(&self.id)
    }
}

/// Where an added or moved tweet goes in a `curation_reverse_chron` collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// At the top (the documented default for additions).
    Top,
    /// Next to another entry: above it, or below it when `above` is false.
    Relative {
        /// The entry to place against.
        relative_to: u64,
        /// `true` = above (the documented default).
        above: bool,
    },
}

/// Result of adding a tweet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddOutcome {
    /// Added.
    Added,
    /// Already there: soft error `duplicate`.
    Duplicate,
    /// `relative_to` is not in the collection.
    RelativeNotFound,
}

/// Result of moving a tweet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveOutcome {
    /// Moved (or already there).
    Moved,
    /// The tweet is not in the collection: soft error `not_found`.
    NotFound,
    /// `relative_to` is not in the collection.
    RelativeNotFound,
}

/// All collections, plus the counters that make ids unique.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct Store {
    /// Last collection number handed out (ids only grow, even across restarts with `--state`).
    pub last_collection_number: u64,
    /// Store-wide addition counter.
    pub add_seq: u64,
    /// Collections by id, including their entries.
    pub collections: BTreeMap<String, Collection>,
}

impl Store {
    /// Loads a store saved by [`Store::save`]; a missing file is an empty store.
    pub fn load(path: &Path) -> anyhow::Result<Store> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                anyhow::anyhow!("state file {} is not a saved store: {e}", path.display())
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Store::default()),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    /// Saves atomically: writes a temporary file next to `path`, then renames it over `path`, so
    /// a crash mid-save leaves the previous state intact.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec_pretty(self)?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            anyhow::anyhow!("cannot replace {}: {e}", path.display())
        })
    }

    /// Creates a collection and returns its id. Ids are snowflake-like numbers (time-based, always
    /// increasing), as Twitter's were.
    pub fn create(
        &mut self,
        user_id: &str,
        name: String,
        description: String,
        url: String,
        timeline_order: TimelineOrder,
    ) -> String {
        let number = snowflake_now().max(self.last_collection_number + 1);
        self.last_collection_number = number;
        let id = format!("custom-{number}");
        self.collections.insert(
            id.clone(),
            Collection {
                id: id.clone(),
                user_id: user_id.to_string(),
                name,
                description,
                url,
                timeline_order,
                entries: Vec::new(),
                removed: Vec::new(),
            },
        );
        id
    }

    /// The collection with this id.
    pub fn get(&self, id: &str) -> Option<&Collection> {
        self.collections.get(id)
    }

    /// Mutable access to the collection with this id.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Collection> {
        self.collections.get_mut(id)
    }

    /// Deletes a collection; `false` if it did not exist.
    pub fn destroy(&mut self, id: &str) -> bool {
        self.collections.remove(id).is_some()
    }

    /// Adds a tweet. In a `curation_reverse_chron` collection it goes at `placement`; in the
    /// tweet-time orders its place follows from its id and `placement` is ignored. Beyond
    /// `capacity` the oldest addition is evicted ([D-ADD]).
    pub fn add(
        &mut self,
        id: &str,
        tweet_id: u64,
        placement: Placement,
        capacity: usize,
    ) -> Option<AddOutcome> {
        self.add_seq += 1;
        let seq = self.add_seq;
        let collection = self.collections.get_mut(id)?;
        if collection.contains(tweet_id) {
            return Some(AddOutcome::Duplicate);
        }
        match collection.timeline_order {
            TimelineOrder::CurationReverseChron => {
                let at = match placement {
                    Placement::Top => 0,
                    Placement::Relative { relative_to, above } => {
                        match collection.position(relative_to) {
                            Some(p) if above => p,
                            Some(p) => p + 1,
                            None => return Some(AddOutcome::RelativeNotFound),
                        }
                    }
                };
                insert_curated(&mut collection.entries, at, tweet_id, seq);
            }
            order => {
                let sort_index = time_sort_index(order, tweet_id);
                let at = collection
                    .entries
                    .iter()
                    .position(|e| e.sort_index < sort_index)
                    .unwrap_or(collection.entries.len());
                collection.entries.insert(
                    at,
                    Entry {
                        tweet_id,
                        sort_index,
                        added_seq: seq,
                    },
                );
            }
        }
        if collection.entries.len() > capacity.max(1) {
            if let Some(oldest) = collection
                .entries
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| e.added_seq)
                .map(|(i, _)| i)
            {
                collection.entries.remove(oldest);
            }
        }
        Some(AddOutcome::Added)
    }

    /// Removes a tweet; `Some(false)` when it was not in the collection, `None` when the
    /// collection does not exist.
    pub fn remove(&mut self, id: &str, tweet_id: u64) -> Option<bool> {
        let collection = self.collections.get_mut(id)?;
        match collection.position(tweet_id) {
            Some(p) => {
                let entry = collection.entries.remove(p);
                collection.removed.retain(|e| e.tweet_id != tweet_id);
                collection.removed.push(entry);
                if collection.removed.len() > MAX_REMOVED_KEPT {
                    collection.removed.remove(0);
                }
                Some(true)
            }
            None => Some(false),
        }
    }

    /// Puts a removed tweet back with the sort index it had (the `readd-keeps-position` fault);
    /// `false` when the collection does not remember it or holds it already.
    pub fn restore_removed(&mut self, id: &str, tweet_id: u64) -> bool {
        let Some(collection) = self.collections.get_mut(id) else {
            return false;
        };
        if collection.contains(tweet_id) {
            return false;
        }
        let Some(p) = collection
            .removed
            .iter()
            .position(|e| e.tweet_id == tweet_id)
        else {
            return false;
        };
        let entry = collection.removed.remove(p);
        let at = collection
            .entries
            .iter()
            .position(|e| e.sort_index < entry.sort_index)
            .unwrap_or(collection.entries.len());
        collection.entries.insert(at, entry);
        true
    }

    /// Moves a tweet next to `relative_to` (curation order only; the caller checks the order).
    pub fn move_entry(
        &mut self,
        id: &str,
        tweet_id: u64,
        relative_to: u64,
        above: bool,
    ) -> Option<MoveOutcome> {
        self.move_entry_with(id, tweet_id, relative_to, above, false)
    }

    /// [`Store::move_entry`]; with `stale_anchor` (the `move-off-by-one` fault) the index of
    /// `relative_to` is taken before the tweet is taken out, as a hurried implementation does.
    pub fn move_entry_with(
        &mut self,
        id: &str,
        tweet_id: u64,
        relative_to: u64,
        above: bool,
        stale_anchor: bool,
    ) -> Option<MoveOutcome> {
        let collection = self.collections.get_mut(id)?;
        let Some(from) = collection.position(tweet_id) else {
            return Some(MoveOutcome::NotFound);
        };
        if !collection.contains(relative_to) {
            return Some(MoveOutcome::RelativeNotFound);
        }
        if tweet_id == relative_to {
            return Some(MoveOutcome::Moved);
        }
        let stale = collection.position(relative_to).unwrap_or(0);
        let entry = collection.entries.remove(from);
        let anchor = if stale_anchor {
            stale
        } else {
            collection.position(relative_to).unwrap_or(0)
        };
        let at = if above { anchor } else { anchor + 1 };
        insert_curated(&mut collection.entries, at, entry.tweet_id, entry.added_seq);
        Some(MoveOutcome::Moved)
    }
}

/// In the tweet-time orders the position is a function of the tweet id, kept descending so that
/// `max_position`/`min_position` paging works the same in every order.
fn time_sort_index(order: TimelineOrder, tweet_id: u64) -> u64 {
    match order {
        TimelineOrder::TweetChron => MAX_ID - tweet_id.min(MAX_ID),
        _ => tweet_id,
    }
}

/// Inserts at index `at` (0 = top) with a sort index between the neighbours', renumbering the
/// collection when there is no room.
fn insert_curated(entries: &mut Vec<Entry>, at: usize, tweet_id: u64, added_seq: u64) {
    let at = at.min(entries.len());
    let sort_index = match between(entries, at) {
        Some(index) => index,
        None => {
            renumber(entries);
            between(entries, at).unwrap_or(GAP)
        }
    };
    entries.insert(
        at,
        Entry {
            tweet_id,
            sort_index,
            added_seq,
        },
    );
}

/// A free sort index for a new entry at `at`, or `None` if the neighbours leave no room.
fn between(entries: &[Entry], at: usize) -> Option<u64> {
    let above = at.checked_sub(1).map(|i| entries[i].sort_index);
    let below = entries.get(at).map(|e| e.sort_index);
    match (above, below) {
        (None, None) => Some(snowflake_now()),
        (None, Some(below)) => {
            Some(snowflake_now().max(below.checked_add(GAP)?)).filter(|i| *i <= MAX_ID)
        }
        (Some(above), None) => above.checked_sub(GAP).filter(|i| *i > 0),
        (Some(above), Some(below)) => {
            (above.saturating_sub(below) >= 2).then(|| below + (above - below) / 2)
        }
    }
}

/// Spreads sort indexes evenly (order kept), leaving room above, below and between.
fn renumber(entries: &mut [Entry]) {
    let n = entries.len() as u64;
    let base = (MAX_ID / 4).max((n + 2) * GAP);
    for (i, entry) in entries.iter_mut().enumerate() {
        entry.sort_index = base + (n - i as u64) * GAP;
    }
}

/// A snowflake-like number for the current time: milliseconds since Twitter's epoch shifted left
/// 22 bits, as Twitter's ids are built.
pub fn snowflake_now() -> u64 {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(TWITTER_EPOCH_MS);
    (ms.saturating_sub(TWITTER_EPOCH_MS) << 22).min(MAX_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(store: &Store, id: &str) -> Vec<u64> {
        store
            .get(id)
            .unwrap()
            .entries
            .iter()
            .map(|e| e.tweet_id)
            .collect()
    }

    fn sorted_desc(store: &Store, id: &str) -> bool {
        let e = &store.get(id).unwrap().entries;
        e.windows(2).all(|w| w[0].sort_index > w[1].sort_index)
    }

    #[test]
    fn curation_order_puts_new_tweets_on_top_and_honours_relative_placement() {
        let mut s = Store::default();
        let c = s.create(
            "1",
            "n".into(),
            "".into(),
            "".into(),
            TimelineOrder::default(),
        );
        for t in [10, 20, 30] {
            assert_eq!(s.add(&c, t, Placement::Top, 100), Some(AddOutcome::Added));
        }
        assert_eq!(ids(&s, &c), vec![30, 20, 10]);
        let below_20 = Placement::Relative {
            relative_to: 20,
            above: false,
        };
        assert_eq!(s.add(&c, 15, below_20, 100), Some(AddOutcome::Added));
        let above_30 = Placement::Relative {
            relative_to: 30,
            above: true,
        };
        assert_eq!(s.add(&c, 40, above_30, 100), Some(AddOutcome::Added));
        assert_eq!(ids(&s, &c), vec![40, 30, 20, 15, 10]);
        assert_eq!(
            s.add(&c, 10, Placement::Top, 100),
            Some(AddOutcome::Duplicate)
        );
        let missing = Placement::Relative {
            relative_to: 99,
            above: true,
        };
        assert_eq!(
            s.add(&c, 50, missing, 100),
            Some(AddOutcome::RelativeNotFound)
        );
        assert!(sorted_desc(&s, &c));
        assert_eq!(s.move_entry(&c, 10, 40, true), Some(MoveOutcome::Moved));
        assert_eq!(ids(&s, &c), vec![10, 40, 30, 20, 15]);
        assert_eq!(s.move_entry(&c, 10, 15, false), Some(MoveOutcome::Moved));
        assert_eq!(ids(&s, &c), vec![40, 30, 20, 15, 10]);
        assert!(sorted_desc(&s, &c));
        assert_eq!(s.remove(&c, 30), Some(true));
        assert_eq!(s.remove(&c, 30), Some(false));
        assert_eq!(s.remove("custom-1", 30), None);
    }

    #[test]
    fn many_insertions_in_one_gap_renumber_without_losing_order() {
        let mut s = Store::default();
        let c = s.create(
            "1",
            "n".into(),
            "".into(),
            "".into(),
            TimelineOrder::default(),
        );
        s.add(&c, 1, Placement::Top, 1000);
        s.add(&c, 2, Placement::Top, 1000);
        for t in 3..100 {
            let p = Placement::Relative {
                relative_to: 1,
                above: true,
            };
            s.add(&c, t, p, 1000);
        }
        let got = ids(&s, &c);
        assert_eq!(got.first(), Some(&2));
        assert_eq!(got.last(), Some(&1));
        assert_eq!(got[1], 3);
        assert!(sorted_desc(&s, &c));
    }

    #[test]
    fn time_orders_follow_tweet_ids_and_capacity_evicts_oldest_addition() {
        let mut s = Store::default();
        let chron = s.create(
            "1",
            "n".into(),
            "".into(),
            "".into(),
            TimelineOrder::TweetChron,
        );
        let rev = s.create(
            "1",
            "n".into(),
            "".into(),
            "".into(),
            TimelineOrder::TweetReverseChron,
        );
        for t in [5, 1, 9] {
            s.add(&chron, t, Placement::Top, 100);
            s.add(&rev, t, Placement::Top, 100);
        }
        assert_eq!(ids(&s, &chron), vec![1, 5, 9]);
        assert_eq!(ids(&s, &rev), vec![9, 5, 1]);
        s.add(&rev, 7, Placement::Top, 3);
        assert_eq!(ids(&s, &rev), vec![9, 7, 1]);
        assert_ne!(chron, rev);
    }

    #[test]
    fn state_round_trips_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut s = Store::default();
        let c = s.create(
            "1",
            "n".into(),
            "d".into(),
            "".into(),
            TimelineOrder::default(),
        );
        s.add(&c, 42, Placement::Top, 10);
        s.save(&path).unwrap();
        assert_eq!(Store::load(&path).unwrap(), s);
        assert_eq!(
            Store::load(&dir.path().join("none")).unwrap(),
            Store::default()
        );
    }
}
