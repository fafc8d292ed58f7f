//! Real text shared by the criterion benches: the held-out labeled
//! sentences (`data/stance-test.csv`) and the seed news article
//! (`examples/seed-article.txt`, with its web-page boilerplate).

#![allow(dead_code)]

use std::path::Path;

/// The sentences of `data/stance-test.csv`.
pub fn test_sentences() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/stance-test.csv");
    let data = stance::data::read_labeled_csv(&path).expect("data/stance-test.csv");
    data.examples.into_iter().map(|e| e.text).collect()
}

/// The sentences of `data/stance-train.csv`.
pub fn train_sentences() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/stance-train.csv");
    let data = stance::data::read_labeled_csv(&path).expect("data/stance-train.csv");
    data.examples.into_iter().map(|e| e.text).collect()
}

/// The seed news article, as scraped (boilerplate included).
pub fn seed_article() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed-article.txt");
    std::fs::read_to_string(path).expect("examples/seed-article.txt")
}

/// Total bytes of a set of texts.
pub fn bytes(texts: &[String]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}
