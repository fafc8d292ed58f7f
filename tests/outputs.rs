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

/// Every field of a JSON value, as dotted paths (`probs.escalation-warning`).
fn paths(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                paths(v, &p, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

/// The CSV column of a JSON path: `.` and `-` written `_`.
fn flat(path: &str) -> String {
    path.replace(['.', '-'], "_")
}

fn header(csv_text: &str) -> Vec<String> {
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    rdr.headers().unwrap().iter().map(String::from).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// One naming scheme: every CSV column is its JSON field's path with `.`
/// and `-` written `_`, in score and report output alike; `top_terms` is a
/// score CSV column only with `--explain`.
#[test]
fn csv_columns_are_json_paths_flattened() {
    let doc = "examples/seed-article.txt";
    for extra in [&[][..], &["--raw-probs", "--explain"][..]] {
        let json = common::jsonl(
            &stance(&[&["score", doc, "-f", "jsonl", "-q"][..], extra].concat()).ok(),
        );
        let mut want = Vec::new();
        paths(&json[0], "", &mut want);
        // top_terms is a list in JSON, one text cell in CSV.
        let want: Vec<String> = want
            .iter()
            .map(|p| flat(p.split(".[").next().unwrap()))
            .collect();
        let got = header(&stance(&[&["score", doc, "-f", "csv", "-q"][..], extra].concat()).ok());
        assert_eq!(sorted(got.clone()), sorted(want), "{extra:?}");
        assert_eq!(got.contains(&"top_terms".to_string()), !extra.is_empty());
        assert!(got.contains(&"probs_escalation_warning".to_string()));
    }

    let report = |f: &str| {
        stance(&[
            "report",
            "examples/collection.csv",
            "--by",
            "source",
            "-f",
            f,
            "-q",
        ])
        .ok()
    };
    let json: serde_json::Value = serde_json::from_str(&report("json")).unwrap();
    let mut want = Vec::new();
    paths(&json["rows"][0], "", &mut want);
    // The group key is named by its grouping; share_method is per report
    // in JSON and per row in CSV.
    let mut want: Vec<String> = want
        .iter()
        .map(|p| flat(p.strip_prefix("key.").unwrap_or(p)))
        .collect();
    want.push("share_method".into());
    let got = header(&report("csv"));
    assert_eq!(sorted(got.clone()), sorted(want));
    for c in [
        "counts_escalation_warning",
        "shares_escalation_warning",
        "escalation_share_low",
    ] {
        assert!(got.contains(&c.to_string()), "{c}: {got:?}");
    }
}

/// Progress advances within one large document: the pipeline reports
/// every `PROGRESS_EVERY` sentences as they are scored, not once per
/// document (the binary shows it only at a terminal, so this runs the
/// library's pipeline on a real file).
#[test]
fn progress_counts_within_a_large_document() {
    use std::sync::Mutex;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("big.txt");
    let sentences = 2 * stance::score::PROGRESS_EVERY + 100;
    let text: String = (0..sentences)
        .map(|i| format!("Talks in round {i} were held in Geneva. "))
        .collect();
    std::fs::write(&p, text).unwrap();
    let model = stance::model::StanceModel::embedded().unwrap();
    let calls = Mutex::new(Vec::new());
    let summary = stance::pipeline::score_inputs_with_progress::<_, stance::input::InputError>(
        &stance::pipeline::ScoreInputs::new(vec![p]),
        &model,
        &mut |_| {},
        &|n| calls.lock().unwrap().push(n),
        |doc| doc.sentences.len(),
        |_| Ok(()),
    )
    .unwrap();
    assert_eq!(summary.documents, 1);
    assert_eq!(summary.sentences, sentences);
    let calls = calls.into_inner().unwrap();
    let every = stance::score::PROGRESS_EVERY;
    assert_eq!(calls, [every, every, 100]);
}

/// Reading, scoring and writing overlap (a reader thread feeds batches to
/// the scoring threads): the output does not depend on how many threads
/// score, for documents, collections (one of 5,000 records: two batches)
/// and one sentence per line (9,000 lines: two parts).
#[test]
fn output_is_the_same_with_one_thread_or_several() {
    let d = tempfile::tempdir().unwrap();
    let lines = d.path().join("lines.txt");
    let sentences: Vec<String> = (0..9000)
        .map(|i| format!("Talks resumed in round {i}; the risk of war grew."))
        .collect();
    std::fs::write(&lines, sentences.join("\n")).unwrap();
    let many = d.path().join("many.csv");
    let mut csv = String::from("id,text\n");
    for (i, t) in sentences.iter().take(5000).enumerate() {
        csv.push_str(&format!("d{i},\"{t} Both sides called for restraint.\"\n"));
    }
    std::fs::write(&many, csv).unwrap();
    let run = |threads: &str, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_stance"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    for args in [
        &["score", "examples/news-collection.csv", "-f", "jsonl", "-q"][..],
        &["score", "examples", "-f", "csv", "-q"][..],
        &["score", "--sentences", s(&lines), "-f", "jsonl", "-q"][..],
        &["score", s(&many), "-f", "jsonl", "-q"][..],
        &[
            "report",
            "examples/news-collection.csv",
            "--by",
            "source,month",
            "-f",
            "json",
            "-q",
        ][..],
    ] {
        let one = run("1", args);
        assert!(!one.is_empty());
        assert_eq!(one, run("3", args), "{args:?}");
    }
}

/// The shipped model's outputs for the examples, byte for byte (see
/// `tests/data/golden/README.md`): score (JSONL with explanations and raw
/// probabilities, CSV) and report (JSON with top sentences, CSV).
#[test]
fn outputs_are_unchanged() {
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "score",
                "examples/seed-article.txt",
                "-f",
                "jsonl",
                "-q",
                "--explain",
                "--raw-probs",
            ],
            "seed-article.jsonl",
        ),
        (
            &[
                "report",
                "examples/news-collection.csv",
                "--by",
                "source,month",
                "--top",
                "2",
                "-f",
                "json",
                "-q",
            ],
            "news-collection.report.json",
        ),
        (
            &[
                "score",
                "examples/collection.csv",
                "-f",
                "csv",
                "-q",
                "--explain",
            ],
            "collection.scored.csv",
        ),
        (
            &[
                "report",
                "examples/collection.csv",
                "-f",
                "csv",
                "-q",
                "--by",
                "year",
            ],
            "collection.report.csv",
        ),
    ];
    for (args, file) in cases {
        let expected =
            std::fs::read_to_string(common::repo("tests/data/golden").join(file)).unwrap();
        let got = stance(args).ok();
        if got != expected {
            let line = got
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .map_or(got.lines().count().min(expected.lines().count()), |i| i);
            panic!(
                "{file}: output differs from line {}:\n  got:      {:?}\n  expected: {:?}",
                line + 1,
                got.lines().nth(line),
                expected.lines().nth(line)
            );
        }
    }
}
