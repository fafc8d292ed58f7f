//! Output as analysts use it (#12): CSV headers only after the inputs are
//! checked, collection records' own line numbers, directory scans with
//! `--glob` / `--exclude`, one naming scheme for label columns, and
//! progress within large documents. Every test runs the real binary.

mod common;

use std::path::Path;

use common::stance;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An input error leaves stdout empty: no CSV header before the inputs are
/// checked (a missing file, a collection without its text column).
#[test]
fn no_csv_header_before_an_input_error() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("missing.csv");
    let r = stance(&["score", s(&missing), "-f", "csv", "-q"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("missing.csv"), "{}", r.stderr);
    assert_eq!(r.stdout, "", "header printed before the error");

    let nocol = d.path().join("nocol.csv");
    std::fs::write(&nocol, "body\nThe talks ended.\n").unwrap();
    let r = stance(&["score", s(&nocol), "-f", "csv", "-q"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("nocol.csv"), "{}", r.stderr);
    assert_eq!(r.stdout, "");

    // A good input still gets its header first.
    let ok = d.path().join("ok.txt");
    std::fs::write(&ok, "Both sides called for restraint.\n").unwrap();
    let out = stance(&["score", s(&ok), "-f", "csv", "-q"]).ok();
    assert!(out.starts_with("doc,"), "{out}");
    assert_eq!(out.lines().count(), 2, "{out}");
}
