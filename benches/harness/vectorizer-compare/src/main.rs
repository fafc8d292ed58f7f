//! stance's TF-IDF vectorizer against linfa-preprocessing's
//! `TfIdfVectorizer`, on the same analysed training sentences.
//!
//! Both get the stance analyzer's stemmed tokens of each sentence of
//! `data/stance-train.csv`, joined by single spaces, and build unigrams and
//! bigrams with min_df 2, max_df 0.95 and a 50,000-term cap. Printed: one
//! JSON object with fit and transform times, vocabulary sizes and overlap.
//!
//!   cargo run --release -- ../../../data/stance-train.csv

use std::collections::HashSet;
use std::time::Instant;

use linfa_preprocessing::Tokenizer;
use linfa_preprocessing::tf_idf_vectorization::TfIdfVectorizer;
use ndarray::Array1;
use stance::analysis::{Analyzer, AnalyzerConfig};
use stance::features::{SparseVec, TfidfParams};

/// Repetitions of each timed step; the median is reported.
const REPEAT: usize = 5;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time<R>(mut f: impl FnMut() -> R) -> (f64, R) {
    let mut times = Vec::new();
    let mut out = None;
    for _ in 0..REPEAT {
        let t = Instant::now();
        let r = f();
        times.push(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (median(times), out.expect("REPEAT > 0"))
}

fn split_space(s: &str) -> Vec<&str> {
    s.split(' ').filter(|t| !t.is_empty()).collect()
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "data/stance-train.csv".to_string());
    let data = stance::data::read_labeled_csv(path.as_ref()).expect("readable labeled CSV");
    let analyzer = Analyzer::new(AnalyzerConfig::default());
    let joined: Vec<String> = data
        .examples
        .iter()
        .map(|e| analyzer.tokens(&e.text).join(" "))
        .collect();
    let n = joined.len();
    let tokens: usize = joined.iter().map(|s| split_space(s).len()).sum();

    // ---- stance: fit (n-gram strings + document frequencies + idf) ----
    let params = TfidfParams::default().check().expect("default params");
    // The space-joined stems, re-read without stemming: the same tokens
    // linfa-preprocessing gets.
    let plain = Analyzer::new(AnalyzerConfig {
        stem: false,
        max_ngram: 2,
    });
    let (stance_fit_s, fitted) = time(|| params.fit(plain, &joined));
    // ---- stance: per-sentence sparse transform (sublinear tf, idf, L2) ----
    let (stance_transform_s, rows) = time(|| {
        joined
            .iter()
            .map(|s| fitted.transform(s))
            .collect::<Vec<SparseVec>>()
    });
    let stance_nnz: usize = rows.iter().map(Vec::len).sum();

    // ---- linfa-preprocessing ----
    let docs: Array1<String> = Array1::from(joined.clone());
    let linfa = TfIdfVectorizer::default()
        .convert_to_lowercase(false)
        .normalize(false) // NFKD unicode normalisation, not L2
        .tokenizer(Tokenizer::Function(split_space))
        .n_gram_range(1, 2)
        // Relative frequencies: (2.5 / n) * n truncates to an absolute 2.
        .document_frequency(2.5 / n as f32, 0.95)
        .max_features(Some(50_000));
    let (linfa_fit_s, lfitted) = time(|| linfa.fit(&docs).expect("linfa fit"));
    let (linfa_transform_batch_s, lmat) =
        time(|| lfitted.transform(&docs).expect("linfa transform"));
    // One sentence at a time, as a scorer sees them (a 1-row matrix each).
    let (linfa_transform_single_s, lnnz_single) = time(|| {
        joined
            .iter()
            .map(|s| {
                let one = Array1::from(vec![s.clone()]);
                lfitted.transform(&one).expect("linfa transform").nnz()
            })
            .sum::<usize>()
    });

    let sv: HashSet<&str> = fitted.terms().iter().map(String::as_str).collect();
    let lv: HashSet<&str> = lfitted.vocabulary().iter().map(String::as_str).collect();
    let common = sv.intersection(&lv).count();

    // Does linfa's idf depend on the batch? Transform one training sentence
    // alone and inside the whole training set and compare its values.
    let probe = joined
        .iter()
        .position(|s| split_space(s).len() > 5)
        .unwrap_or(0);
    let alone = lfitted
        .transform(&Array1::from(vec![joined[probe].clone()]))
        .expect("linfa transform");
    let alone_vals: Vec<f64> = alone.data().to_vec();
    let in_batch: Vec<f64> = lmat.outer_view(probe).expect("row exists").data().to_vec();
    let idf_depends_on_batch = alone_vals != in_batch;

    let out = serde_json::json!({
        "train_file": path,
        "sentences": n,
        "tokens": tokens,
        "stance": {
            "fit_s": stance_fit_s,
            "transform_per_sentence_s": stance_transform_s,
            "transform_sentences_per_s": n as f64 / stance_transform_s,
            "vocabulary": fitted.len(),
            "nnz": stance_nnz,
        },
        "linfa": {
            "fit_s": linfa_fit_s,
            "transform_batch_s": linfa_transform_batch_s,
            "transform_per_sentence_s": linfa_transform_single_s,
            "transform_sentences_per_s": n as f64 / linfa_transform_single_s,
            "vocabulary": lfitted.nentries(),
            "nnz": lmat.nnz(),
            "nnz_per_sentence_transform": lnnz_single,
            "idf_depends_on_batch": idf_depends_on_batch,
        },
        "vocabulary_common": common,
        "repeat": REPEAT,
    });
    println!("{out}");
}
