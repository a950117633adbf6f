//! Embeds `vectors/` and `specs/` in the binary, so a `cargo install`ed or copied binary carries
//! its corpus (see `src/bundled.rs`). The folders stay the source of truth: cargo reruns this
//! script whenever a file under them changes.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut code = String::from("&[\n");
    for folder in ["vectors", "specs"] {
        println!("cargo:rerun-if-changed={folder}");
        let mut files = Vec::new();
        collect(&root.join(folder), &mut files);
        files.sort();
        for file in files {
            let relative = file.strip_prefix(&root).expect("under the root");
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            writeln!(
                code,
                "    ({relative:?}, include_bytes!({:?}).as_slice()),",
                file.display().to_string()
            )
            .expect("writing to a string");
        }
    }
    code.push_str("]\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("bundled_files.rs"), code).expect("OUT_DIR is writable");
}

/// Regular files under `dir`, not following symlinked folders (no cycles).
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect(&entry.path(), files);
        } else if kind.is_file() {
            files.push(entry.path());
        }
    }
}
