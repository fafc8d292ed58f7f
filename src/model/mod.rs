//! The fitted stance model: analyzer settings, TF-IDF vectorizer and
//! multinomial logistic classifier, saved and loaded as one artifact with
//! its model card.

mod artifact;
mod calibration;
mod card;
pub mod params;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::analysis::{Analyzer, AnalyzerConfig, FxHashMap, tokenize};
use crate::features::{FittedTfidf, SparseVec};
use crate::label::Label;

pub use artifact::{FORMAT_VERSION, ModelError, sha256_hex};
pub use calibration::{Calibration, CalibrationError, MIN_ROWS_PER_LABEL};
pub use card::{CalibrationInfo, HeldOutMetrics, ModelCard, TrainingFile};

use crate::quantify::ShareEstimator;

/// The model file shipped in `models/` and embedded in the binary.
pub const EMBEDDED_MODEL: &[u8] = include_bytes!("../../models/stance-default.model");

/// Name shown for the embedded model in messages.
pub const EMBEDDED_MODEL_NAME: &str = "models/stance-default.model (embedded)";

/// A linear classifier over the four labels: `logits = x · W + b`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearClassifier {
    /// The labels, in the column order of `weights` and `intercept`
    /// (always [`Label::ALL`]; stored so the file says so).
    pub labels: [Label; Label::COUNT],
    /// Weights, one row of [`Label::COUNT`] values per feature.
    pub weights: Vec<[f32; Label::COUNT]>,
    /// Intercept per label.
    pub intercept: [f32; Label::COUNT],
}

impl LinearClassifier {
    /// Class probabilities of a feature vector (softmax of the logits).
    pub fn probabilities(&self, x: &SparseVec) -> [f32; Label::COUNT] {
        let mut logits = self.intercept;
        for &(j, v) in x {
            let w = &self.weights[j as usize];
            for c in 0..Label::COUNT {
                logits[c] += v * w[c];
            }
        }
        softmax(logits)
    }
}

/// Softmax of logits. A validated model (see [`MAX_WEIGHT`]) always gives
/// finite logits, so the sum is finite and at least 1; should a logit ever
/// be infinite or NaN anyway, the result is the uniform distribution, never
/// a NaN probability (and debug builds stop at the `debug_assert`).
pub(crate) fn softmax(mut z: [f32; Label::COUNT]) -> [f32; Label::COUNT] {
    debug_assert!(z.iter().all(|v| v.is_finite()), "non-finite logits {z:?}");
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in &mut z {
        *v = (*v - max).exp();
        sum += *v;
    }
    if !(sum.is_finite() && sum >= 1.0) {
        return [1.0 / Label::COUNT as f32; Label::COUNT];
    }
    for v in &mut z {
        *v /= sum;
    }
    z
}

/// Largest magnitude of a classifier or calibration weight or intercept a
/// model may have. Trained weights are below 10 (L2-regularised); a model
/// with larger ones is refused on load, which keeps every logit finite.
pub const MAX_WEIGHT: f32 = 1e4;

/// The label of one sentence and the probability of each label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prediction {
    /// The classifier's decision: the label with the highest raw score.
    /// The classifier is trained with balanced class weights, so the
    /// decision favours the rare framings more than the calibrated
    /// probabilities do (it was chosen for macro-F1 on the news dev split);
    /// it is not always the label with the highest calibrated probability.
    pub label: Label,
    /// Probabilities in [`Label::ALL`] order; they sum to 1. Calibrated on
    /// held-out data when the model has a calibration (see
    /// [`StanceModel::calibration`]), else the raw scores.
    pub probs: [f32; Label::COUNT],
    /// The classifier's own probabilities (softmax of its logits), before
    /// calibration.
    pub raw_probs: [f32; Label::COUNT],
}

impl Prediction {
    fn new(raw_probs: [f32; Label::COUNT], calibration: Option<&Calibrated>) -> Prediction {
        let mut best = 0;
        for c in 1..Label::COUNT {
            if raw_probs[c] > raw_probs[best] {
                best = c;
            }
        }
        Prediction {
            label: Label::ALL[best],
            probs: calibration.map_or(raw_probs, |c| c.map.apply(&raw_probs)),
            raw_probs,
        }
    }

    /// Probability of one label.
    pub fn prob(&self, label: Label) -> f32 {
        self.probs[label.index()]
    }
}

/// One term's push toward a label: its TF-IDF value times its weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermContribution {
    /// The term as a reader would write it ("nuclear weapons").
    pub term: String,
    /// The stemmed term as the model sees it ("nuclear weapon").
    pub stem: String,
    /// `weight × tf-idf` toward the explained label, relative to the mean
    /// of the other labels' weights.
    pub contribution: f32,
}

/// Everything a scoring run needs, saved and loaded as one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StanceModel {
    /// Metadata: training data, settings, held-out metrics.
    pub card: ModelCard,
    analyzer_config: AnalyzerConfig,
    vectorizer: FittedTfidf,
    classifier: LinearClassifier,
    /// The most frequent surface form seen in training for each stem in
    /// the vocabulary, to show terms as words.
    surface_forms: BTreeMap<String, String>,
    /// Calibration of the probabilities and the share estimator, fitted on
    /// held-out data (absent in models trained without a calibration set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    calibration: Option<Calibrated>,
    #[serde(skip, default = "default_analyzer")]
    analyzer: Analyzer,
    /// The vocabulary indexed by word, built on first use.
    #[serde(skip)]
    index: OnceLock<TermIndex>,
}

/// What a calibration set adds to a model: calibrated probabilities and
/// corrected label shares.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Calibrated {
    /// Maps raw probabilities to calibrated ones.
    pub map: Calibration,
    /// Estimates label shares of collections from calibrated probabilities.
    pub shares: ShareEstimator,
}

/// No feature / no word.
const NONE: u32 = u32::MAX;

/// The vocabulary indexed by word ids, so that a sentence's n-grams are
/// found without building their strings: every stem that occurs in a
/// vocabulary term gets a word id; unigrams are a table by word id, and
/// bigrams and trigrams are hashed by their word ids. A sentence token
/// whose stem has no word id cannot be part of any vocabulary term.
#[derive(Clone, Default)]
struct TermIndex {
    /// Identifies this index in the per-thread token caches.
    tag: u64,
    words: FxHashMap<Box<str>, u32>,
    unigram: Vec<u32>,
    bigram: FxHashMap<u64, u32>,
    trigram: FxHashMap<u128, u32>,
}

impl std::fmt::Debug for TermIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermIndex")
            .field("words", &self.words.len())
            .field("bigrams", &self.bigram.len())
            .field("trigrams", &self.trigram.len())
            .finish()
    }
}

fn pack2(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

fn pack3(a: u32, b: u32, c: u32) -> u128 {
    ((a as u128) << 64) | ((b as u128) << 32) | c as u128
}

/// Bytes each thread's token→word cache may hold (keys, values and table
/// overhead, estimated) before it is cleared: the cache is bounded by what
/// it stores, not by its number of entries, so text made of long distinct
/// words cannot grow it.
const TOKEN_CACHE_BYTES: usize = 16 << 20;

/// Tokens longer than this many bytes are looked up without the cache
/// (they are rare, and each would cost its length in the cache); the same
/// bound holds for the analyzer's stem cache.
pub(crate) const MAX_CACHED_TOKEN_BYTES: usize = 64;

/// Estimated bytes of one cache entry besides a long key's text: the
/// table's slot (key, value, control byte) and, for a long key, its
/// allocation.
const SHORT_ENTRY_BYTES: usize = 32;
const LONG_ENTRY_BYTES: usize = 48;

/// Per-thread cache from a lower-cased token to the word id of its stem
/// (or [`NONE`]) in the [`TermIndex`] whose tag it carries: one hash lookup
/// per token instead of stemming and looking the stem up. Tokens of up to
/// 16 bytes (nearly all) are keyed inline, zero-padded (a token never
/// contains a NUL), so a lookup reads no key from the heap (see
/// [`inline_key`]).
#[derive(Default)]
struct TokenCache {
    tag: u64,
    short: FxHashMap<(u64, u64), u32>,
    long: FxHashMap<Box<str>, u32>,
    /// Estimated bytes held by `short` and `long`.
    bytes: usize,
    buf: String,
}

/// The maps and byte count of a [`TokenCache`], borrowed apart from its
/// buffer.
struct TokenMaps<'a> {
    short: &'a mut FxHashMap<(u64, u64), u32>,
    long: &'a mut FxHashMap<Box<str>, u32>,
    bytes: &'a mut usize,
}

impl TokenCache {
    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
        self.bytes = 0;
    }
}

impl TokenMaps<'_> {
    /// Room for an entry of `cost` bytes: the maps are cleared when full.
    fn make_room(&mut self, cost: usize) {
        if *self.bytes + cost > TOKEN_CACHE_BYTES {
            self.short.clear();
            self.long.clear();
            *self.bytes = 0;
        }
        *self.bytes += cost;
    }

    /// The word id of `token`, computed by `word` on a miss.
    #[inline]
    fn word(&mut self, token: &str, word: impl FnOnce(&str) -> u32) -> u32 {
        if let Some(key) = inline_key(token.as_bytes()) {
            if let Some(&w) = self.short.get(&key) {
                return w;
            }
            let w = word(token);
            self.make_room(SHORT_ENTRY_BYTES);
            self.short.insert(key, w);
            w
        } else if token.len() > MAX_CACHED_TOKEN_BYTES {
            word(token)
        } else if let Some(&w) = self.long.get(token) {
            w
        } else {
            let w = word(token);
            self.make_room(LONG_ENTRY_BYTES + token.len());
            self.long.insert(token.into(), w);
            w
        }
    }
}

/// The bytes of a token of at most 16 bytes as two little-endian words,
/// zero-padded; `None` for a longer token. Built from whole-word loads
/// (overlapping where the token is short) rather than a byte copy into a
/// padded buffer, which would stall on store forwarding.
#[inline(always)]
fn inline_key(b: &[u8]) -> Option<(u64, u64)> {
    let n = b.len();
    let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes")) as u64;
    Some(match n {
        0 => (0, 0),
        1..=3 => (
            b[0] as u64 | (b[n / 2] as u64) << (8 * (n / 2)) | (b[n - 1] as u64) << (8 * (n - 1)),
            0,
        ),
        4..=7 => (u32_at(0) | u32_at(n - 4) << (8 * (n - 4)), 0),
        8 => (u64_at(0), 0),
        9..=16 => (u64_at(0), u64_at(n - 8) >> (8 * (16 - n))),
        _ => return None,
    })
}

thread_local! {
    static TOKEN_CACHE: RefCell<TokenCache> = RefCell::new(TokenCache::default());
}

impl TermIndex {
    /// Indexes the terms of `vectorizer` that an analyzer with n-grams up
    /// to `max_ngram` can produce (the others can never match).
    fn build(vectorizer: &FittedTfidf, max_ngram: usize) -> TermIndex {
        static NEXT_TAG: AtomicU64 = AtomicU64::new(1);
        let mut index = TermIndex {
            tag: NEXT_TAG.fetch_add(1, Ordering::Relaxed),
            ..TermIndex::default()
        };
        let mut ids = Vec::with_capacity(3);
        for (i, term) in vectorizer.terms().iter().enumerate() {
            let parts = term.split(' ');
            if parts.clone().count() > max_ngram || parts.clone().any(str::is_empty) {
                continue;
            }
            ids.clear();
            for w in parts {
                let next = index.words.len() as u32;
                let id = *index.words.entry(w.into()).or_insert(next);
                if id == next {
                    index.unigram.push(NONE);
                }
                ids.push(id);
            }
            let i = i as u32;
            match ids[..] {
                [a] => index.unigram[a as usize] = i,
                [a, b] => {
                    index.bigram.insert(pack2(a, b), i);
                }
                [a, b, c] => {
                    index.trigram.insert(pack3(a, b, c), i);
                }
                _ => {}
            }
        }
        index
    }
}

fn default_analyzer() -> Analyzer {
    Analyzer::new(AnalyzerConfig::default())
}

impl StanceModel {
    /// Assembles a model from fitted parts (see [`crate::train`]).
    pub fn from_parts(
        card: ModelCard,
        analyzer_config: AnalyzerConfig,
        vectorizer: FittedTfidf,
        classifier: LinearClassifier,
        surface_forms: BTreeMap<String, String>,
    ) -> Result<StanceModel, ModelError> {
        let model = StanceModel {
            card,
            analyzer: Analyzer::new(analyzer_config.clone()),
            index: OnceLock::new(),
            analyzer_config,
            vectorizer,
            classifier,
            surface_forms,
            calibration: None,
        };
        model.validate()?;
        Ok(model)
    }

    /// Adds (or replaces) the calibration and share estimator.
    pub fn set_calibration(&mut self, calibrated: Calibrated) -> Result<(), ModelError> {
        self.calibration = Some(calibrated);
        self.validate()
    }

    /// The calibration, if the model has one.
    pub fn calibration(&self) -> Option<&Calibrated> {
        self.calibration.as_ref()
    }

    /// The share estimator, if the model has a calibration.
    pub fn share_estimator(&self) -> Option<&ShareEstimator> {
        self.calibration.as_ref().map(|c| &c.shares)
    }

    fn validate(&self) -> Result<(), ModelError> {
        if self.classifier.labels != Label::ALL {
            return Err(ModelError::Inconsistent(format!(
                "label columns {:?}, expected {:?}",
                self.classifier.labels,
                Label::ALL
            )));
        }
        if self.classifier.weights.len() != self.vectorizer.len() {
            return Err(ModelError::Inconsistent(format!(
                "{} weight rows for {} vocabulary terms",
                self.classifier.weights.len(),
                self.vectorizer.len()
            )));
        }
        if self.vectorizer.is_empty() {
            return Err(ModelError::Inconsistent("empty vocabulary".into()));
        }
        if self.card.vocabulary_size != self.vectorizer.len() {
            return Err(ModelError::Inconsistent(format!(
                "the card says {} vocabulary terms, the vectorizer has {}",
                self.card.vocabulary_size,
                self.vectorizer.len()
            )));
        }
        fn bounded<'a>(
            what: &str,
            mut values: impl Iterator<Item = &'a f32>,
        ) -> Result<(), ModelError> {
            match values.find(|v| v.is_nan() || v.abs() > MAX_WEIGHT) {
                Some(v) => Err(ModelError::Inconsistent(format!(
                    "{what} {v} is not a number of magnitude at most {MAX_WEIGHT}"
                ))),
                None => Ok(()),
            }
        }
        bounded("weight", self.classifier.weights.iter().flatten())?;
        bounded("intercept", self.classifier.intercept.iter())?;
        if let Some(c) = &self.calibration {
            let m = &c.map;
            bounded(
                "calibration weight",
                m.weights.iter().flatten().chain(&m.intercept),
            )?;
            c.shares.validate().map_err(ModelError::Inconsistent)?;
        }
        // Counts of the card are added up (the prior, `inspect`): they
        // must not overflow.
        let card = &self.card;
        let counts = [&card.training_rows_per_label]
            .into_iter()
            .chain(card.training_files.iter().map(|f| &f.rows_per_label))
            .map(|m| m.values().copied().try_fold(0usize, usize::checked_add))
            .chain(card.held_out.iter().map(|h| {
                (h.metrics.confusion.iter().flatten().copied()).try_fold(0usize, usize::checked_add)
            }));
        for total in counts {
            if total.is_none() {
                return Err(ModelError::Inconsistent(
                    "the card's row counts add up to more than a count can hold".into(),
                ));
            }
        }
        if !(1..=3).contains(&self.analyzer_config.max_ngram) {
            return Err(ModelError::Inconsistent(format!(
                "unsupported n-gram length {}",
                self.analyzer_config.max_ngram
            )));
        }
        Ok(())
    }

    /// The model shipped in `models/` and compiled into the binary.
    pub fn embedded() -> Result<StanceModel, ModelError> {
        StanceModel::from_bytes(EMBEDDED_MODEL)
    }

    /// Loads a model file.
    pub fn load(path: &Path) -> Result<StanceModel, ModelError> {
        let bytes = artifact::read_file(path)?;
        StanceModel::from_bytes(&bytes)
    }

    /// Parses a model from the bytes of a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<StanceModel, ModelError> {
        let body = artifact::open(bytes)?;
        let mut model: StanceModel =
            serde_json::from_slice(body).map_err(|e| ModelError::Corrupt(e.to_string()))?;
        model.analyzer = Analyzer::new(model.analyzer_config.clone());
        model.validate()?;
        Ok(model)
    }

    /// Writes the model to `path` atomically: to a temporary file in the
    /// same directory, then renamed over `path`. A failure leaves any
    /// existing file untouched.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let body = serde_json::to_vec(self).map_err(|e| ModelError::Io(e.to_string()))?;
        artifact::write_atomic(path, &body)
    }

    /// The analyzer the model was trained with.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The fitted vectorizer.
    pub fn vectorizer(&self) -> &FittedTfidf {
        &self.vectorizer
    }

    /// The classifier weights.
    pub fn classifier(&self) -> &LinearClassifier {
        &self.classifier
    }

    /// The TF-IDF vector of a sentence.
    pub fn features(&self, sentence: &str) -> SparseVec {
        let mut ids = Vec::new();
        self.term_ids(sentence, &mut ids);
        self.vectorizer.weigh(&mut ids)
    }

    /// Appends the feature index of every vocabulary term of `sentence`
    /// (with repeats, in no particular order) to `ids`: the same indices as
    /// looking up each of [`Analyzer::terms`] in the vectorizer, without
    /// building the n-gram strings.
    fn term_ids(&self, sentence: &str, ids: &mut Vec<u32>) {
        let max_ngram = self.analyzer_config.max_ngram;
        let index = self
            .index
            .get_or_init(|| TermIndex::build(&self.vectorizer, max_ngram));
        // Word ids of the previous two tokens.
        let (mut w1, mut w2) = (NONE, NONE);
        let mut push = |w: u32| {
            if w != NONE {
                let u = index.unigram[w as usize];
                if u != NONE {
                    ids.push(u);
                }
                if max_ngram >= 2 && w1 != NONE {
                    if let Some(&b) = index.bigram.get(&pack2(w1, w)) {
                        ids.push(b);
                    }
                    if max_ngram >= 3
                        && w2 != NONE
                        && let Some(&t) = index.trigram.get(&pack3(w2, w1, w))
                    {
                        ids.push(t);
                    }
                }
            }
            w2 = w1;
            w1 = w;
        };
        let word_of_stem = |stem: &str| index.words.get(stem).copied().unwrap_or(NONE);
        TOKEN_CACHE.with(|cell| match cell.try_borrow_mut() {
            Ok(mut cache) => {
                if cache.tag != index.tag {
                    cache.clear();
                    cache.tag = index.tag;
                }
                let TokenCache {
                    short,
                    long,
                    bytes,
                    buf,
                    ..
                } = &mut *cache;
                let mut maps = TokenMaps { short, long, bytes };
                tokenize(sentence, buf, |tok| {
                    push(maps.word(tok, |t| word_of_stem(&self.analyzer.stem(t))))
                });
            }
            // In use by an outer call on this thread: go without it.
            Err(_) => self
                .analyzer
                .for_each_token(sentence, |stem| push(word_of_stem(stem))),
        });
    }

    /// Label and probabilities of one sentence.
    pub fn predict(&self, sentence: &str) -> Prediction {
        self.predict_features(&self.features(sentence))
    }

    /// Label and probabilities of a feature vector.
    ///
    /// A sentence with no term in the vocabulary ("OK.", a lone name) gives
    /// the model no evidence; instead of the intercepts alone (which
    /// balanced training tilts toward the rare labels) it gets the label
    /// distribution of the training data, whose most frequent label is
    /// neutral.
    pub fn predict_features(&self, x: &SparseVec) -> Prediction {
        let raw = if x.is_empty() {
            self.prior()
        } else {
            self.classifier.probabilities(x)
        };
        Prediction::new(raw, self.calibration.as_ref())
    }

    /// Share of each label among the training rows (uniform if unknown).
    pub fn prior(&self) -> [f32; Label::COUNT] {
        let counts = &self.card.training_rows_per_label;
        let total = counts.values().try_fold(0usize, |a, &b| a.checked_add(b));
        let mut p = [1.0 / Label::COUNT as f32; Label::COUNT];
        if let Some(total) = total.filter(|&t| t > 0) {
            for l in Label::ALL {
                p[l.index()] = counts.get(&l).copied().unwrap_or(0) as f32 / total as f32;
            }
        }
        p
    }

    /// The `k` terms of `sentence` that pushed it most toward `label`, with
    /// their contributions, strongest first. Only terms with a positive
    /// push are returned. Terms are written with the sentence's own words.
    pub fn explain(&self, sentence: &str, label: Label, k: usize) -> Vec<TermContribution> {
        let x = self.features(sentence);
        // stem -> the word the sentence used for it
        let mut own: HashMap<String, String> = HashMap::new();
        tokenize(sentence, &mut String::new(), |tok| {
            own.entry(self.analyzer.stem(tok))
                .or_insert_with(|| tok.to_string());
        });
        let pushes = x
            .iter()
            .map(|&(j, v)| (j, v * self.lift(j, label)))
            .filter(|&(_, s)| s > 0.0);
        strongest(pushes, k)
            .into_iter()
            .map(|(j, s)| {
                let stem = self.vectorizer.term(j).to_string();
                let term = stem
                    .split(' ')
                    .map(|w| own.get(w).cloned().unwrap_or_else(|| self.surface(w)))
                    .collect::<Vec<_>>()
                    .join(" ");
                TermContribution {
                    term,
                    stem,
                    contribution: s,
                }
            })
            .collect()
    }

    /// The strongest terms of each label in the whole model, by
    /// lift: its weight for the label minus the mean of its weights for the
    /// other labels (the weight alone, before tf-idf).
    pub fn top_terms(&self, label: Label, k: usize) -> Vec<TermContribution> {
        let lifts = (0..self.vectorizer.len() as u32).map(|j| (j, self.lift(j, label)));
        strongest(lifts, k)
            .into_iter()
            .map(|(j, s)| {
                let stem = self.vectorizer.term(j).to_string();
                TermContribution {
                    term: self.surface(&stem),
                    stem,
                    contribution: s,
                }
            })
            .collect()
    }

    /// How much feature `j` favours `label`: its weight for the label minus
    /// the mean of its weights for the other labels.
    fn lift(&self, j: u32, label: Label) -> f32 {
        let w = &self.classifier.weights[j as usize];
        let c = label.index();
        w[c] - (w.iter().sum::<f32>() - w[c]) / (Label::COUNT - 1) as f32
    }

    /// A stemmed term written as words: each stem replaced by its most
    /// frequent surface form in training.
    pub fn surface(&self, stemmed_term: &str) -> String {
        stemmed_term
            .split(' ')
            .map(|s| self.surface_forms.get(s).map(String::as_str).unwrap_or(s))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The `k` highest-scoring features, strongest first (ties: lower index).
fn strongest(scored: impl Iterator<Item = (u32, f32)>, k: usize) -> Vec<(u32, f32)> {
    let mut v: Vec<(u32, f32)> = scored.collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(k);
    v
}

/// Counts, for every stem, how often each surface token produced it, and
/// keeps the most frequent surface form of each stem in `vocabulary`.
pub fn surface_forms<'a>(
    analyzer: &Analyzer,
    texts: impl IntoIterator<Item = &'a str>,
    vocabulary: &FittedTfidf,
) -> BTreeMap<String, String> {
    let mut wanted = std::collections::HashSet::new();
    for t in vocabulary.terms() {
        for s in t.split(' ') {
            wanted.insert(s.to_string());
        }
    }
    let mut counts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut buf = String::new();
    for text in texts {
        tokenize(text, &mut buf, |tok| {
            let stem = analyzer.stem(tok);
            if wanted.contains(&stem) {
                *counts
                    .entry(stem)
                    .or_default()
                    .entry(tok.to_string())
                    .or_default() += 1;
            }
        });
    }
    counts
        .into_iter()
        .filter_map(|(stem, forms)| {
            // Most frequent form; ties go to the alphabetically first.
            let best = forms
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
            (best.0 != stem).then_some((stem, best.0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_key_is_the_zero_padded_bytes() {
        let text = "abcdefghijklmnopq";
        for n in 0..=17 {
            let b = &text.as_bytes()[..n];
            let expect = (n <= 16).then(|| {
                let mut k = [0u8; 16];
                k[..n].copy_from_slice(b);
                (
                    u64::from_le_bytes(k[..8].try_into().unwrap()),
                    u64::from_le_bytes(k[8..].try_into().unwrap()),
                )
            });
            assert_eq!(inline_key(b), expect, "length {n}");
        }
    }

    #[test]
    fn token_cache_is_bounded_in_bytes_and_skips_long_tokens() {
        let model = StanceModel::embedded().unwrap();
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
            assert!(c.long.keys().all(|k| k.len() <= MAX_CACHED_TOKEN_BYTES));
            assert!(c.long.len() + c.short.len() <= 2, "only the short tokens");
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
    fn indexed_features_match_the_terms_of_the_analyzer() {
        let model = StanceModel::embedded().unwrap();
        for s in [
            "Russia's nuclear deterrent will respond to any attack on NATO's eastern flank.",
            "Foreign ministers agreed to resume talks in Geneva next week.",
            "The de-escalation talks collapsed; 12,000 troops massed near the border.",
            "Zürich, Kyiv’s envoys and an über-long Donaudampfschifffahrtsgesellschaftskapitän",
            "",
        ] {
            let terms = model.analyzer().terms(s);
            let expect = model
                .vectorizer()
                .transform(terms.iter().map(String::as_str));
            assert_eq!(model.features(s), expect, "{s}");
            assert_eq!(model.predict(s), model.predict_features(&expect));
        }
    }
}
