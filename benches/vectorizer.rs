//! TF-IDF vectorizer micro-benchmarks: fit on the training sentences and
//! transform of analysed held-out sentences with the embedded model's
//! vocabulary.
//!
//! cargo bench --bench vectorizer

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stance::analysis::{Analyzer, AnalyzerConfig};
use stance::features::TfidfParams;
use stance::model::StanceModel;

fn vectorizer(c: &mut Criterion) {
    let model = StanceModel::embedded().expect("embedded model");
    let analyzer = Analyzer::new(model.analyzer().config().clone());
    let test: Vec<Vec<String>> = common::test_sentences()
        .iter()
        .map(|s| analyzer.terms(s))
        .collect();
    let train: Vec<Vec<String>> = common::train_sentences()
        .iter()
        .map(|s| Analyzer::new(AnalyzerConfig::default()).terms(s))
        .collect();

    let mut g = c.benchmark_group("vectorizer");
    g.throughput(Throughput::Elements(test.len() as u64));
    g.bench_function("transform (embedded vocabulary)", |b| {
        let v = model.vectorizer();
        b.iter(|| {
            test.iter()
                .map(|d| v.transform(d.iter().map(String::as_str)).len())
                .sum::<usize>()
        })
    });
    g.throughput(Throughput::Elements(train.len() as u64));
    g.sample_size(20);
    g.bench_function("fit (stance-train.csv, min_df 2)", |b| {
        let params = TfidfParams::default().check().expect("defaults are valid");
        b.iter(|| params.fit(black_box(&train)).len())
    });
    g.bench_function("fit+transform (stance-train.csv)", |b| {
        let params = TfidfParams::default().check().expect("defaults are valid");
        b.iter(|| {
            let f = params.fit(black_box(&train));
            train
                .iter()
                .map(|d| f.transform(d.iter().map(String::as_str)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, vectorizer);
criterion_main!(benches);
