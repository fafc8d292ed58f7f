//! Invariants of the labeled corpus in `data/`.

mod common;

use std::collections::{HashMap, HashSet};

use common::repo;
use stance::Label;
use stance::analysis::{SegmentKind, split_document};
use stance::data::read_labeled_csv;

#[test]
fn corpus_loads_without_rejections_and_meets_its_targets() {
    let mut counts: HashMap<Label, usize> = HashMap::new();
    let mut texts = HashSet::new();
    let mut per_doc: HashMap<String, usize> = HashMap::new();
    let mut docs_by_split: Vec<HashSet<String>> = Vec::new();
    let mut random = 0;
    let mut total = 0;
    for file in ["data/stance-train.csv", "data/stance-test.csv"] {
        let data = read_labeled_csv(&repo(file)).unwrap();
        assert!(data.rejected.is_empty(), "{file}: {:?}", data.rejected);
        for e in &data.examples {
            *counts.entry(e.label).or_default() += 1;
            assert!(texts.insert(e.text.clone()), "duplicate: {}", e.text);
        }
        let mut docs = HashSet::new();
        for rec in csv::Reader::from_path(repo(file)).unwrap().records() {
            let rec = rec.unwrap();
            *per_doc.entry(rec[4].to_string()).or_default() += 1;
            docs.insert(rec[4].to_string());
            random += (&rec[6] == "random") as usize;
            total += 1;
        }
        docs_by_split.push(docs);
    }
    assert!(total >= 5000, "{total}");
    for l in [
        Label::Deterrence,
        Label::EscalationWarning,
        Label::Diplomacy,
    ] {
        assert!(counts[&l] >= 700, "{l}: {}", counts[&l]);
    }
    assert!(counts[&Label::Neutral] >= 2000);
    assert!(per_doc.values().all(|&n| n <= 40));
    assert!(4 * random >= total, "random share {random}/{total}");
    assert!(
        docs_by_split[0].is_disjoint(&docs_by_split[1]),
        "train and test share documents"
    );
}

#[test]
fn demo_article_is_not_in_the_corpus() {
    let article = std::fs::read_to_string(repo("examples/seed-article.txt")).unwrap();
    let mut corpus = String::new();
    for file in ["data/stance-train.csv", "data/stance-test.csv"] {
        corpus.push_str(&std::fs::read_to_string(repo(file)).unwrap());
    }
    let sentences: Vec<_> = split_document(&article)
        .into_iter()
        .filter(|s| s.kind == SegmentKind::Sentence && s.text.len() > 30)
        .collect();
    assert!(sentences.len() > 20);
    for s in sentences {
        assert!(
            !corpus.contains(&s.text),
            "demo sentence in corpus: {}",
            s.text
        );
    }
}

/// Scoring uses a fast path (`StanceModel::features`: cached token ids,
/// n-grams looked up without building strings). It must give exactly the
/// vector that training's path gives: `Analyzer::terms` looked up in the
/// vectorizer. Checked on every sentence of the corpus and the demo article.
#[test]
fn scoring_features_equal_training_features() {
    let model = stance::model::StanceModel::embedded().unwrap();
    let mut texts: Vec<String> = Vec::new();
    for file in ["data/stance-train.csv", "data/stance-test.csv"] {
        let data = read_labeled_csv(&repo(file)).unwrap();
        texts.extend(data.examples.into_iter().map(|e| e.text));
    }
    let article = std::fs::read_to_string(repo("examples/seed-article.txt")).unwrap();
    texts.extend(split_document(&article).into_iter().map(|s| s.text));
    texts.push("Ünïcödé — “quoted” 3.5% cease-fire de-escalation Russia’s U.S.-led NATO's".into());
    for t in &texts {
        let fast = model.features(t);
        let terms = model.analyzer().terms(t);
        let reference = model
            .vectorizer()
            .transform(terms.iter().map(String::as_str));
        assert_eq!(fast.len(), reference.len(), "{t}");
        for (a, b) in fast.iter().zip(&reference) {
            assert_eq!(a.0, b.0, "{t}");
            assert!((a.1 - b.1).abs() < 1e-6, "{t}");
        }
    }
}
