//! End-to-end runs of the `stance` binary on real files.

mod common;

use common::{jsonl, repo, score_jsonl, score_sentences, stance, stance_stdin, training_rows};

const LABELS: [&str; 4] = ["deterrence", "escalation-warning", "diplomacy", "neutral"];

#[test]
fn score_seed_article_jsonl_leaves_boilerplate_out() {
    let recs = jsonl(
        &stance(&[
            "score",
            "examples/seed-article.txt",
            "--format",
            "jsonl",
            "--raw-probs",
            "-q",
        ])
        .ok(),
    );
    assert_eq!(recs.len(), 25, "sentences of the seed article");
    let texts: Vec<&str> = recs.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts[0],
        "Geopolitical Tensions Between NATO, Russia, and Kaliningrad Amid U.S. and European Clarifications"
    );
    assert!(texts[1].starts_with("Analysts monitoring"));
    assert!(texts[1].ends_with("focal point."));
    for t in &texts {
        for b in [
            "Previous Article",
            "Next Article",
            "Leave a Comment",
            "Write a Comment",
            "Australia Publishes",
            "Reescritura",
        ] {
            assert!(!t.contains(b), "boilerplate scored: {t}");
        }
    }
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["doc"], "examples/seed-article.txt");
        assert_eq!(r["sentence"], i);
        let label = r["label"].as_str().unwrap();
        assert!(LABELS.contains(&label));
        let probs = r["probs"].as_object().unwrap();
        assert_eq!(probs.len(), 4);
        let sum: f64 = probs.values().map(|v| v.as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-3, "{sum}");
        // The label is the classifier's decision, its most probable raw
        // label (`probs` are calibrated: see tests/shares.rs).
        let raw = r["raw_probs"].as_object().unwrap();
        let best = LABELS
            .iter()
            .max_by(|a, b| raw[**a].as_f64().partial_cmp(&raw[**b].as_f64()).unwrap())
            .unwrap();
        assert_eq!(*best, label);
    }
}

#[test]
fn score_table_and_csv_are_consistent() {
    let table = stance(&["score", "examples/seed-article.txt"]).ok();
    assert!(
        table
            .contains("== examples/seed-article.txt  (25 sentences, 6 boilerplate lines left out)")
    );
    let csv_out = stance(&[
        "score",
        "examples/seed-article.txt",
        "--format",
        "csv",
        "--quiet",
    ])
    .ok();
    let mut rdr = csv::Reader::from_reader(csv_out.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 25);
    let json = score_jsonl("examples/seed-article.txt");
    for (row, rec) in rows.iter().zip(&json) {
        assert_eq!(&row[col("label")], rec["label"].as_str().unwrap());
        assert_eq!(&row[col("text")], rec["text"].as_str().unwrap());
    }
}

#[test]
fn sentences_mode_from_stdin() {
    let input = "Foreign ministers agreed to resume talks in Geneva next week.\n\n\
                 Pyongyang threatened a pre-emptive nuclear strike if the drills go ahead.\n";
    let recs = score_sentences(input);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["doc"], "-");
    assert_eq!(recs[1]["line"], 3);
    assert_eq!(recs[0]["label"], "diplomacy");
    assert_eq!(recs[1]["label"], "escalation-warning");
}

#[test]
fn score_directory_recursively() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::copy(
        repo("examples/seed-article.txt"),
        dir.path().join("sub/a.txt"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.md"),
        "Both sides called for restraint and a return to dialogue.",
    )
    .unwrap();
    std::fs::write(dir.path().join("ignored.bin"), [0u8, 1, 2]).unwrap();
    let out = stance(&[
        "score",
        dir.path().to_str().unwrap(),
        "--format",
        "jsonl",
        "-q",
    ])
    .ok();
    let recs = jsonl(&out);
    assert_eq!(recs.len(), 26);
    assert!(recs[0]["doc"].as_str().unwrap().ends_with("b.md"));
    assert!(recs[1]["doc"].as_str().unwrap().ends_with("sub/a.txt"));
}

/// Every held-out set in the shipped model's card is reproduced by `stance
/// eval` on the same file: the figures in the card are real.
#[test]
fn eval_reproduces_the_model_card() {
    let card: serde_json::Value =
        serde_json::from_str(&stance(&["inspect", "--json"]).ok()).unwrap();
    let held_out = card["held_out"].as_array().unwrap();
    let files: Vec<&str> = held_out
        .iter()
        .map(|h| {
            h["method"]
                .as_str()
                .unwrap()
                .trim_start_matches("held-out file ")
        })
        .collect();
    assert!(files.contains(&"data/news-test.csv"), "{files:?}");
    assert!(files.contains(&"data/stance-test.csv"), "{files:?}");
    for (h, file) in held_out.iter().zip(&files) {
        let out = stance(&["eval", file, "--format", "json"]).ok();
        let m: serde_json::Value = serde_json::from_str(&out).unwrap();
        for k in [
            "accuracy",
            "macro_f1",
            "per_class",
            "confusion",
            "shares",
            "documents",
        ] {
            assert!(m.get(k).is_some(), "{file}: missing key {k}");
        }
        let held = &h["metrics"];
        assert!(
            (m["macro_f1"].as_f64().unwrap() - held["macro_f1"].as_f64().unwrap()).abs() < 1e-9,
            "{file}"
        );
        assert_eq!(m["confusion"], held["confusion"], "{file}");
        // Calibration figures (ECE, Brier, reliability) too.
        assert!(
            h["calibration"].is_object(),
            "{file}: no calibration figures"
        );
        assert_eq!(m["calibration"], h["calibration"], "{file}");
        let n: u64 = m["confusion"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r.as_array().unwrap())
            .map(|v| v.as_u64().unwrap())
            .sum();
        let rows = csv::Reader::from_path(repo(file))
            .unwrap()
            .records()
            .count() as u64;
        assert_eq!(n, rows, "{file}");
    }
    let text = stance(&["eval", "data/news-test.csv"]).ok();
    assert!(
        text.contains("macro-F1") && text.contains("confusion") && text.contains("per document")
    );
    // --where keeps the matching rows only: the whole articles.
    let whole = stance(&[
        "eval",
        "data/news-test.csv",
        "--where",
        "selection=wire-whole",
        "--format",
        "json",
    ])
    .ok();
    let w: serde_json::Value = serde_json::from_str(&whole).unwrap();
    assert_eq!(w["documents"]["documents"], 85);
    let err = stance(&["eval", "data/news-test.csv", "--where", "nosuchcolumn=x"]).err();
    assert!(err.contains("nosuchcolumn"), "{err}");
    let err = stance(&["eval", "data/news-test.csv", "--where", "selection=nothing"]).err();
    assert!(err.contains("no row has selection = \"nothing\""), "{err}");
}

#[test]
fn report_per_document() {
    let out = stance(&[
        "report",
        "examples/seed-article.txt",
        "--format",
        "json",
        "-q",
    ])
    .ok();
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = &r["rows"][0];
    assert_eq!(row["sentences"], 25);
    assert_eq!(row["boilerplate"], 6);
    let scored = score_jsonl("examples/seed-article.txt");
    for l in LABELS {
        let n = scored.iter().filter(|s| s["label"] == l).count();
        assert_eq!(row["counts"][l], n, "{l}");
    }
    let esc = scored
        .iter()
        .filter(|s| s["label"] == "escalation-warning")
        .count();
    assert!((row["escalation_ratio"].as_f64().unwrap() - esc as f64 / 25.0).abs() < 1e-12);
    let table = stance(&["report", "examples/seed-article.txt", "-q"]).ok();
    assert!(table.contains("examples/seed-article.txt"));
}

#[test]
fn explain_and_inspect() {
    let out = stance(&[
        "explain",
        "Moscow warned that the deployment could lead to a direct military clash with the alliance.",
    ])
    .ok();
    assert!(out.starts_with("label  escalation-warning"), "{out}");
    assert!(out.contains("terms toward escalation-warning"));
    let out = stance(&["inspect"]).ok();
    assert!(out.contains("held-out") && out.contains("strongest terms for deterrence"));
}

#[test]
fn help_has_examples() {
    for cmd in ["train", "score", "eval", "report", "explain", "inspect"] {
        let out = stance(&[cmd, "--help"]).ok();
        assert!(out.contains("Example"), "{cmd} --help has no example");
    }
}

#[test]
fn label_variants_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let csv_text = training_rows(400)
        .replace(",escalation-warning", ",Escalation_Warning")
        .replace(",neutral", ",NEUTRAL")
        .replace(",diplomacy", ",diplomacy ");
    let p = dir.path().join("variants.csv");
    std::fs::write(&p, csv_text).unwrap();
    let model = dir.path().join("m.model");
    let out = stance(&[
        "train",
        p.to_str().unwrap(),
        "-o",
        model.to_str().unwrap(),
        "--holdout",
        "0",
    ])
    .ok();
    assert!(out.contains("rows used        400  (rejected: 0)"), "{out}");
    assert!(model.exists());
}

#[test]
fn report_by_source_and_month_from_a_collection() {
    let out = stance(&[
        "report",
        "examples/collection.csv",
        "--by",
        "month,source",
        "--format",
        "csv",
        "-q",
    ])
    .ok();
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let header = rdr.headers().unwrap().clone();
    assert_eq!(&header[0], "month");
    assert_eq!(&header[1], "source");
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    // Every row's key columns hold a month then a source, in that order.
    let collection = csv::Reader::from_path(repo("examples/collection.csv"))
        .unwrap()
        .into_deserialize::<std::collections::HashMap<String, String>>()
        .map(Result::unwrap)
        .collect::<Vec<_>>();
    let mut expected: Vec<(String, String)> = collection
        .iter()
        .map(|r| (r["date"][..7].to_string(), r["source"].clone()))
        .collect();
    expected.sort();
    expected.dedup();
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    assert_eq!(got, expected);
    let docs: usize = rows.iter().map(|r| r[2].parse::<usize>().unwrap()).sum();
    assert_eq!(docs, collection.len());
    // Sentences add up to what `score` gives on the same input.
    let sentences: usize = rows.iter().map(|r| r[3].parse::<usize>().unwrap()).sum();
    let scored = score_jsonl("examples/collection.csv");
    assert_eq!(sentences, scored.len());
}

#[test]
fn sentences_without_known_terms_fall_back_to_the_prior() {
    for r in score_sentences("OK.\nZzyzx.\n") {
        assert_eq!(r["label"], "neutral", "{r}");
        assert!(r["probs"]["neutral"].as_f64().unwrap() > 0.5, "{r}");
    }
}

#[test]
fn long_sentence_files_stream_in_parts_with_continuous_numbering() {
    // 20,000 lines: three parts of up to 8,192 lines, one document.
    let mut input = String::new();
    for i in 0..20_000 {
        if i % 1000 == 7 {
            input.push('\n'); // blank lines are skipped but counted as lines
        } else if i % 2 == 0 {
            input.push_str("Both sides called for restraint and a return to dialogue.\n");
        } else {
            input.push_str("Moscow warned the deployment could lead to a direct clash.\n");
        }
    }
    let recs = score_sentences(&input);
    assert_eq!(recs.len(), 20_000 - 20);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["sentence"], i);
    }
    // Line numbers are the input's, across part boundaries.
    let last = recs.last().unwrap();
    assert_eq!(last["line"], 20_000);
    let lines: Vec<u64> = recs.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]));
    assert!(!lines.contains(&8)); // the first blank line
    // The report sees one document.
    let rep: serde_json::Value = serde_json::from_str(
        &stance_stdin(
            &["report", "--sentences", "-", "--format", "json", "-q"],
            Some(input.as_bytes()),
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(rep["rows"].as_array().unwrap().len(), 1);
    assert_eq!(rep["rows"][0]["documents"], 1);
    assert_eq!(rep["rows"][0]["sentences"], 20_000 - 20);
}

/// Several training CSVs: rows reported per file and stored in the card,
/// each `--test` file evaluated; the prior correction moves predicted
/// shares toward the `--prior-from` distribution; bad settings are refused
/// before any work.
#[test]
fn train_on_several_files_with_prior_correction() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    let rows = training_rows(600);
    let mut lines = rows.lines();
    let header = lines.next().unwrap();
    let body: Vec<&str> = lines.collect();
    std::fs::write(&a, format!("{header}\n{}\n", body[..300].join("\n"))).unwrap();
    std::fs::write(&b, format!("{header}\n{}\n", body[300..].join("\n"))).unwrap();
    // The news training split: mostly neutral, the prior to correct toward.
    let prior = repo("data/news-train.csv");
    let train = |extra: &[&str], out: &std::path::Path| {
        let mut args = vec![
            "train",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--test",
            "data/news-dev.csv",
            "--features",
            "2000",
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        stance(&args).ok()
    };
    let plain = dir.path().join("plain.model");
    let shifted = dir.path().join("shifted.model");
    let out = train(&["--class-weight", "none"], &plain);
    assert!(out.contains("a.csv  (300 rows, 0 rejected)"), "{out}");
    assert!(out.contains("b.csv  (300 rows, 0 rejected)"), "{out}");
    assert!(out.contains("rows used        600"), "{out}");
    train(
        &[
            "--class-weight",
            "none",
            "--prior-from",
            prior.to_str().unwrap(),
        ],
        &shifted,
    );
    let card = |m: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&stance(&["inspect", "--json", "-m", m.to_str().unwrap()]).ok())
            .unwrap()
    };
    let (cp, cs) = (card(&plain), card(&shifted));
    assert_eq!(cp["training_files"].as_array().unwrap().len(), 2);
    assert_eq!(cp["held_out"].as_array().unwrap().len(), 1);
    let neutral_share = |c: &serde_json::Value| {
        c["held_out"][0]["metrics"]["shares"]["neutral"]["predicted"]
            .as_f64()
            .unwrap()
    };
    // The speech rows are about half neutral, the news prior 83 %: the
    // corrected model calls more of the news dev split neutral.
    assert!(
        neutral_share(&cs) > neutral_share(&cp) + 0.05,
        "{} vs {}",
        neutral_share(&cs),
        neutral_share(&cp)
    );
    let p = cs["hyperparameters"]["target_prior"].as_array().unwrap();
    assert!(p[3].as_f64().unwrap() > 0.8, "{p:?}");

    let err = stance(&["train", a.to_str().unwrap(), "--balance-power", "2"]).err();
    assert!(
        err.contains("balance-power") && err.contains("[0, 1]"),
        "{err}"
    );
    let err = stance(&["train", a.to_str().unwrap(), "--prior-power", "0.5"]).err();
    assert!(err.contains("--prior-from"), "{err}");
    let err = stance(&["train", a.to_str().unwrap(), "missing.csv"]).err();
    assert!(err.contains("missing.csv"), "{err}");
}

/// Scraped feeds carry HTML character references in titles (the 2016 wire
/// file has 1,800 of them): they are decoded before splitting and scoring.
#[test]
fn html_character_references_in_collections_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("feed.jsonl");
    std::fs::write(
        &p,
        "{\"id\":\"a\",\"title\":\"Japan military on alert over North Korea&#039;s planned rocket launch &#8211; Reuters\",\"text\":\"AT&amp;T said so.\"}\n",
    )
    .unwrap();
    let recs = score_jsonl(p.to_str().unwrap());
    assert_eq!(
        recs[0]["text"],
        "Japan military on alert over North Korea's planned rocket launch – Reuters"
    );
    assert_eq!(recs[1]["text"], "AT&T said so.");
}

/// `report -o` says what it wrote, and the file holds the report.
#[test]
fn report_to_a_file_says_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("by-source.csv");
    let run = stance(&[
        "report",
        "examples/collection.csv",
        "--by",
        "source",
        "--format",
        "csv",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let err = run.stderr;
    assert!(
        err.contains("wrote") && err.contains("by-source.csv") && err.contains("8 groups"),
        "{err}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 9, "{text}");
}
