//! `--state FILE`: collections that survive a restart, and a hard kill.
//!
//! Two files: the snapshot `FILE` (the whole store, marked with a format name and version so no
//! other JSON file is ever taken for one or overwritten) and the journal `FILE.journal`, one JSON
//! line per acknowledged change holding the changed collections whole (or the ids of destroyed
//! ones). A change is appended to the journal *before* its response is sent, so a write the
//! client saw acknowledged survives SIGKILL of the server (it is in the operating system's
//! cache; surviving power loss would need an fsync per write, which this test server does not
//! pay). The cost of one write is bounded by the size of the collections it touched, not by the
//! size of the store: when the journal outgrows twice the snapshot (at least 4 MiB) it is folded
//! into a new snapshot, written to a temporary file and renamed over the old one.
//!
//! At start the folder must exist and be writable, stale temporary files of the same state file
//! are removed, the snapshot and journal are loaded and validated, and the result is written
//! back as a fresh snapshot, so a problem shows at start, never at shutdown.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::state::AppState;
use super::store::{Collection, Store};

/// The `format` marker of a state file.
pub const FORMAT: &str = "collections-conformance-state";
/// The state-file version this server reads and writes.
pub const VERSION: u64 = 1;
/// The journal is folded into the snapshot when it grows past twice the snapshot, and never
/// before it reaches this size.
const MIN_COMPACT_BYTES: u64 = 4 << 20;

/// The snapshot as written.
#[derive(Serialize)]
struct SnapshotOut<'a> {
    format: &'static str,
    version: u64,
    /// The last journal record this snapshot includes.
    journal_seq: u64,
    last_collection_number: u64,
    add_seq: u64,
    collections: &'a BTreeMap<String, Collection>,
}

/// The snapshot as read (after its marker was checked).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotIn {
    #[allow(dead_code)]
    format: String,
    #[allow(dead_code)]
    version: u64,
    journal_seq: u64,
    last_collection_number: u64,
    add_seq: u64,
    collections: BTreeMap<String, Collection>,
}

/// One journal line as written.
#[derive(Serialize)]
struct RecordOut<'a> {
    seq: u64,
    last_collection_number: u64,
    add_seq: u64,
    put: Vec<&'a Collection>,
    delete: Vec<&'a str>,
}

/// One journal line as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordIn {
    seq: u64,
    last_collection_number: u64,
    add_seq: u64,
    put: Vec<Collection>,
    delete: Vec<String>,
}

/// The journal next to a state file.
pub fn journal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// Writes to the state file and its journal; one per server, behind [`Durability`].
#[derive(Debug)]
pub struct Persister {
    path: PathBuf,
    journal: File,
    journal_bytes: u64,
    compact_at: u64,
    seq: u64,
}

/// What the request path needs: the persister, and how far the store is known to be saved.
#[derive(Debug)]
pub struct Durability {
    /// The store generation known to be on disk.
    durable: AtomicU64,
    persister: Mutex<Persister>,
}

impl Durability {
    /// Makes every change up to now durable (returns at once when nothing changed).
    pub fn commit(&self, store: &Mutex<Store>) -> anyhow::Result<()> {
        let wanted = lock(store).generation();
        if self.durable.load(Ordering::Acquire) >= wanted {
            return Ok(());
        }
        let mut persister = lock(&self.persister);
        // Another request may have saved this change while we waited.
        if self.durable.load(Ordering::Acquire) >= wanted {
            return Ok(());
        }
        let saved = persister.append(store)?;
        self.durable.fetch_max(saved, Ordering::AcqRel);
        Ok(())
    }

    /// Saves everything as one snapshot and empties the journal (at shutdown).
    pub fn save_all(&self, store: &Mutex<Store>) -> anyhow::Result<()> {
        let mut persister = lock(&self.persister);
        let saved = persister.compact(store)?;
        self.durable.fetch_max(saved, Ordering::AcqRel);
        Ok(())
    }
}

/// Makes the changes of a request durable before its response goes out: returns at once when
/// there is no `--state` or nothing changed, else writes on the blocking pool.
pub async fn commit(state: &Arc<AppState>) -> anyhow::Result<()> {
    let Some(durability) = &state.durability else {
        return Ok(());
    };
    if durability.durable.load(Ordering::Acquire) >= lock(&state.store).generation() {
        return Ok(());
    }
    let state = state.clone();
    tokio::task::spawn_blocking(move || match &state.durability {
        Some(durability) => durability.commit(&state.store),
        None => Ok(()),
    })
    .await
    .context("saving state panicked")?
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Opens `path` for `--state`: checks the folder, removes stale temporary files, loads the
/// snapshot and replays the journal, runs `validate` on the result, and writes it back as a
/// fresh snapshot. A missing file is an empty store.
pub fn open(
    path: &Path,
    validate: impl FnOnce(&Store) -> anyhow::Result<()>,
) -> anyhow::Result<(Store, Durability)> {
    let dir = folder(path);
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => anyhow::bail!(
            "state file {}: {} is not a folder",
            path.display(),
            dir.display()
        ),
        Err(e) => anyhow::bail!(
            "state file {}: its folder {} does not exist or cannot be read ({e})",
            path.display(),
            dir.display()
        ),
    }
    if let Ok(meta) = std::fs::metadata(path) {
        anyhow::ensure!(
            meta.is_file(),
            "state file {} exists and is not a regular file",
            path.display()
        );
    }
    remove_stale_temporaries(path);

    let (mut store, mut seq) = read_snapshot(path)?;
    let journal = journal_path(path);
    seq = replay(&journal, &mut store, seq)?;
    validate(&store).with_context(|| format!("state file {} is inconsistent", path.display()))?;

    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&journal)
        .with_context(|| format!("cannot open the journal {}", journal.display()))?;
    let mut persister = Persister {
        path: path.to_path_buf(),
        journal: file,
        journal_bytes: 0,
        compact_at: MIN_COMPACT_BYTES,
        seq,
    };
    let store = Mutex::new(store);
    persister.compact(&store)?;
    let store = store.into_inner().unwrap_or_else(|p| p.into_inner());
    let durability = Durability {
        durable: AtomicU64::new(store.generation()),
        persister: Mutex::new(persister),
    };
    Ok((store, durability))
}

fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into())
}

/// Temporary files of this state file left by a save that crashed (`.NAME.PID.tmp`).
fn remove_stale_temporaries(path: &Path) {
    let prefix = format!(".{}.", file_name(path));
    let Ok(entries) = std::fs::read_dir(folder(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(middle) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
        else {
            continue;
        };
        if !middle.is_empty() && middle.bytes().all(|b| b.is_ascii_digit()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn read_snapshot(path: &Path) -> anyhow::Result<(Store, u64)> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Store::default(), 0)),
        Err(e) => anyhow::bail!("cannot read the state file {}: {e}", path.display()),
    };
    let not_state = || {
        format!(
            "{} is not a state file of this server (no \"format\": \"{FORMAT}\" marker); \
             refusing to load or overwrite it",
            path.display()
        )
    };
    let value: serde_json::Value = serde_json::from_slice(&bytes).with_context(not_state)?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        anyhow::bail!(not_state());
    }
    let version = value.get("version").and_then(|v| v.as_u64());
    anyhow::ensure!(
        version == Some(VERSION),
        "state file {} has version {}; this server reads version {VERSION}",
        path.display(),
        value.get("version").unwrap_or(&serde_json::Value::Null)
    );
    let snapshot: SnapshotIn = serde_json::from_value(value)
        .with_context(|| format!("state file {} is malformed", path.display()))?;
    let mut store = Store::default();
    store.last_collection_number = snapshot.last_collection_number;
    store.add_seq = snapshot.add_seq;
    store.collections = snapshot.collections;
    Ok((store, snapshot.journal_seq))
}

/// Applies the journal's records newer than `seq`; returns the last sequence number seen. A
/// final line without its newline is a write the server never acknowledged, and is ignored.
fn replay(journal: &Path, store: &mut Store, mut seq: u64) -> anyhow::Result<u64> {
    let text = match std::fs::read(journal) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(seq),
        Err(e) => anyhow::bail!("cannot read the journal {}: {e}", journal.display()),
    };
    let complete = match text.iter().rposition(|b| *b == b'\n') {
        Some(end) => &text[..=end],
        None => &[][..],
    };
    for (number, line) in complete.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let record: RecordIn = serde_json::from_slice(line).with_context(|| {
            format!(
                "journal {} line {} is not a journal record",
                journal.display(),
                number + 1
            )
        })?;
        if record.seq <= seq {
            continue;
        }
        seq = record.seq;
        store.last_collection_number = store
            .last_collection_number
            .max(record.last_collection_number);
        store.add_seq = store.add_seq.max(record.add_seq);
        for id in record.delete {
            store.collections.remove(&id);
        }
        for collection in record.put {
            store.collections.insert(collection.id.clone(), collection);
        }
    }
    Ok(seq)
}

impl Persister {
    /// Appends the changed collections as one record; returns the store generation it covers.
    fn append(&mut self, store: &Mutex<Store>) -> anyhow::Result<u64> {
        let (line, generation, changed) = {
            let mut store = lock(store);
            let changed = store.take_changed();
            let generation = store.generation();
            if changed.is_empty() {
                return Ok(generation);
            }
            let (put, delete): (Vec<_>, Vec<_>) = changed
                .iter()
                .partition(|id| store.collections.contains_key(id.as_str()));
            let record = RecordOut {
                seq: self.seq + 1,
                last_collection_number: store.last_collection_number,
                add_seq: store.add_seq,
                put: put
                    .iter()
                    .filter_map(|id| store.collections.get(*id))
                    .collect(),
                delete: delete.iter().map(|id| id.as_str()).collect(),
            };
            let mut line = serde_json::to_vec(&record)?;
            line.push(b'\n');
            (line, generation, changed)
        };
        if let Err(error) = self.journal.write_all(&line) {
            // Cut a partial line off, and keep the changes marked for the next attempt.
            let _ = self.journal.set_len(self.journal_bytes);
            lock(store).mark_changed(changed);
            return Err(error).with_context(|| {
                format!("cannot append to {}", journal_path(&self.path).display())
            });
        }
        self.seq += 1;
        self.journal_bytes += line.len() as u64;
        if self.journal_bytes >= self.compact_at {
            return self.compact(store);
        }
        Ok(generation)
    }

    /// Writes the whole store as the snapshot (temporary file, then rename) and empties the
    /// journal; returns the store generation it covers.
    fn compact(&mut self, store: &Mutex<Store>) -> anyhow::Result<u64> {
        let (bytes, generation) = {
            let mut store = lock(store);
            // Everything is in the snapshot: pending marks need no journal record.
            let _ = store.take_changed();
            let snapshot = SnapshotOut {
                format: FORMAT,
                version: VERSION,
                journal_seq: self.seq,
                last_collection_number: store.last_collection_number,
                add_seq: store.add_seq,
                collections: &store.collections,
            };
            (serde_json::to_vec_pretty(&snapshot)?, store.generation())
        };
        let tmp = folder(&self.path).join(format!(
            ".{}.{}.tmp",
            file_name(&self.path),
            std::process::id()
        ));
        std::fs::write(&tmp, &bytes).with_context(|| {
            format!(
                "cannot write the state file's temporary copy {} (is the folder writable?)",
                tmp.display()
            )
        })?;
        if let Err(e) = std::fs::rename(&tmp, &self.path) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e).with_context(|| format!("cannot replace {}", self.path.display()));
        }
        self.journal
            .set_len(0)
            .with_context(|| format!("cannot empty {}", journal_path(&self.path).display()))?;
        self.journal_bytes = 0;
        self.compact_at = (2 * bytes.len() as u64).max(MIN_COMPACT_BYTES);
        Ok(generation)
    }
}
