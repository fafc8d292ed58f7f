//! The fitted stance model: analyzer settings, TF-IDF vectorizer and
//! multinomial logistic classifier, saved and loaded as one artifact with
//! its model card.

mod artifact;
mod card;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::{Analyzer, AnalyzerConfig, tokenize};
use crate::features::{FittedTfidf, SparseVec};
use crate::label::Label;

pub use artifact::{FORMAT_VERSION, ModelError, sha256_hex};
pub use card::{HeldOutMetrics, ModelCard};

/// The model file shipped in `models/` and embedded in the binary.
pub const EMBEDDED_MODEL: &[u8] = include_bytes!("../../models/stance-default.model");

/// Name shown for the embedded model in messages.
pub const EMBEDDED_MODEL_NAME: &str = "models/stance-default.model (embedded)";

/// A linear classifier over the four labels: `logits = x · W + b`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearClassifier {
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

fn softmax(mut z: [f32; Label::COUNT]) -> [f32; Label::COUNT] {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in &mut z {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in &mut z {
        *v /= sum;
    }
    z
}

/// The label of one sentence and the probability of each label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prediction {
    /// The most probable label.
    pub label: Label,
    /// Probabilities in [`Label::ALL`] order; they sum to 1.
    pub probs: [f32; Label::COUNT],
}

impl Prediction {
    fn from_probs(probs: [f32; Label::COUNT]) -> Prediction {
        let mut best = 0;
        for c in 1..Label::COUNT {
            if probs[c] > probs[best] {
                best = c;
            }
        }
        Prediction {
            label: Label::ALL[best],
            probs,
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
    #[serde(skip, default = "default_analyzer")]
    analyzer: Analyzer,
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
            analyzer_config,
            vectorizer,
            classifier,
            surface_forms,
        };
        model.validate()?;
        Ok(model)
    }

    fn validate(&self) -> Result<(), ModelError> {
        if self.classifier.weights.len() != self.vectorizer.len() {
            return Err(ModelError::Inconsistent(format!(
                "{} weight rows for {} vocabulary terms",
                self.classifier.weights.len(),
                self.vectorizer.len()
            )));
        }
        let finite = self
            .classifier
            .weights
            .iter()
            .flatten()
            .chain(&self.classifier.intercept)
            .all(|v| v.is_finite());
        if !finite {
            return Err(ModelError::Inconsistent(
                "non-finite weight or intercept".into(),
            ));
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
        let bytes = std::fs::read(path).map_err(|e| ModelError::Io(e.to_string()))?;
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
        self.analyzer.for_each_term(sentence, |t| {
            if let Some(i) = self.vectorizer.index_of(t) {
                ids.push(i);
            }
        });
        self.vectorizer.weigh(&mut ids)
    }

    /// Label and probabilities of one sentence.
    pub fn predict(&self, sentence: &str) -> Prediction {
        self.predict_features(&self.features(sentence))
    }

    /// Label and probabilities of a feature vector.
    pub fn predict_features(&self, x: &SparseVec) -> Prediction {
        Prediction::from_probs(self.classifier.probabilities(x))
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
        let c = label.index();
        let mut contribs: Vec<(u32, f32)> = x
            .iter()
            .map(|&(j, v)| {
                let w = &self.classifier.weights[j as usize];
                let others = (w.iter().sum::<f32>() - w[c]) / (Label::COUNT - 1) as f32;
                (j, v * (w[c] - others))
            })
            .filter(|&(_, s)| s > 0.0)
            .collect();
        contribs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        contribs.truncate(k);
        contribs
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

    /// The strongest terms of each label in the whole model: the weight of
    /// the label minus the mean of the others, times the term's idf.
    pub fn top_terms(&self, label: Label, k: usize) -> Vec<TermContribution> {
        let c = label.index();
        let mut scored: Vec<(usize, f32)> = self
            .classifier
            .weights
            .iter()
            .enumerate()
            .map(|(j, w)| {
                let others = (w.iter().sum::<f32>() - w[c]) / (Label::COUNT - 1) as f32;
                (j, w[c] - others)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored
            .into_iter()
            .take(k)
            .map(|(j, s)| {
                let stem = self.vectorizer.term(j as u32).to_string();
                TermContribution {
                    term: self.surface(&stem),
                    stem,
                    contribution: s,
                }
            })
            .collect()
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
