//! The fitted stance model: analyzer settings, TF-IDF vectorizer and
//! multinomial logistic classifier, saved and loaded as one artifact with
//! its model card.

mod artifact;
mod calibration;
mod card;
pub mod params;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::{Analyzer, AnalyzerConfig};
use crate::features::{FittedTfidf, SparseVec, TfidfParts};
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

/// Everything a scoring run needs, saved and loaded as one file: the
/// vectorizer (which owns the analyzer), the classifier, the calibration
/// and the model card.
///
/// A sentence goes to its label through [`StanceModel::predict`]:
/// [`FittedTfidf::transform`] (tokens, stems, n-grams, feature ids, TF-IDF
/// weights), then [`LinearClassifier::probabilities`], then the
/// [`Calibration`]. A model is only ever built through validation, from
/// fitted parts or from a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "ModelParts", into = "ModelParts")]
pub struct StanceModel {
    /// Metadata: training data, settings, held-out metrics.
    pub card: ModelCard,
    vectorizer: FittedTfidf,
    classifier: LinearClassifier,
    /// The most frequent surface form seen in training for each stem in
    /// the vocabulary, to show terms as words.
    surface_forms: BTreeMap<String, String>,
    /// Calibration of the probabilities and the share estimator, fitted on
    /// held-out data (absent in models trained without a calibration set).
    calibration: Option<Calibrated>,
}

/// The serialized form of a [`StanceModel`] (the body of a model file).
#[derive(Serialize, Deserialize)]
struct ModelParts {
    card: ModelCard,
    analyzer_config: AnalyzerConfig,
    vectorizer: TfidfParts,
    classifier: LinearClassifier,
    surface_forms: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    calibration: Option<Calibrated>,
}

impl TryFrom<ModelParts> for StanceModel {
    type Error = ModelError;
    fn try_from(p: ModelParts) -> Result<StanceModel, ModelError> {
        let vectorizer = FittedTfidf::from_parts(p.analyzer_config, p.vectorizer)
            .map_err(ModelError::Inconsistent)?;
        let mut model = StanceModel::from_parts(p.card, vectorizer, p.classifier, p.surface_forms)?;
        if let Some(c) = p.calibration {
            model.set_calibration(c)?;
        }
        Ok(model)
    }
}

impl From<StanceModel> for ModelParts {
    fn from(m: StanceModel) -> ModelParts {
        ModelParts {
            card: m.card,
            analyzer_config: m.vectorizer.analyzer().config().clone(),
            vectorizer: m.vectorizer.to_parts(),
            classifier: m.classifier,
            surface_forms: m.surface_forms,
            calibration: m.calibration,
        }
    }
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

impl StanceModel {
    /// Assembles a model from fitted parts (see [`crate::train`]).
    pub fn from_parts(
        card: ModelCard,
        vectorizer: FittedTfidf,
        classifier: LinearClassifier,
        surface_forms: BTreeMap<String, String>,
    ) -> Result<StanceModel, ModelError> {
        let model = StanceModel {
            card,
            vectorizer,
            classifier,
            surface_forms,
            calibration: None,
        };
        model.validate()?;
        Ok(model)
    }

    /// Adds (or replaces) the calibration and share estimator; the model
    /// is unchanged if they are invalid.
    pub fn set_calibration(&mut self, calibrated: Calibrated) -> Result<(), ModelError> {
        let old = self.calibration.replace(calibrated);
        self.validate().inspect_err(|_| self.calibration = old)
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
        // Deserializing validates (`ModelParts` → `StanceModel`); a
        // validation failure is reported as what it is, not as JSON damage.
        let parts: ModelParts =
            serde_json::from_slice(body).map_err(|e| ModelError::Corrupt(e.to_string()))?;
        StanceModel::try_from(parts)
    }

    /// Writes the model to `path` atomically: to a temporary file in the
    /// same directory, then renamed over `path`. A failure leaves any
    /// existing file untouched.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let body = serde_json::to_vec(self).map_err(|e| ModelError::Io(e.to_string()))?;
        artifact::write_atomic(path, &body)
    }

    /// The analyzer the model was trained with (the vectorizer's).
    pub fn analyzer(&self) -> &Analyzer {
        self.vectorizer.analyzer()
    }

    /// The fitted vectorizer.
    pub fn vectorizer(&self) -> &FittedTfidf {
        &self.vectorizer
    }

    /// The classifier weights.
    pub fn classifier(&self) -> &LinearClassifier {
        &self.classifier
    }

    /// The TF-IDF vector of a sentence ([`FittedTfidf::transform`]).
    pub fn features(&self, sentence: &str) -> SparseVec {
        self.vectorizer.transform(sentence)
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
                p[l.index()] = counts[l] as f32 / total as f32;
            }
        }
        p
    }

    /// The `k` terms of `sentence` that pushed it most toward `label`, with
    /// their contributions, strongest first. Only terms with a positive
    /// push are returned. Terms are written with the sentence's own words
    /// (the tokens of the first place the term occurs), from the word
    /// ranges the vectorizer hands on with each feature: the sentence is
    /// analysed once.
    pub fn explain(&self, sentence: &str, label: Label, k: usize) -> Vec<TermContribution> {
        let (x, first) = self.features_with_places(sentence);
        self.explain_features(sentence, &x, &first, label, k)
    }

    /// The prediction of `sentence` and its `k` strongest terms toward the
    /// predicted label: [`StanceModel::predict`] and
    /// [`StanceModel::explain`] from one pass over the sentence.
    pub fn predict_explained(
        &self,
        sentence: &str,
        k: usize,
    ) -> (Prediction, Vec<TermContribution>) {
        let (x, first) = self.features_with_places(sentence);
        let p = self.predict_features(&x);
        let terms = self.explain_features(sentence, &x, &first, p.label, k);
        (p, terms)
    }

    /// The TF-IDF vector of `sentence` and where in it each feature first
    /// occurs.
    fn features_with_places(&self, sentence: &str) -> (SparseVec, BTreeMap<u32, Range<usize>>) {
        let mut ids = Vec::new();
        let mut first: BTreeMap<u32, Range<usize>> = BTreeMap::new();
        self.vectorizer.for_each_feature(sentence, |id, span| {
            ids.push(id);
            first.entry(id).or_insert(span);
        });
        (self.vectorizer.weigh(&mut ids), first)
    }

    fn explain_features(
        &self,
        sentence: &str,
        x: &SparseVec,
        first: &BTreeMap<u32, Range<usize>>,
        label: Label,
        k: usize,
    ) -> Vec<TermContribution> {
        let pushes = x
            .iter()
            .map(|&(j, v)| (j, v * self.lift(j, label)))
            .filter(|&(_, s)| s > 0.0);
        strongest(pushes, k)
            .into_iter()
            .map(|(j, s)| {
                let mut words = Vec::new();
                self.analyzer()
                    .for_each_token(&sentence[first[&j].clone()], |t| {
                        words.push(t.text.to_string())
                    });
                TermContribution {
                    term: words.join(" "),
                    stem: self.vectorizer.term(j).to_string(),
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
    texts: impl IntoIterator<Item = &'a str>,
    vocabulary: &FittedTfidf,
) -> BTreeMap<String, String> {
    let mut wanted = std::collections::HashSet::new();
    for t in vocabulary.terms() {
        for s in t.split(' ') {
            wanted.insert(s);
        }
    }
    let mut counts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for text in texts {
        vocabulary.analyzer().for_each_token(text, |t| {
            if wanted.contains(t.stem) {
                *counts
                    .entry(t.stem.to_string())
                    .or_default()
                    .entry(t.text.to_string())
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
    fn features_are_the_analyzers_terms_looked_up() {
        let model = StanceModel::embedded().unwrap();
        for s in [
            "Russia's nuclear deterrent will respond to any attack on NATO's eastern flank.",
            "Foreign ministers agreed to resume talks in Geneva next week.",
            "The de-escalation talks collapsed; 12,000 troops massed near the border.",
            "Zürich, Kyiv’s envoys and an über-long Donaudampfschifffahrtsgesellschaftskapitän",
            "",
        ] {
            let v = model.vectorizer();
            let mut ids: Vec<u32> = model
                .analyzer()
                .terms(s)
                .iter()
                .filter_map(|t| v.index_of(t))
                .collect();
            let expect = v.weigh(&mut ids);
            assert_eq!(model.features(s), expect, "{s}");
            assert_eq!(model.predict(s), model.predict_features(&expect));
        }
    }

    #[test]
    fn explanations_use_the_sentences_own_words() {
        let model = StanceModel::embedded().unwrap();
        let s =
            "Moscow warned that the deployment of Nuclear Weapons could lead to a direct clash.";
        let terms = model.explain(s, Label::EscalationWarning, 5);
        assert!(!terms.is_empty());
        for t in &terms {
            assert!(s.to_lowercase().contains(&t.term), "{t:?}");
            assert_eq!(model.analyzer().tokens(&t.term).join(" "), t.stem);
        }
    }

    #[test]
    fn a_model_file_is_validated_when_read() {
        let model = StanceModel::embedded().unwrap();
        let mut body: serde_json::Value = serde_json::to_value(&model).unwrap();
        body["vectorizer"]["idf"][0] = serde_json::json!(-1.0);
        let err = serde_json::from_value::<StanceModel>(body).unwrap_err();
        assert!(err.to_string().contains("invalid idf"), "{err}");
    }
}
