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

const NEWS: [&str; 3] = [
    "data/news-train.csv",
    "data/news-dev.csv",
    "data/news-test.csv",
];

/// Rows of a corpus file as maps from column name to value.
fn rows(file: &str) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(repo(file)).unwrap();
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The news corpus: splits by article, no duplicate sentence anywhere in
/// `data/`, the four labels only, the sizes the datasheet promises, and the
/// model-assisted enrichment rounds in the training split only.
#[test]
fn news_corpus_invariants() {
    let mut texts: HashSet<String> = HashSet::new();
    for file in ["data/stance-train.csv", "data/stance-test.csv"] {
        texts.extend(
            read_labeled_csv(&repo(file))
                .unwrap()
                .examples
                .into_iter()
                .map(|e| e.text),
        );
    }
    let mut split_of: HashMap<String, &str> = HashMap::new();
    let mut wire_rows = 0;
    let mut wire_docs = HashSet::new();
    let mut whole_docs = HashSet::new();
    let mut plain = 0;
    let mut wh_rows = 0;
    let mut wh_docs = HashSet::new();
    let mut relabeled = 0;
    let relabel: HashSet<String> = ["relabel", "relabel2"]
        .iter()
        .flat_map(|f| rows(&format!("data/labeling/news/labels/{f}.labels.csv")))
        .map(|r| r["cid"].clone())
        .collect();
    for file in NEWS {
        let data = read_labeled_csv(&repo(file)).unwrap();
        assert!(data.rejected.is_empty(), "{file}: {:?}", data.rejected);
        let split = file
            .trim_start_matches("data/news-")
            .trim_end_matches(".csv");
        let (mut test_whole, mut test_whole_rows) = (HashSet::new(), 0);
        for r in rows(file) {
            assert!(texts.insert(r["text"].clone()), "duplicate: {}", r["text"]);
            assert!(
                r["label"].parse::<Label>().is_ok(),
                "{file}: {}",
                r["label"]
            );
            let doc = r["doc"].clone();
            assert!(
                doc.starts_with("wire2016-") || doc.starts_with("wh-"),
                "{file}: doc {doc}"
            );
            assert!(
                r["id"].starts_with(&format!("{doc}#")),
                "{file}: {}",
                r["id"]
            );
            let prev = *split_of.entry(doc.clone()).or_insert(split);
            assert_eq!(prev, split, "article {doc} in two splits");
            let sel = r["selection"].as_str();
            if sel.contains("-enrich") {
                assert_eq!(split, "train", "{file}: enrichment row {}", r["id"]);
            }
            if doc.starts_with("wire2016-") {
                wire_rows += 1;
                wire_docs.insert(doc.clone());
            } else {
                wh_rows += 1;
                wh_docs.insert(doc.clone());
            }
            if sel == "wire-whole" {
                whole_docs.insert(doc.clone());
                if split == "test" {
                    test_whole.insert(doc.clone());
                    test_whole_rows += 1;
                }
            }
            plain += (sel == "wire-plain") as usize;
            relabeled += relabel.contains(&r["id"]) as usize;
        }
        if split == "test" {
            assert!(
                test_whole.len() >= 80,
                "test whole articles {}",
                test_whole.len()
            );
            assert!(
                test_whole_rows >= 1500,
                "test whole-article rows {test_whole_rows}"
            );
        }
    }
    assert!(
        wire_rows >= 6000 && wire_docs.len() >= 400,
        "{wire_rows} {}",
        wire_docs.len()
    );
    assert!(
        whole_docs.len() >= 250,
        "whole articles {}",
        whole_docs.len()
    );
    assert!(plain >= 1500, "ordinary-news rows {plain}");
    assert!(
        wh_rows >= 2000 && wh_docs.len() >= 150,
        "{wh_rows} {}",
        wh_docs.len()
    );
    assert!(
        relabeled >= 600,
        "second-labeled rows in the corpus {relabeled}"
    );
}

#[test]
fn demo_article_is_not_in_the_corpus() {
    let article = std::fs::read_to_string(repo("examples/seed-article.txt")).unwrap();
    let mut corpus = String::new();
    for file in ["data/stance-train.csv", "data/stance-test.csv"]
        .into_iter()
        .chain(NEWS)
    {
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

/// Training and scoring share one path to features
/// (`FittedTfidf::for_each_feature`: cached token ids, n-grams looked up
/// without building strings). It must give exactly the vector of the
/// analyzer's terms written as strings (`Analyzer::terms`) looked up in the
/// vocabulary. Checked on every sentence of the corpus and the demo article.
#[test]
fn features_equal_the_analyzers_terms_looked_up() {
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
        let v = model.vectorizer();
        let mut ids: Vec<u32> = (model.analyzer().terms(t).iter())
            .filter_map(|term| v.index_of(term))
            .collect();
        let reference = v.weigh(&mut ids);
        assert_eq!(fast.len(), reference.len(), "{t}");
        for (a, b) in fast.iter().zip(&reference) {
            assert_eq!(a.0, b.0, "{t}");
            assert!((a.1 - b.1).abs() < 1e-6, "{t}");
        }
    }
}
