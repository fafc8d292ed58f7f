//! Training again on `data/` with the command the README gives reproduces
//! the shipped model: every prediction and probability on both test splits,
//! and the card (checksums, rows, vocabulary size, hyperparameters,
//! held-out figures, training files, calibration).

mod common;

use common::{jsonl, repo, stance, stance_stdin};

/// `stance train` arguments that rebuild the shipped model (less `-o`);
/// the README shows the same command.
const TRAIN_COMMAND: &[&str] = &[
    "train",
    "data/stance-train.csv",
    "data/news-train.csv",
    "--class-weight",
    "balanced",
    "--balance-power",
    "0.5",
    "--features",
    "30000",
    "--prior-from",
    "data/news-train.csv",
    "--prior-power",
    "0.25",
    "--calibrate",
    "data/news-dev.csv",
    "--test",
    "data/news-test.csv",
    "--test",
    "data/stance-test.csv",
];

#[test]
fn retraining_reproduces_the_shipped_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("retrained.model");
    // The command the README gives for rebuilding models/stance-default.model.
    let mut args: Vec<&str> = TRAIN_COMMAND.to_vec();
    args.extend(["-o", model.to_str().unwrap()]);
    let out = stance(&args).ok();
    assert!(out.contains("rows used"), "{out}");
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let shown = format!("stance {}", TRAIN_COMMAND.join(" "));
    assert!(
        readme.replace(" \\\n    ", " ").contains(&shown),
        "README does not show the training command: {shown}"
    );

    // Score every test sentence, speech and news, with both models.
    let mut sentences: Vec<String> = Vec::new();
    for file in ["data/stance-test.csv", "data/news-test.csv"] {
        let text = std::fs::read_to_string(repo(file)).unwrap();
        sentences.extend(
            csv::Reader::from_reader(text.as_bytes())
                .records()
                .map(|r| r.unwrap()[1].to_string()),
        );
    }
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

    // The same card.
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
    assert_eq!(a["held_out"], b["held_out"]);
    assert_eq!(a["training_files"], b["training_files"]);
    assert_eq!(a["calibration"], b["calibration"]);
    assert!(
        a["calibration"]["rows"].as_u64() > Some(2000),
        "{}",
        a["calibration"]
    );
}
