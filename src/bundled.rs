//! The kit's own `vectors/` and `specs/`, wherever the binary runs.
//!
//! The folders in the source tree are the source of truth and are used when they exist (a
//! checkout, or the library as a dependency). A binary installed or copied elsewhere carries a
//! copy embedded at build time (`build.rs`) and unpacks it once into a folder under the system's
//! temporary directory, named after the content, so the loader reads files as always.

use std::path::{Path, PathBuf};

/// `(path relative to the crate root, contents)` of every bundled file.
const FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/bundled_files.rs"));

/// The folder holding `vectors/` and `specs/`: the source tree if present, else the unpacked
/// embedded copy.
pub fn root() -> std::io::Result<PathBuf> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    if source.join("vectors").is_dir() && source.join("specs").is_dir() {
        return Ok(source.to_path_buf());
    }
    unpack(&std::env::temp_dir())
}

/// Unpacks the embedded files under `parent` (once per distinct content) and returns the root.
pub fn unpack(parent: &Path) -> std::io::Result<PathBuf> {
    let root = parent.join(format!(
        "collections-conformance-{}-{:016x}",
        env!("CARGO_PKG_VERSION"),
        fingerprint()
    ));
    let complete = root.join(".complete");
    if complete.is_file() {
        return Ok(root);
    }
    // Unpack beside the final folder and rename, so a concurrent run never sees half a corpus.
    let staging = parent.join(format!(
        ".collections-conformance-{}-{}",
        std::process::id(),
        fingerprint()
    ));
    for (relative, contents) in FILES {
        let path = staging.join(relative);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        std::fs::write(&path, contents)?;
    }
    std::fs::write(staging.join(".complete"), b"")?;
    match std::fs::rename(&staging, &root) {
        Ok(()) => Ok(root),
        // Another run unpacked the same content first.
        Err(_) if complete.is_file() => {
            let _ = std::fs::remove_dir_all(&staging);
            Ok(root)
        }
        Err(e) => Err(e),
    }
}

/// The number of bundled files (for tests and `--version`-like output).
pub fn file_count() -> usize {
    FILES.len()
}

/// FNV-1a over names and contents: a stable name for this corpus.
fn fingerprint() -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, contents) in FILES {
        for byte in name.bytes().chain(contents.iter().copied()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}
