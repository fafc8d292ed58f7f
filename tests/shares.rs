//! Calibrated probabilities and corrected shares, measured on held-out
//! news with the shipped model: the figures the README quotes, checked so
//! that a regression shows.

mod common;

use common::{jsonl, stance};

const LABELS: [&str; 4] = ["deterrence", "escalation-warning", "diplomacy", "neutral"];

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stance(args).ok()).unwrap()
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// On the whole articles of the news test split: escalation probabilities
/// are calibrated (ECE ≤ 0.03, better than raw), and on a fixed, seeded set
/// of 20-article collections (random, mostly neutral, escalation-heavy)
/// the corrected escalation share is within 0.02 of the truth on average
/// and its 95 % interval holds the truth in at least 90 % of them.
#[test]
fn corrected_escalation_shares_are_accurate_and_cover_the_truth() {
    let e = json(&[
        "eval",
        "data/news-test.csv",
        "--where",
        "selection=wire-whole",
        "--shares",
        "100",
        "--seed",
        "7",
        "--format",
        "json",
    ]);
    let esc = |q: &str| f(&e["calibration"][q]["per_label"]["escalation-warning"]["ece"]);
    assert!(esc("calibrated") <= 0.03, "{}", e["calibration"]);
    assert!(esc("calibrated") < esc("raw"), "{}", e["calibration"]);
    let study = &e["share_study"];
    assert_eq!(study["collection_size"], 20);
    assert_eq!(study["documents"], 85);
    for kind in ["random", "mostly-neutral", "escalation-heavy"] {
        let k = &study["kinds"][kind];
        assert_eq!(k["collections"], 100, "{kind}");
        let mae = f(&k["corrected_mae"]["escalation-warning"]);
        let coverage = f(&k["coverage"]["escalation-warning"]);
        assert!(mae <= 0.02, "{kind}: corrected escalation MAE {mae}");
        assert!(coverage >= 0.90, "{kind}: coverage {coverage}");
        for l in LABELS {
            let c = f(&k["coverage"][l]);
            assert!((0.0..=1.0).contains(&c), "{kind} {l}: {c}");
        }
    }
    // The same draws give the same figures.
    let again = json(&[
        "eval",
        "data/news-test.csv",
        "--where",
        "selection=wire-whole",
        "--shares",
        "100",
        "--seed",
        "7",
        "--format",
        "json",
    ]);
    assert_eq!(again["share_study"], e["share_study"]);
    // The text form prints the table.
    let text = stance(&[
        "eval",
        "data/news-test.csv",
        "--where",
        "selection=wire-whole",
        "--shares",
        "10",
    ])
    .ok();
    assert!(
        text.contains("collections of 20 documents drawn from 85"),
        "{text}"
    );
    assert!(
        text.contains("mostly-neutral (10)") && text.contains("cal. ECE"),
        "{text}"
    );
    // Collections need whole documents with a doc column.
    let err = stance(&["eval", "examples/seed-article.labels.csv", "--shares", "10"]).err();
    assert!(err.contains("--shares"), "{err}");
}

/// Every report format carries the corrected shares of all four labels
/// beside the counted ratio, with intervals around them, and names the
/// method.
#[test]
fn report_formats_carry_corrected_shares() {
    let r = json(&[
        "report",
        "examples/collection.csv",
        "--by",
        "source",
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(r["share_method"], "pacc");
    for row in r["rows"].as_array().unwrap() {
        let mut sum = 0.0;
        for l in ["escalation", "deterrence", "diplomacy", "neutral"] {
            let (s, lo, hi) = (
                f(&row[format!("{l}_share")]),
                f(&row[format!("{l}_share_low")]),
                f(&row[format!("{l}_share_high")]),
            );
            assert!(0.0 <= lo && lo <= s && s <= hi && hi <= 1.0, "{l}: {row}");
            sum += s;
        }
        assert!((sum - 1.0).abs() < 1e-9, "{row}");
        assert!(row["escalation_ratio"].is_number(), "{row}");
    }
    let csv_text = stance(&[
        "report",
        "examples/collection.csv",
        "--by",
        "source",
        "--format",
        "csv",
        "-q",
    ])
    .ok();
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    for col in [
        "escalation_ratio",
        "escalation_share",
        "escalation_share_low",
        "escalation_share_high",
        "diplomacy_share_high",
        "neutral_share",
        "share_method",
    ] {
        assert!(header.iter().any(|h| h == col), "{col} missing: {header:?}");
    }
    let i = header.iter().position(|h| h == "escalation_share").unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), r["rows"].as_array().unwrap().len());
    for (rec, row) in rows.iter().zip(r["rows"].as_array().unwrap()) {
        let v: f64 = rec[i].parse().unwrap();
        assert!((v - f(&row["escalation_share"])).abs() < 1e-6);
    }
    let table = stance(&["report", "examples/collection.csv", "--by", "source", "-q"]).ok();
    assert!(
        table.contains("esc share (95%)")
            && table.contains("dip share (95%)")
            && table.contains("pacc"),
        "{table}"
    );
}

/// `probs` are calibrated; `--raw-probs` adds the classifier's own, and the
/// label is the classifier's decision (the highest raw probability).
#[test]
fn raw_probabilities_on_request() {
    let out = stance(&[
        "score",
        "examples/seed-article.txt",
        "--format",
        "jsonl",
        "--raw-probs",
        "-q",
    ])
    .ok();
    let recs = jsonl(&out);
    assert_eq!(recs.len(), 25);
    let mut differ = 0;
    for r in &recs {
        let (p, raw) = (&r["probs"], &r["raw_probs"]);
        let sum = |v: &serde_json::Value| LABELS.iter().map(|l| f(&v[*l])).sum::<f64>();
        assert!(
            (sum(p) - 1.0).abs() < 1e-3 && (sum(raw) - 1.0).abs() < 1e-3,
            "{r}"
        );
        let best = LABELS
            .iter()
            .max_by(|a, b| f(&raw[**a]).total_cmp(&f(&raw[**b])))
            .unwrap();
        assert_eq!(r["label"], *best, "{r}");
        differ += (p != raw) as usize;
    }
    assert!(differ > 20, "calibration changed {differ} of 25 sentences");
    let plain = jsonl(
        &stance(&[
            "score",
            "examples/seed-article.txt",
            "--format",
            "jsonl",
            "-q",
        ])
        .ok(),
    );
    assert!(plain[0].get("raw_probs").is_none());
    assert_eq!(plain[0]["probs"], recs[0]["probs"]);
    let csv_text = stance(&[
        "score",
        "examples/seed-article.txt",
        "--format",
        "csv",
        "--raw-probs",
        "-q",
    ])
    .ok();
    let first = csv_text.lines().next().unwrap();
    assert!(
        first.contains(",raw_probs_deterrence,raw_probs_escalation_warning,raw_probs_diplomacy,raw_probs_neutral"),
        "{first}"
    );
}

/// `stance calibrate` on the news dev split gives the shipped model back:
/// the same calibration in the card and the same probabilities; a file
/// with too few rows of a label is refused with the reason.
#[test]
fn calibrate_reproduces_the_shipped_calibration() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("recal.model");
    let o = out.to_str().unwrap();
    let text = stance(&["calibrate", "data/news-dev.csv", "-o", o]).ok();
    assert!(text.contains("2083 rows, 163 documents"), "{text}");
    let card = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["inspect", "--json"];
        args.extend_from_slice(extra);
        json(&args)
    };
    assert_eq!(card(&[])["calibration"], card(&["-m", o])["calibration"]);
    let score = |extra: &[&str]| {
        let mut args = vec!["score", "examples/seed-article.txt", "-f", "jsonl", "-q"];
        args.extend_from_slice(extra);
        stance(&args).ok()
    };
    assert_eq!(score(&[]), score(&["-m", o]));
    let err = stance(&["calibrate", "examples/seed-article.labels.csv", "-o", o]).err();
    assert!(
        err.contains("calibration needs at least 10 of each label"),
        "{err}"
    );
    let err = stance(&["calibrate", "data/news-dev.csv", "-o", "data/news-dev.csv"]).err();
    assert!(err.contains("news-dev.csv"), "{err}");
}

/// The "done when": `stance report --by month` on a dated news
/// collection (the 85 test articles labeled whole, reassembled in
/// examples/news-collection.csv) prints corrected escalation shares whose
/// intervals hold the true monthly share (from the labels in
/// data/news-test.csv), and that are closer to it than counting is.
#[test]
fn monthly_corrected_shares_on_held_out_news_hold_the_truth() {
    let r = json(&[
        "report",
        "examples/news-collection.csv",
        "--by",
        "month",
        "--format",
        "json",
        "-q",
    ]);
    let mut truth: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
    let mut rdr = csv::Reader::from_path(common::repo("data/news-test.csv")).unwrap();
    for rec in rdr.deserialize::<std::collections::HashMap<String, String>>() {
        let rec = rec.unwrap();
        if rec["selection"] == "wire-whole" {
            let e = truth.entry(rec["date"][..7].to_string()).or_default();
            e.0 += (rec["label"] == "escalation-warning") as u8 as f64;
            e.1 += 1.0;
        }
    }
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), truth.len());
    let (mut covered, mut corrected_err, mut counted_err) = (0, 0.0, 0.0);
    for row in rows {
        let (k, n) = truth[row["key"]["month"].as_str().unwrap()];
        let t = k / n;
        let (lo, hi) = (
            f(&row["escalation_share_low"]),
            f(&row["escalation_share_high"]),
        );
        covered += (lo <= t && t <= hi) as usize;
        corrected_err += (f(&row["escalation_share"]) - t).abs();
        counted_err += (f(&row["escalation_ratio"]) - t).abs();
    }
    assert_eq!(covered, rows.len(), "intervals holding the true share");
    assert!(
        corrected_err < counted_err,
        "{corrected_err} vs {counted_err}"
    );
}
