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

/// Collection records: `line` is the line of the input file where the
/// record starts; `field_line` the sentence's line inside its text field
/// (0 for the title). Text files keep `line` and have no `field_line`.
#[test]
fn collection_records_carry_their_line_in_the_file() {
    let d = tempfile::tempdir().unwrap();
    let csv = d.path().join("c.csv");
    // Header on line 1; record "a" on lines 2-4 (a quoted field with line
    // breaks); record "b" on line 5.
    std::fs::write(
        &csv,
        "id,title,text\n\
         a,Talks resume,\"Both sides called for restraint.\n\nThe army warned of retaliation.\"\n\
         b,,Ministers met in Geneva.\n",
    )
    .unwrap();
    let recs = common::jsonl(&stance(&["score", s(&csv), "-f", "jsonl", "-q"]).ok());
    let got: Vec<(&str, u64, u64)> = recs
        .iter()
        .map(|r| {
            (
                r["doc"].as_str().unwrap(),
                r["line"].as_u64().unwrap(),
                r["field_line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("a", 2, 0), ("a", 2, 1), ("a", 2, 3), ("b", 5, 1)],
        "{recs:?}"
    );
    // The same in CSV output.
    let out = stance(&["score", s(&csv), "-f", "csv", "-q"]).ok();
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let rows: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[col("line")].to_string(), r[col("field_line")].to_string())
        })
        .collect();
    assert_eq!(rows[2], ("2".into(), "3".into()));
    assert_eq!(rows[3], ("5".into(), "1".into()));

    // JSONL: a blank line and a record per line.
    let jl = d.path().join("c.jsonl");
    std::fs::write(
        &jl,
        "{\"id\":\"x\",\"text\":\"Both sides called for restraint.\"}\n\n{\"id\":\"y\",\"text\":\"Ministers met.\\nThe army warned of retaliation.\"}\n",
    )
    .unwrap();
    let recs = common::jsonl(&stance(&["score", s(&jl), "-f", "jsonl", "-q"]).ok());
    let got: Vec<(u64, u64)> = recs
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["field_line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [(1, 1), (3, 1), (3, 2)], "{recs:?}");

    // A text file: `line` as before, `field_line` null.
    let txt = d.path().join("t.txt");
    std::fs::write(&txt, "Ministers met.\n\nThe army warned of retaliation.\n").unwrap();
    let recs = common::jsonl(&stance(&["score", s(&txt), "-f", "jsonl", "-q"]).ok());
    assert_eq!(recs[1]["line"], 3);
    assert!(recs[1]["field_line"].is_null());
}

/// `--glob` / `--exclude` choose the files of a scanned directory by their
/// path relative to it; files left out are counted by reason in one warning,
/// the first few named.
#[test]
fn directory_scans_take_glob_and_exclude() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("corpus");
    for (rel, text) in [
        (
            "a.html",
            "<html><body><article><p>Both sides called for restraint in the talks.</p></article></body></html>",
        ),
        (
            "2024/b.html",
            "<html><body><article><p>The army warned of retaliation after the strike.</p></article></body></html>",
        ),
        (
            "drafts/c.html",
            "<html><body><article><p>Ministers met in Geneva for talks.</p></article></body></html>",
        ),
        ("notes.txt", "Ministers met in Geneva.\n"),
        ("logo.png", "not an image"),
    ] {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let r = stance(&[
        "score",
        s(&root),
        "-f",
        "jsonl",
        "-q",
        "--glob",
        "*.html",
        "--exclude",
        "drafts/**",
    ]);
    let err = r.stderr.clone();
    let docs: std::collections::BTreeSet<String> = common::jsonl(&r.ok())
        .iter()
        .map(|r| r["doc"].as_str().unwrap().to_string())
        .collect();
    let want: std::collections::BTreeSet<String> = ["2024/b.html", "a.html"]
        .iter()
        .map(|f| root.join(f).display().to_string())
        .collect();
    assert_eq!(docs, want);
    assert!(
        err.contains(&format!(
            "{}: 3 files skipped: 1 matched by --exclude (drafts/c.html); 1 not matched by --glob (notes.txt); 1 of a type stance does not read (logo.png)",
            root.display()
        )),
        "{err}"
    );

    // Without patterns every input file is read; the rest is still counted.
    let r = stance(&["score", s(&root), "-f", "jsonl", "-q"]);
    let err = r.stderr.clone();
    assert_eq!(common::jsonl(&r.ok()).len(), 4);
    assert!(
        err.contains("1 file skipped: 1 of a type stance does not read (logo.png)"),
        "{err}"
    );

    // Nothing left: the error says why.
    let e = stance(&["score", s(&root), "--glob", "*.md"]).err();
    assert!(
        e.contains("directory holds no file to read: 5 files skipped: 4 not matched by --glob"),
        "{e}"
    );
    // A bad pattern is named.
    let e = stance(&["score", s(&root), "--exclude", "a[b"]).err();
    assert!(e.contains("--exclude \"a[b\": invalid pattern"), "{e}");
}
