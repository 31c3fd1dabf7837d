//! Fingerprint the SQL migrations so test harnesses can name a template database after them
//! (a changed migration gets a fresh template instead of a stale one).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

fn visit(dir: &Path, hasher: &mut DefaultHasher) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            visit(&p, hasher);
        } else if let Ok(bytes) = std::fs::read(&p) {
            p.file_name().hash(hasher);
            bytes.hash(hasher);
        }
    }
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut hasher = DefaultHasher::new();
    visit(&dir, &mut hasher);
    println!(
        "cargo:rustc-env=CHORUS_MIGRATIONS_HASH={:016x}",
        hasher.finish()
    );
}
