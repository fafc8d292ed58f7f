//! Training again on `data/` with the default settings reproduces the
//! shipped model's predictions exactly.

mod common;

use common::{jsonl, repo, stance, stance_stdin};

#[test]
fn retraining_reproduces_the_shipped_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("retrained.model");
    // The command the README gives for rebuilding models/stance-default.model.
    let out = stance(&[
        "train",
        "data/stance-train.csv",
        "--test",
        "data/stance-test.csv",
        "-o",
        model.to_str().unwrap(),
    ])
    .ok();
    assert!(out.contains("rows used"), "{out}");

    // Score every test sentence with both models.
    let text = std::fs::read_to_string(repo("data/stance-test.csv")).unwrap();
    let sentences: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    let input = sentences.join("\n");
    let score = |extra: &[&str]| {
        let mut args = vec!["score", "--sentences", "-", "--format", "jsonl", "-q"];
        args.extend_from_slice(extra);
        jsonl(&stance_stdin(&args, Some(input.as_bytes())).ok())
    };
    let shipped = score(&[]);
    let retrained = score(&["--model", model.to_str().unwrap()]);
    assert_eq!(shipped.len(), sentences.len());
    assert_eq!(shipped.len(), retrained.len());
    for (a, b) in shipped.iter().zip(&retrained) {
        assert_eq!(a["label"], b["label"], "{}", a["text"]);
        assert_eq!(a["probs"], b["probs"], "{}", a["text"]);
    }

    // Same vocabulary, weights and training-data checksum in the card.
    let card = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["inspect", "--json"];
        args.extend_from_slice(extra);
        serde_json::from_str(&stance(&args).ok()).unwrap()
    };
    let (a, b) = (card(&[]), card(&["--model", model.to_str().unwrap()]));
    for k in [
        "training_sha256",
        "training_rows_per_label",
        "vocabulary_size",
        "hyperparameters",
    ] {
        assert_eq!(a[k], b[k], "{k}");
    }
    assert_eq!(
        a["held_out"]["metrics"]["macro_f1"],
        b["held_out"]["metrics"]["macro_f1"]
    );
}
