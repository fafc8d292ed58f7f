//! TF-IDF features: the vectorizer that turns a sentence into a sparse,
//! L2-normalised vector.
//!
//! [`TfidfParams`] are validated once with [`TfidfParams::check`];
//! [`ValidTfidfParams::fit`] learns a [`FittedTfidf`] from training
//! sentences. The fitted vectorizer owns its [`Analyzer`] and the vocabulary
//! indexed by word ids, and [`FittedTfidf::for_each_feature`] is the one
//! path from a sentence to its features: tokens and stems from the
//! analyzer, n-grams from the [`NGrams`] stage, feature ids from the index.
//! Fitting counts n-grams through the same stages, and training rows,
//! scoring and explanations all go through that one call.
//!
//! ```
//! use stance::analysis::{Analyzer, AnalyzerConfig};
//! use stance::features::TfidfParams;
//!
//! let texts = ["Talks resumed.", "Talks failed."];
//! let params = TfidfParams::default().min_df(1).max_df(1.0).check().unwrap();
//! let fitted = params.fit(Analyzer::new(AnalyzerConfig::default()), &texts);
//! assert_eq!(fitted.terms(), ["fail", "resum", "talk", "talk fail", "talk resum"]);
//! let x = fitted.transform("The talks failed again.");
//! assert_eq!(x.len(), 3); // "talk", "fail", "talk fail"; "again" is not in the vocabulary
//! ```

mod index;

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::analysis::{Analyzer, AnalyzerConfig, FxHashMap, MAX_NGRAM, NGrams};
use index::{NONE, TermIndex};

/// A sparse feature vector: `(feature index, value)` pairs sorted by index.
pub type SparseVec = Vec<(u32, f32)>;

/// Largest idf a vectorizer may hold. A fitted idf is `1 + ln((1 + n) /
/// (1 + df))`, under 30 for any training set that fits in memory; larger
/// values only come from a damaged or hand-made model file.
pub const MAX_IDF: f32 = 1e3;

/// TF-IDF settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TfidfParams {
    /// Keep terms that occur in at least this many training sentences.
    pub min_df: usize,
    /// Drop terms that occur in more than this fraction of training sentences.
    pub max_df: f64,
    /// Keep at most this many terms (the most frequent ones).
    pub max_features: Option<usize>,
    /// Use `1 + ln(tf)` instead of the raw count.
    pub sublinear_tf: bool,
    /// Scale every vector to unit Euclidean length.
    pub l2_norm: bool,
}

impl Default for TfidfParams {
    fn default() -> Self {
        TfidfParams {
            min_df: 2,
            max_df: 0.95,
            max_features: Some(50_000),
            sublinear_tf: true,
            l2_norm: true,
        }
    }
}

/// An invalid hyperparameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid parameter {name}: {problem}")]
pub struct ParamError {
    /// Parameter name as on the command line.
    pub name: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl TfidfParams {
    /// Sets `min_df`.
    pub fn min_df(mut self, v: usize) -> Self {
        self.min_df = v;
        self
    }
    /// Sets `max_df`.
    pub fn max_df(mut self, v: f64) -> Self {
        self.max_df = v;
        self
    }
    /// Sets `max_features`.
    pub fn max_features(mut self, v: Option<usize>) -> Self {
        self.max_features = v;
        self
    }
    /// Sets `sublinear_tf`.
    pub fn sublinear_tf(mut self, v: bool) -> Self {
        self.sublinear_tf = v;
        self
    }
    /// Sets `l2_norm`.
    pub fn l2_norm(mut self, v: bool) -> Self {
        self.l2_norm = v;
        self
    }

    /// Validates the settings.
    pub fn check(self) -> Result<ValidTfidfParams, ParamError> {
        if self.min_df == 0 {
            return Err(ParamError {
                name: "min-df",
                problem: "must be at least 1".into(),
            });
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(ParamError {
                name: "max-df",
                problem: format!("must be in (0, 1], got {}", self.max_df),
            });
        }
        if self.max_features == Some(0) {
            return Err(ParamError {
                name: "max-features",
                problem: "must be at least 1".into(),
            });
        }
        Ok(ValidTfidfParams(self))
    }
}

/// TF-IDF settings that passed [`TfidfParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTfidfParams(TfidfParams);

impl ValidTfidfParams {
    /// The validated settings.
    pub fn params(&self) -> &TfidfParams {
        &self.0
    }

    /// Learns the vocabulary and idf from training sentences, analysed by
    /// `analyzer` (which the fitted vectorizer keeps).
    ///
    /// Terms are counted as word ids (each sentence's n-grams once), so no
    /// n-gram is written out as a string until it is kept. Terms are
    /// ranked by document frequency (ties broken alphabetically) for the
    /// `max_features` cap, then indexed in alphabetical order, so the
    /// result depends only on the data.
    pub fn fit<S: AsRef<str>>(&self, analyzer: Analyzer, texts: &[S]) -> FittedTfidf {
        let p = &self.0;
        let n = texts.len();
        // Stems by word id, and document frequency (with the last sentence
        // counted) by n-gram of word ids, padded with NONE.
        let mut words: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut stems: Vec<Box<str>> = Vec::new();
        let mut df: FxHashMap<[u32; MAX_NGRAM], (usize, usize)> = FxHashMap::default();
        let mut grams = NGrams::new(analyzer.config().max_ngram);
        for (d, text) in texts.iter().enumerate() {
            grams.reset();
            analyzer.for_each_token(text.as_ref(), |t| {
                let w = match words.get(t.stem) {
                    Some(&w) => w,
                    None => {
                        let w = stems.len() as u32;
                        stems.push(t.stem.into());
                        words.insert(t.stem.into(), w);
                        w
                    }
                };
                grams.push(w, |g| {
                    let mut key = [NONE; MAX_NGRAM];
                    key[..g.len()].copy_from_slice(g);
                    let e = df.entry(key).or_insert((0, usize::MAX));
                    if e.1 != d {
                        *e = (e.0 + 1, d);
                    }
                });
            });
        }
        let max_df = (p.max_df * n as f64).floor() as usize;
        let mut kept: Vec<(String, usize)> = df
            .into_iter()
            .filter(|&(_, (c, _))| c >= p.min_df && c <= max_df.max(1))
            .map(|(key, (c, _))| {
                let mut term = String::new();
                for &w in key.iter().take_while(|&&w| w != NONE) {
                    if !term.is_empty() {
                        term.push(' ');
                    }
                    term.push_str(&stems[w as usize]);
                }
                (term, c)
            })
            .collect();
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if let Some(cap) = p.max_features {
            kept.truncate(cap);
        }
        kept.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let idf: Vec<f32> = kept
            .iter()
            .map(|&(_, c)| (((1 + n) as f64 / (1 + c) as f64).ln() + 1.0) as f32)
            .collect();
        let terms: Vec<String> = kept.into_iter().map(|(t, _)| t).collect();
        let parts = TfidfParts {
            params: p.clone(),
            terms,
            idf,
        };
        FittedTfidf::from_parts(analyzer.config().clone(), parts)
            .expect("fit builds consistent parts")
    }
}

/// A fitted vectorizer: the analyzer, the vocabulary (indexed by word ids),
/// the idf and the settings that shaped them.
#[derive(Debug, Clone)]
pub struct FittedTfidf {
    analyzer: Analyzer,
    params: TfidfParams,
    terms: Vec<String>,
    idf: Vec<f32>,
    index: TermIndex,
}

/// What a model file stores of a [`FittedTfidf`] (the analyzer's settings
/// are stored beside it, the index is rebuilt on load).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TfidfParts {
    /// The settings used at fit time.
    pub params: TfidfParams,
    /// The vocabulary: stems joined by single spaces, by feature index.
    pub terms: Vec<String>,
    /// The idf of each term.
    pub idf: Vec<f32>,
}

impl FittedTfidf {
    /// Builds a vectorizer from its saved parts, checking that they agree:
    /// as many idf values as terms, each positive and at most [`MAX_IDF`],
    /// every term 1 to `max_ngram` stems, no term twice.
    pub fn from_parts(analyzer: AnalyzerConfig, parts: TfidfParts) -> Result<FittedTfidf, String> {
        let TfidfParts { params, terms, idf } = parts;
        analyzer.check()?;
        if terms.len() != idf.len() {
            return Err(format!(
                "vocabulary has {} terms but {} idf values",
                terms.len(),
                idf.len()
            ));
        }
        if let Some(bad) = idf.iter().find(|v| !(**v > 0.0 && **v <= MAX_IDF)) {
            return Err(format!(
                "invalid idf value {bad} (idf must be positive and at most {MAX_IDF})"
            ));
        }
        let index = TermIndex::build(&terms, analyzer.max_ngram)?;
        Ok(FittedTfidf {
            analyzer: Analyzer::new(analyzer),
            params,
            terms,
            idf,
            index,
        })
    }

    /// The parts a model file stores.
    pub fn to_parts(&self) -> TfidfParts {
        TfidfParts {
            params: self.params.clone(),
            terms: self.terms.clone(),
            idf: self.idf.clone(),
        }
    }

    /// The analyzer that turns sentences into tokens for this vocabulary.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True if the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The settings used at fit time.
    pub fn params(&self) -> &TfidfParams {
        &self.params
    }

    /// The term of a feature index.
    ///
    /// # Panics
    ///
    /// If `i` is not below [`FittedTfidf::len`].
    pub fn term(&self, i: u32) -> &str {
        &self.terms[i as usize]
    }

    /// All terms, by feature index.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The idf of a feature index.
    ///
    /// # Panics
    ///
    /// If `i` is not below [`FittedTfidf::len`].
    pub fn idf(&self, i: u32) -> f32 {
        self.idf[i as usize]
    }

    /// The feature index of a term (stems joined by single spaces).
    pub fn index_of(&self, term: &str) -> Option<u32> {
        self.index.index_of(term)
    }

    /// Calls `f` with the feature index of every vocabulary term of
    /// `sentence`, in sentence order (with repeats), and the byte range of
    /// the words it was made of. This is the one path from text to
    /// features: the analyzer's tokens and stems, the n-gram stage, the
    /// word-id index.
    ///
    /// A per-thread cache maps each lower-cased token straight to its
    /// stem's word id, so a repeated word is neither stemmed nor looked up
    /// again.
    pub fn for_each_feature(&self, sentence: &str, mut f: impl FnMut(u32, Range<usize>)) {
        let index = &self.index;
        let mut grams: NGrams<(u32, usize, usize)> = NGrams::new(self.analyzer.config().max_ngram);
        self.for_each_word(sentence, |w, span| {
            // A word in no term is in no n-gram of the vocabulary: the
            // n-grams start again after it.
            if w == index::NONE {
                return grams.reset();
            }
            grams.push((w, span.start, span.end), |g| {
                if let Some(id) = index.lookup(g.iter().map(|t| t.0)) {
                    f(id, g[0].1..g[g.len() - 1].2);
                }
            })
        });
    }

    /// Appends the feature index of every vocabulary term of `sentence`
    /// (with repeats) to `ids`: the features of
    /// [`FittedTfidf::for_each_feature`], in the same order, on the hot
    /// path of scoring, where n-grams carry word ids only (no word ranges).
    pub fn feature_ids(&self, sentence: &str, ids: &mut Vec<u32>) {
        let index = &self.index;
        let mut grams: NGrams<u32> = NGrams::new(self.analyzer.config().max_ngram);
        self.for_each_word(sentence, |w, _| {
            if w == index::NONE {
                return grams.reset();
            }
            grams.push(w, |g| {
                if let Some(id) = index.lookup_words(g) {
                    ids.push(id);
                }
            })
        });
    }

    /// Calls `f` with the word id and byte range of every token of
    /// `sentence`, through the per-thread token cache (a repeated word is
    /// neither stemmed nor looked up again).
    #[inline]
    fn for_each_word(&self, sentence: &str, mut f: impl FnMut(u32, Range<usize>)) {
        let index = &self.index;
        let cached = index.with_token_cache(|words, buf| {
            crate::analysis::tokenize_spans(sentence, buf, |tok, span| {
                let w = words.word(tok, |t| self.analyzer.with_stem(t, |s| index.word(s)));
                f(w, span)
            })
        });
        if cached.is_none() {
            // The cache is in use by an outer call on this thread.
            self.analyzer
                .for_each_token(sentence, |t| f(index.word(t.stem), t.span));
        }
    }

    /// The TF-IDF vector of a sentence.
    pub fn transform(&self, sentence: &str) -> SparseVec {
        let mut ids = Vec::new();
        self.feature_ids(sentence, &mut ids);
        self.weigh(&mut ids)
    }

    /// Turns a list of feature indices (with repeats) into a TF-IDF vector.
    /// `ids` is used as scratch space.
    ///
    /// # Panics
    ///
    /// If an index is not below [`FittedTfidf::len`].
    pub fn weigh(&self, ids: &mut [u32]) -> SparseVec {
        ids.sort_unstable();
        let mut out: SparseVec = Vec::with_capacity(ids.len());
        let mut k = 0;
        while k < ids.len() {
            let id = ids[k];
            let mut count = 0;
            while k < ids.len() && ids[k] == id {
                count += 1;
                k += 1;
            }
            let tf = if self.params.sublinear_tf {
                1.0 + (count as f32).ln()
            } else {
                count as f32
            };
            out.push((id, tf * self.idf[id as usize]));
        }
        if self.params.l2_norm {
            let norm = out.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                for (_, v) in &mut out {
                    *v /= norm;
                }
            }
        }
        out
    }

    /// A vectorizer restricted to the features in `keep` (indices into
    /// this one), in the order given. Used after feature selection.
    ///
    /// # Panics
    ///
    /// If an index is not below [`FittedTfidf::len`] or appears twice.
    pub fn restrict(&self, keep: &[u32]) -> FittedTfidf {
        let parts = TfidfParts {
            params: self.params.clone(),
            terms: keep
                .iter()
                .map(|&i| self.terms[i as usize].clone())
                .collect(),
            idf: keep.iter().map(|&i| self.idf[i as usize]).collect(),
        };
        FittedTfidf::from_parts(self.analyzer.config().clone(), parts)
            .expect("a subset of a valid vocabulary is valid")
    }
}

/// Chi-square statistic of each feature against the class labels, computed
/// as scikit-learn's `chi2` does on non-negative features: observed per-class
/// feature mass against the mass expected from the class frequencies.
pub fn chi2_scores(
    rows: &[SparseVec],
    classes: &[usize],
    n_classes: usize,
    n_features: usize,
) -> Vec<f64> {
    let mut observed = vec![0f64; n_features * n_classes];
    let mut class_count = vec![0f64; n_classes];
    for (row, &c) in rows.iter().zip(classes) {
        class_count[c] += 1.0;
        for &(j, v) in row {
            observed[j as usize * n_classes + c] += v as f64;
        }
    }
    let n = rows.len().max(1) as f64;
    (0..n_features)
        .map(|j| {
            let obs = &observed[j * n_classes..(j + 1) * n_classes];
            let total: f64 = obs.iter().sum();
            obs.iter()
                .zip(&class_count)
                .map(|(&o, &cc)| {
                    let e = total * cc / n;
                    if e > 0.0 { (o - e) * (o - e) / e } else { 0.0 }
                })
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(params: TfidfParams, texts: &[&str]) -> FittedTfidf {
        let analyzer = Analyzer::new(AnalyzerConfig {
            stem: false,
            max_ngram: 1,
        });
        params.check().unwrap().fit(analyzer, texts)
    }

    #[test]
    fn min_df_and_cap() {
        let d = ["a b c", "a b", "a d"];
        let f = fit(TfidfParams::default().min_df(2).max_df(1.0), &d);
        assert_eq!(f.terms(), ["a", "b"]);
        let f = fit(
            TfidfParams::default()
                .min_df(1)
                .max_df(1.0)
                .max_features(Some(1)),
            &d,
        );
        assert_eq!(f.terms(), ["a"]);
    }

    #[test]
    fn max_df_drops_ubiquitous_terms() {
        let d = ["the x", "the y", "the x"];
        let f = fit(TfidfParams::default().min_df(1).max_df(0.9), &d);
        assert_eq!(f.terms(), ["x", "y"]);
    }

    #[test]
    fn a_sentence_counts_once_toward_document_frequency() {
        let d = ["war war war", "peace"];
        let f = fit(TfidfParams::default().min_df(2).max_df(1.0), &d);
        assert!(f.is_empty(), "{:?}", f.terms());
    }

    #[test]
    fn idf_matches_smooth_formula_and_vectors_are_unit_length() {
        let d = ["a b", "a", "c"];
        let f = fit(TfidfParams::default().min_df(1).max_df(1.0), &d);
        let ia = f.index_of("a").unwrap();
        assert!((f.idf(ia) - ((4.0f32 / 3.0).ln() + 1.0)).abs() < 1e-6);
        let x = f.transform("a a b");
        let norm: f32 = x.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        // sublinear tf: a appears twice
        let xa = x.iter().find(|(i, _)| *i == ia).unwrap().1;
        let xb = x.iter().find(|(i, _)| *i != ia).unwrap().1;
        let ib = f.index_of("b").unwrap();
        let ratio = (1.0 + 2f32.ln()) * f.idf(ia) / f.idf(ib);
        assert!((xa / xb - ratio).abs() < 1e-5);
    }

    #[test]
    fn features_carry_the_words_they_came_from() {
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let params = TfidfParams::default()
            .min_df(1)
            .max_df(1.0)
            .check()
            .unwrap();
        let f = params.fit(analyzer, &["nuclear weapons were moved", "talks"]);
        let text = "NATO said Nuclear Weapons, moved.";
        let mut seen = Vec::new();
        f.for_each_feature(text, |id, span| seen.push((f.term(id), &text[span])));
        assert_eq!(
            seen,
            [
                ("nuclear", "Nuclear"),
                ("weapon", "Weapons"),
                ("nuclear weapon", "Nuclear Weapons"),
                ("move", "moved"),
            ]
        );
    }

    #[test]
    fn feature_ids_are_for_each_feature_without_ranges() {
        for max_ngram in 1..=3 {
            let analyzer = Analyzer::new(AnalyzerConfig {
                stem: true,
                max_ngram,
            });
            let texts = [
                "Nuclear weapons were moved to the border.",
                "Talks on nuclear weapons resume; the border stays closed.",
                "Weapons, weapons and more weapons were moved.",
            ];
            let params = TfidfParams::default()
                .min_df(1)
                .max_df(1.0)
                .check()
                .unwrap();
            let f = params.fit(analyzer, &texts);
            for t in texts.iter().chain(&["", "moved moved border nuclear"]) {
                let mut with_ranges = Vec::new();
                f.for_each_feature(t, |id, _| with_ranges.push(id));
                let mut ids = Vec::new();
                f.feature_ids(t, &mut ids);
                assert_eq!(ids, with_ranges, "{max_ngram}: {t}");
            }
        }
    }

    #[test]
    fn from_parts_refuses_inconsistent_parts() {
        let parts = |terms: &[&str], idf: &[f32]| TfidfParts {
            params: TfidfParams::default(),
            terms: terms.iter().map(|t| t.to_string()).collect(),
            idf: idf.to_vec(),
        };
        let cfg = AnalyzerConfig::default();
        assert!(FittedTfidf::from_parts(cfg.clone(), parts(&["a", "a b"], &[1.0, 1.0])).is_ok());
        let err = |p| FittedTfidf::from_parts(cfg.clone(), p).unwrap_err();
        assert!(err(parts(&["a"], &[1.0, 2.0])).contains("2 idf values"));
        assert!(err(parts(&["a"], &[-1.0])).contains("invalid idf"));
        assert!(err(parts(&["a", "a"], &[1.0, 1.0])).contains("duplicate"));
        assert!(err(parts(&["a b c"], &[1.0])).contains("1 to 2 words"));
    }

    #[test]
    fn token_cache_is_bounded_in_bytes_and_skips_long_tokens() {
        use index::{TOKEN_CACHE, TOKEN_CACHE_BYTES};
        let model = crate::model::StanceModel::embedded().unwrap();
        let word = |i: usize, len: usize| {
            let mut w: String = format!("{i:x}")
                .chars()
                .map(|c| (b'g' + c.to_digit(16).unwrap() as u8) as char)
                .collect();
            while w.len() < len {
                w.push('q');
            }
            w
        };
        let long = word(1, 300);
        let p = model.predict(&format!("troops {long} massed"));
        assert!(p.probs.iter().all(|v| v.is_finite()));
        TOKEN_CACHE.with(|c| {
            let c = c.borrow();
            assert!(
                c.long
                    .keys()
                    .all(|k| k.len() <= crate::analysis::MAX_CACHED_TOKEN_BYTES)
            );
            assert!(c.entries() <= 2, "only the short tokens");
        });
        // 40-byte distinct words, cached, until the cache is cleared.
        let mut most = 0;
        for i in 0..400_000 {
            model.predict(&word(i, 40));
            TOKEN_CACHE.with(|c| most = most.max(c.borrow().bytes));
        }
        assert!(
            most <= TOKEN_CACHE_BYTES && most > TOKEN_CACHE_BYTES / 2,
            "{most}"
        );
    }

    #[test]
    fn rejects_bad_params() {
        assert!(TfidfParams::default().min_df(0).check().is_err());
        assert!(TfidfParams::default().max_df(1.5).check().is_err());
        assert!(
            TfidfParams::default()
                .max_features(Some(0))
                .check()
                .is_err()
        );
    }

    #[test]
    fn chi2_prefers_discriminative_terms() {
        let rows: Vec<SparseVec> = vec![
            vec![(0, 1.0), (1, 0.5)],
            vec![(0, 1.0), (1, 0.5)],
            vec![(1, 0.5)],
            vec![(1, 0.5)],
        ];
        let s = chi2_scores(&rows, &[0, 0, 1, 1], 2, 2);
        assert!(s[0] > s[1]);
        assert!(s[1].abs() < 1e-9);
    }
}
