//! Scorer micro-benchmarks with the embedded model: TF-IDF features and
//! prediction of held-out sentences, whole-document scoring of the seed
//! article, and model loading.
//!
//! cargo bench --bench scorer

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stance::input::Document;
use stance::model::{EMBEDDED_MODEL, StanceModel};
use stance::score::{Segmentation, score_document};

fn scorer(c: &mut Criterion) {
    let model = StanceModel::embedded().expect("embedded model");
    let sentences = common::test_sentences();

    let mut g = c.benchmark_group("scorer");
    g.throughput(Throughput::Elements(sentences.len() as u64));
    g.bench_function("features (held-out sentences)", |b| {
        b.iter(|| {
            sentences
                .iter()
                .map(|s| model.features(black_box(s)).len())
                .sum::<usize>()
        })
    });
    g.bench_function("predict (held-out sentences)", |b| {
        b.iter(|| {
            sentences
                .iter()
                .map(|s| model.predict(black_box(s)).label as usize)
                .sum::<usize>()
        })
    });
    g.finish();

    let article = common::seed_article();
    let mut g = c.benchmark_group("score_document");
    g.throughput(Throughput::Bytes(article.len() as u64));
    g.bench_function("seed-article (split + predict)", |b| {
        b.iter(|| {
            let doc = Document {
                id: "seed".into(),
                title: None,
                source: None,
                date: None,
                text: article.clone(),
                ..Document::default()
            };
            score_document(&model, black_box(doc), Segmentation::Split)
                .sentences
                .len()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("model");
    g.throughput(Throughput::Bytes(EMBEDDED_MODEL.len() as u64));
    g.sample_size(20);
    g.bench_function("load embedded (parse + check)", |b| {
        b.iter(|| StanceModel::from_bytes(black_box(EMBEDDED_MODEL)).expect("valid"))
    });
    g.bench_function("load + first prediction (builds term index)", |b| {
        b.iter(|| {
            let m = StanceModel::from_bytes(black_box(EMBEDDED_MODEL)).expect("valid");
            m.predict("Talks resumed in Geneva.").label
        })
    });
    g.finish();
}

criterion_group!(benches, scorer);
criterion_main!(benches);
