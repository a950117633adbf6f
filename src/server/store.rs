//! The collections themselves: what exists, who owns it, and which tweets it holds in which
//! order.
//!
//! The store is plain data behind one lock in `AppState`; every operation here is synchronous and
//! total (no panics, no partial updates), so concurrent clients never see lost or phantom
//! entries. It serializes to JSON for `--state FILE`.

use std::collections::{BTreeMap, BTreeSet, HashSet};

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

    /// After the addition numbered `added`: if the collection holds more than `capacity`
    /// entries, evicts one as `at_capacity` says (never the addition itself).
    fn evict_over(&mut self, capacity: usize, at_capacity: AtCapacity, added: u64) {
        if self.entries.len() <= capacity.max(1) {
            return;
        }
        let others = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.added_seq != added);
        let victim = match at_capacity {
            AtCapacity::EvictOldest => others.min_by_key(|(_, e)| e.added_seq),
            AtCapacity::EvictNewest => others.max_by_key(|(_, e)| e.added_seq),
            AtCapacity::Refuse | AtCapacity::Grow => None,
        };
        if let Some((i, _)) = victim {
            self.entries.remove(i);
        }
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
    /// The collection is full and [`AtCapacity::Refuse`] keeps it as it is.
    Full,
}

/// What adding a new tweet to a full collection does. [D-ADD] documents the first; the others
/// exist so the fault profiles can bend this one choice where it is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AtCapacity {
    /// The tweet is added and the earliest addition evicted (faithful).
    #[default]
    EvictOldest,
    /// The tweet is added and the latest earlier addition evicted.
    EvictNewest,
    /// Nothing changes; the add is refused.
    Refuse,
    /// The tweet is added and nothing evicted: the collection grows past its capacity.
    Grow,
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

/// Documented maximum length of a collection name, as `collections/create` enforces it.
pub const NAME_MAX_CHARS: usize = 25;
/// Documented maximum length of a description, as `collections/create` enforces it.
pub const DESCRIPTION_MAX_CHARS: usize = 160;

/// All collections, plus the counters that make ids unique.
///
/// Every change marks the collection it touched, so `--state` can save just those (see
/// [`super::persist`]); `generation` counts changes.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// Last collection number handed out (ids only grow, even across restarts with `--state`).
    pub last_collection_number: u64,
    /// Store-wide addition counter.
    pub add_seq: u64,
    /// Collections by id, including their entries.
    pub collections: BTreeMap<String, Collection>,
    /// Ids of collections changed since the last save.
    changed: BTreeSet<String>,
    /// Number of changes since the server started.
    generation: u64,
}

impl PartialEq for Store {
    /// Equal content; what is pending a save does not count.
    fn eq(&self, other: &Self) -> bool {
        self.last_collection_number == other.last_collection_number
            && self.add_seq == other.add_seq
            && self.collections == other.collections
    }
}

impl Eq for Store {}

impl Store {
    /// Changes made since the server started (only grows).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Takes the ids of the collections changed since the last call.
    pub fn take_changed(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.changed)
    }

    /// Marks collections as changed again (a save that failed).
    pub fn mark_changed(&mut self, ids: BTreeSet<String>) {
        self.changed.extend(ids);
    }

    fn touch(&mut self, id: &str) {
        self.generation += 1;
        if !self.changed.contains(id) {
            self.changed.insert(id.to_string());
        }
    }

    /// Checks a loaded store against what the server itself would ever produce, naming the first
    /// problem: unknown owners or tweets (per `owner_exists` and `tweet_exists`), ids, lengths,
    /// counters, duplicates, ordering and capacity.
    pub fn validate(
        &self,
        owner_exists: impl Fn(&str) -> bool,
        tweet_exists: impl Fn(u64) -> bool,
        capacity: Option<usize>,
    ) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.last_collection_number < MAX_ID,
            "last_collection_number {} is out of range (at most {})",
            self.last_collection_number,
            MAX_ID - 1
        );
        anyhow::ensure!(
            self.add_seq < MAX_ID,
            "add_seq {} is out of range (at most {})",
            self.add_seq,
            MAX_ID - 1
        );
        let mut added = HashSet::new();
        for (key, c) in &self.collections {
            let at = |what: String| anyhow::anyhow!("collection {key:?}: {what}");
            if *key != c.id {
                return Err(at(format!(
                    "is stored under a key that differs from its id {:?}",
                    c.id
                )));
            }
            let number = c
                .id
                .strip_prefix("custom-")
                .filter(|d| !d.is_empty() && d.len() <= 19 && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<u64>().ok())
                .ok_or_else(|| at("id is not custom-<digits>".into()))?;
            if number > self.last_collection_number {
                return Err(at(format!(
                    "id number is above last_collection_number {} (a new collection could reuse it)",
                    self.last_collection_number
                )));
            }
            if !owner_exists(&c.user_id) {
                return Err(at(format!("owner {:?} is not a seeded user", c.user_id)));
            }
            let name = c.name.chars().count();
            if name == 0 || name > NAME_MAX_CHARS {
                return Err(at(format!(
                    "name has {name} characters (1 to {NAME_MAX_CHARS} allowed)"
                )));
            }
            let description = c.description.chars().count();
            if description > DESCRIPTION_MAX_CHARS {
                return Err(at(format!(
                    "description has {description} characters (at most {DESCRIPTION_MAX_CHARS})"
                )));
            }
            if !c.url.is_empty()
                && !url::Url::parse(&c.url)
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            {
                return Err(at(format!("url {:?} is not an http(s) URL", c.url)));
            }
            if let Some(capacity) = capacity.filter(|&cap| c.entries.len() > cap.max(1)) {
                return Err(at(format!(
                    "holds {} entries (capacity {}; a larger --collection-capacity accepts it)",
                    c.entries.len(),
                    capacity.max(1)
                )));
            }
            let mut tweets = HashSet::new();
            for (i, e) in c.entries.iter().enumerate() {
                let entry = |what: String| at(format!("entry {i} (tweet {}): {what}", e.tweet_id));
                if !(1..=MAX_ID).contains(&e.tweet_id) || !tweet_exists(e.tweet_id) {
                    return Err(entry("not a seeded tweet".into()));
                }
                if !tweets.insert(e.tweet_id) {
                    return Err(entry("appears twice".into()));
                }
                if !(1..=MAX_ID).contains(&e.sort_index) {
                    return Err(entry(format!(
                        "sort_index {} is out of range",
                        e.sort_index
                    )));
                }
                if let Some(above) = i.checked_sub(1).map(|p| c.entries[p].sort_index) {
                    if e.sort_index >= above {
                        return Err(entry(format!(
                            "sort_index {} is not below the previous entry's {above}",
                            e.sort_index
                        )));
                    }
                }
                if c.timeline_order != TimelineOrder::CurationReverseChron
                    && e.sort_index != time_sort_index(c.timeline_order, e.tweet_id)
                {
                    return Err(entry(format!(
                        "sort_index {} does not follow from the tweet id in {} order",
                        e.sort_index,
                        c.timeline_order.as_str()
                    )));
                }
                if e.added_seq == 0 || e.added_seq > self.add_seq {
                    return Err(entry(format!(
                        "added_seq {} is not within 1..=add_seq {}",
                        e.added_seq, self.add_seq
                    )));
                }
                if !added.insert(e.added_seq) {
                    return Err(entry(format!("added_seq {} is used twice", e.added_seq)));
                }
            }
        }
        Ok(())
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
        self.touch(&id);
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
    /// (Counts as a change of that collection.)
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Collection> {
        if self.collections.contains_key(id) {
            self.touch(id);
        }
        self.collections.get_mut(id)
    }

    /// Deletes a collection; `false` if it did not exist.
    pub fn destroy(&mut self, id: &str) -> bool {
        let existed = self.collections.remove(id).is_some();
        if existed {
            self.touch(id);
        }
        existed
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
        self.add_with(id, tweet_id, placement, capacity, AtCapacity::EvictOldest)
    }

    /// [`Store::add`], with `at_capacity` deciding what an add to a full collection does (the
    /// one place the policy's choice is carried out, for entries/add and curate alike).
    pub fn add_with(
        &mut self,
        id: &str,
        tweet_id: u64,
        placement: Placement,
        capacity: usize,
        at_capacity: AtCapacity,
    ) -> Option<AddOutcome> {
        self.add_seq += 1;
        let seq = self.add_seq;
        let collection = self.collections.get_mut(id)?;
        if collection.contains(tweet_id) {
            return Some(AddOutcome::Duplicate);
        }
        if let Placement::Relative { relative_to, .. } = placement {
            if collection.timeline_order == TimelineOrder::CurationReverseChron
                && !collection.contains(relative_to)
            {
                return Some(AddOutcome::RelativeNotFound);
            }
        }
        if at_capacity == AtCapacity::Refuse && collection.entries.len() >= capacity.max(1) {
            return Some(AddOutcome::Full);
        }
        self.touch(id);
        let collection = self.collections.get_mut(id)?;
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
        collection.evict_over(capacity, at_capacity, seq);
        Some(AddOutcome::Added)
    }

    /// Removes a tweet; `Some(false)` when it was not in the collection, `None` when the
    /// collection does not exist.
    pub fn remove(&mut self, id: &str, tweet_id: u64) -> Option<bool> {
        let position = self.collections.get(id)?.position(tweet_id);
        match position {
            Some(p) => {
                self.touch(id);
                let collection = self.collections.get_mut(id)?;
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

    /// Puts a removed tweet back with the sort index it had (the `readd-keeps-position` fault),
    /// as a new addition that `capacity` and `at_capacity` apply to like any other; `false` when
    /// the collection does not remember it, holds it already, or is full and refuses.
    pub fn restore_removed(
        &mut self,
        id: &str,
        tweet_id: u64,
        capacity: usize,
        at_capacity: AtCapacity,
    ) -> bool {
        let Some(collection) = self.collections.get(id) else {
            return false;
        };
        let remembered = collection.removed.iter().find(|e| e.tweet_id == tweet_id);
        // A later addition may have taken the old sort index: then it is an ordinary add.
        let taken = |index: u64| collection.entries.iter().any(|e| e.sort_index == index);
        if collection.contains(tweet_id)
            || remembered.is_none_or(|e| taken(e.sort_index))
            || (at_capacity == AtCapacity::Refuse && collection.entries.len() >= capacity.max(1))
        {
            return false;
        }
        self.add_seq += 1;
        let seq = self.add_seq;
        self.touch(id);
        let Some(collection) = self.collections.get_mut(id) else {
            return false;
        };
        let Some(p) = collection
            .removed
            .iter()
            .position(|e| e.tweet_id == tweet_id)
        else {
            return false;
        };
        let mut entry = collection.removed.remove(p);
        entry.added_seq = seq;
        let at = collection
            .entries
            .iter()
            .position(|e| e.sort_index < entry.sort_index)
            .unwrap_or(collection.entries.len());
        collection.entries.insert(at, entry);
        collection.evict_over(capacity, at_capacity, seq);
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
        self.touch(id);
        let collection = self.collections.get_mut(id)?;
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

    /// A store holding one empty curated collection of user 1, and its id.
    fn curated() -> (Store, String) {
        let mut s = Store::default();
        let c = s.create(
            "1",
            "n".into(),
            "".into(),
            "".into(),
            TimelineOrder::default(),
        );
        (s, c)
    }

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
        let (mut s, c) = curated();
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
        let (mut s, c) = curated();
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
    fn a_full_collection_does_what_at_capacity_says() {
        let full = |at: AtCapacity| {
            let (mut s, c) = curated();
            for t in [1, 2, 3] {
                s.add_with(&c, t, Placement::Top, 3, at);
            }
            // 2 moves to the top: placement is not the time of addition.
            s.move_entry(&c, 2, 3, true);
            let outcome = s.add_with(&c, 4, Placement::Top, 3, at);
            (outcome, ids(&s, &c))
        };
        let added = Some(AddOutcome::Added);
        assert_eq!(full(AtCapacity::EvictOldest), (added, vec![4, 2, 3]));
        assert_eq!(full(AtCapacity::EvictNewest), (added, vec![4, 2, 1]));
        assert_eq!(full(AtCapacity::Grow), (added, vec![4, 2, 3, 1]));
        assert_eq!(
            full(AtCapacity::Refuse),
            (Some(AddOutcome::Full), vec![2, 3, 1])
        );
    }

    #[test]
    fn a_restored_entry_is_a_new_addition_within_capacity() {
        let (mut s, c) = curated();
        for t in [1, 2, 3] {
            s.add(&c, t, Placement::Top, 3);
        }
        assert_eq!(s.remove(&c, 2), Some(true));
        s.add(&c, 4, Placement::Top, 3);
        assert!(!s.restore_removed(&c, 2, 3, AtCapacity::Refuse));
        assert!(s.restore_removed(&c, 2, 3, AtCapacity::EvictOldest));
        // Back between 3 and 1, and 1 (the earliest addition) evicted, not 2.
        assert_eq!(ids(&s, &c), vec![4, 3, 2]);
        s.validate(|_| true, |_| true, Some(3)).unwrap();
        // The top tweet removed, another added on top takes its index: no restore.
        assert_eq!(s.remove(&c, 4), Some(true));
        s.add(&c, 5, Placement::Top, 3);
        assert!(!s.restore_removed(&c, 4, 3, AtCapacity::EvictOldest));
    }

    #[test]
    fn changes_are_tracked_per_collection() {
        let (mut s, c) = curated();
        assert_eq!(s.take_changed(), BTreeSet::from([c.clone()]));
        let before = s.generation();
        assert_eq!(s.remove(&c, 42), Some(false));
        assert_eq!(s.add(&c, 42, Placement::Top, 10), Some(AddOutcome::Added));
        assert_eq!(
            s.add(&c, 42, Placement::Top, 10),
            Some(AddOutcome::Duplicate)
        );
        assert_eq!(s.generation(), before + 1, "only the real change counts");
        assert!(s.destroy(&c));
        assert_eq!(s.take_changed(), BTreeSet::from([c]));
        assert!(s.take_changed().is_empty());
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let (mut s, c) = curated();
        s.add(&c, 42, Placement::Top, 10);
        s.add(&c, 43, Placement::Top, 10);
        let owners = |u: &str| u == "1";
        let tweets = |t: u64| t == 42 || t == 43;
        s.validate(owners, tweets, Some(10)).unwrap();
        fn first(s: &mut Store) -> &mut Collection {
            s.collections.values_mut().next().unwrap()
        }
        type Breaker = fn(&mut Store);
        let cases: [(Breaker, &str); 7] = [
            (|s| first(s).user_id = "9".into(), "owner \"9\""),
            (|s| first(s).name = "x".repeat(26), "name has 26"),
            (|s| first(s).entries[1].tweet_id = 43, "appears twice"),
            (|s| first(s).entries.swap(0, 1), "not below"),
            (|s| first(s).entries[0].tweet_id = 7, "not a seeded tweet"),
            (|s| s.add_seq = u64::MAX, "add_seq"),
            (
                |s| s.last_collection_number = 1,
                "above last_collection_number",
            ),
        ];
        for (i, (break_it, expected)) in cases.into_iter().enumerate() {
            let mut copy = s.clone();
            break_it(&mut copy);
            let err = copy
                .validate(owners, tweets, Some(10))
                .expect_err(&format!("case {i}"));
            assert!(err.to_string().contains(expected), "case {i}: {err}");
        }
        let err = s.validate(owners, tweets, Some(1)).unwrap_err().to_string();
        assert!(err.contains("capacity 1"), "{err}");
        s.validate(owners, tweets, None).unwrap();
    }
}
