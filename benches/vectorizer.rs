//! TF-IDF vectorizer micro-benchmarks: fit on the training sentences and
//! transform of held-out sentences (analysis included: the vectorizer owns
//! the analyzer) with the embedded model's vocabulary.
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
    let test = common::test_sentences();
    let train = common::train_sentences();

    let mut g = c.benchmark_group("vectorizer");
    g.throughput(Throughput::Elements(test.len() as u64));
    g.bench_function("transform (embedded vocabulary)", |b| {
        let v = model.vectorizer();
        b.iter(|| {
            test.iter()
                .map(|s| v.transform(black_box(s)).len())
                .sum::<usize>()
        })
    });
    g.throughput(Throughput::Elements(train.len() as u64));
    g.sample_size(20);
    g.bench_function("fit (stance-train.csv, min_df 2)", |b| {
        let params = TfidfParams::default().check().expect("defaults are valid");
        b.iter(|| {
            params
                .fit(Analyzer::new(AnalyzerConfig::default()), black_box(&train))
                .len()
        })
    });
    g.bench_function("fit+transform (stance-train.csv)", |b| {
        let params = TfidfParams::default().check().expect("defaults are valid");
        b.iter(|| {
            let f = params.fit(Analyzer::new(AnalyzerConfig::default()), black_box(&train));
            train.iter().map(|s| f.transform(s).len()).sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, vectorizer);
criterion_main!(benches);
