//! Analyzer micro-benchmarks: sentence splitting and term extraction
//! (tokenize, stem, n-grams) on real text.
//!
//! cargo bench --bench analyzer

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stance::analysis::{Analyzer, AnalyzerConfig, split_document, tokenize};

fn split(c: &mut Criterion) {
    let article = common::seed_article();
    // The held-out sentences as one long speech-like document.
    let speech = common::test_sentences().join(" ");
    let mut g = c.benchmark_group("split_document");
    g.throughput(Throughput::Bytes(article.len() as u64));
    g.bench_function("seed-article", |b| {
        b.iter(|| split_document(black_box(&article)))
    });
    g.throughput(Throughput::Bytes(speech.len() as u64));
    g.bench_function("test-set-as-one-document", |b| {
        b.iter(|| split_document(black_box(&speech)))
    });
    g.finish();
}

fn terms(c: &mut Criterion) {
    let sentences = common::test_sentences();
    let analyzer = Analyzer::new(AnalyzerConfig::default());
    let mut g = c.benchmark_group("analyzer");
    g.throughput(Throughput::Elements(sentences.len() as u64));
    g.bench_function("tokenize (no stemming)", |b| {
        let mut buf = String::new();
        b.iter(|| {
            let mut n = 0usize;
            for s in &sentences {
                tokenize(black_box(s), &mut buf, |t| n += t.len());
            }
            n
        })
    });
    g.bench_function("for_each_token (stemmed)", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for s in &sentences {
                analyzer.for_each_token(black_box(s), |t| n += t.stem.len());
            }
            n
        })
    });
    g.bench_function("for_each_term (uni+bigrams)", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for s in &sentences {
                analyzer.for_each_term(black_box(s), |t| n += t.len());
            }
            n
        })
    });
    g.bench_function("terms (collected Strings)", |b| {
        b.iter(|| {
            sentences
                .iter()
                .map(|s| analyzer.terms(black_box(s)).len())
                .sum::<usize>()
        })
    });
    g.finish();

    let article = common::seed_article();
    let mut g = c.benchmark_group("split_and_terms");
    g.throughput(Throughput::Bytes(article.len() as u64));
    g.bench_function("seed-article", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for seg in split_document(black_box(&article)) {
                analyzer.for_each_term(&seg.text, |t| n += t.len());
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, split, terms);
criterion_main!(benches);
