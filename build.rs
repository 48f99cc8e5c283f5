//! Embeds every locale under `locales/<language>/*.ftl`, so adding a
//! language to the binary is adding its folder.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=locales");
    // sqlx::migrate! reads the migrations when the crate compiles: a new
    // migration must rebuild it even when no source file changed.
    println!("cargo:rerun-if-changed=migrations");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut files = Vec::new();
    if let Ok(languages) = std::fs::read_dir(&root) {
        for language in languages.flatten() {
            println!("cargo:rerun-if-changed={}", language.path().display());
            let Ok(entries) = std::fs::read_dir(language.path()) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "ftl") {
                    files.push((
                        language.file_name().to_string_lossy().into_owned(),
                        entry.file_name().to_string_lossy().into_owned(),
                        path,
                    ));
                }
            }
        }
    }
    files.sort();
    let mut out = String::from("&[\n");
    for (language, name, path) in files {
        let _ = writeln!(
            out,
            "    ({language:?}, {name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push(']');
    let target = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("locales.rs");
    if let Err(e) = std::fs::write(&target, out) {
        panic!("cannot write {}: {e}", target.display());
    }
}
