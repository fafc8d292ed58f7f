//! Training: hyperparameters validated once, then fitted into a
//! [`StanceModel`].
//!
//! The classifier is `linfa-logistic`'s multinomial logistic regression,
//! which fits on a dense matrix. To keep that matrix small and the problem
//! well conditioned, the TF-IDF vocabulary is reduced to the `features`
//! terms with the highest chi-square statistic against the labels before
//! fitting (see BENCHMARKS.md for the measured trade-off).
//!
//! ```no_run
//! use stance::{data::read_labeled_csv, train::TrainParams};
//!
//! let data = read_labeled_csv("data/stance-train.csv".as_ref()).unwrap();
//! let model = TrainParams::default().alpha(1.0).check().unwrap()
//!     .fit(&data.examples, "data/stance-train.csv", &data.sha256).unwrap();
//! model.save("my.model".as_ref()).unwrap();
//! ```

mod run;

pub use crate::model::params::{ClassWeight, TrainParams, ValidTrainParams};
pub use run::{Evaluation, TrainingRun, held_out, held_out_files, smoothed_prior};

use crate::label::LabelMap;

use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};

use crate::analysis::Analyzer;
use crate::data::Example;
use crate::features::{SparseVec, chi2_scores};
use crate::label::Label;
use crate::model::{FORMAT_VERSION, LinearClassifier, ModelCard, StanceModel, surface_forms};

/// Why training failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// Fewer than two labels in the data.
    #[error("the training data has only one label ({0}); at least two are needed")]
    OneClass(Label),
    /// No usable rows.
    #[error("no training rows")]
    Empty,
    /// No term survived min_df/max_df.
    #[error("the vocabulary is empty after min_df/max_df filtering: add data or lower --min-df")]
    EmptyVocabulary,
    /// The optimiser failed.
    #[error("logistic regression failed: {0}")]
    Fit(String),
    /// The fitted model is inconsistent.
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
    /// The calibration could not be fitted.
    #[error(transparent)]
    Calibration(#[from] crate::model::CalibrationError),
    /// The share estimator could not be fitted.
    #[error(transparent)]
    Shares(#[from] crate::quantify::ShareError),
    /// Calibrating on a file failed.
    #[error("calibrating on {path}: {source}")]
    CalibrationSet {
        /// The calibration file.
        path: String,
        /// Why.
        source: Box<TrainError>,
    },
}

/// Seed of the share estimator's resampling (fixed: the same calibration
/// set gives the same model).
const SHARE_SEED: u64 = 0x5ea7_5ade;

/// Calibrates `model` on held-out labeled sentences it was not trained on
/// (the news dev split for the shipped model): fits the probability
/// calibration ([`crate::model::Calibration`]) on the raw probabilities,
/// then the share estimator ([`crate::quantify::ShareEstimator`]) on the
/// calibrated ones, resampling by the examples' `doc` (each row is its own
/// document without one). `name` and `sha256` identify the file in the
/// model card.
pub fn calibrate(
    model: &mut StanceModel,
    examples: &[Example],
    name: &str,
    sha256: &str,
) -> Result<(), TrainError> {
    use rayon::prelude::*;
    let raw: Vec<[f32; Label::COUNT]> = examples
        .par_iter()
        .map(|e| model.predict(&e.text).raw_probs)
        .collect();
    let truth: Vec<Label> = examples.iter().map(|e| e.label).collect();
    let map = crate::model::Calibration::fit(&raw, &truth)?;
    let calibrated: Vec<[f32; Label::COUNT]> = raw.iter().map(|r| map.apply(r)).collect();
    let ids: Vec<String> = examples
        .iter()
        .map(|e| e.doc.clone().unwrap_or_else(|| format!("line {}", e.line)))
        .collect();
    let docs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let shares = crate::quantify::ShareEstimator::fit(&calibrated, &truth, &docs, SHARE_SEED)?;
    let documents = shares.documents;
    model.set_calibration(crate::model::Calibrated { map, shares })?;
    model.card.calibration = Some(crate::model::CalibrationInfo {
        path: name.to_string(),
        sha256: sha256.to_string(),
        rows: examples.len(),
        documents,
        method: "matrix scaling of log-probabilities (multinomial logistic, linfa-logistic)".into(),
        share_method: crate::quantify::METHOD.into(),
    });
    Ok(())
}

impl ValidTrainParams {
    /// Fits a model on labeled sentences. `source_name` and `source_sha256`
    /// identify the training file in the model card; held-out metrics are
    /// added by the caller (see [`StanceModel::card`]).
    pub fn fit(
        &self,
        examples: &[Example],
        source_name: &str,
        source_sha256: &str,
    ) -> Result<StanceModel, TrainError> {
        let p = self.params();
        if examples.is_empty() {
            return Err(TrainError::Empty);
        }
        let counts = crate::data::label_counts(examples);
        let present: Vec<Label> = counts
            .iter()
            .filter(|&(_, &n)| n > 0)
            .map(|(l, _)| l)
            .collect();
        if present.len() < 2 {
            return Err(TrainError::OneClass(present[0]));
        }

        let analyzer = Analyzer::new(p.analyzer.clone());
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let full = p
            .tfidf
            .clone()
            .check()
            .expect("checked in TrainParams::check")
            .fit(analyzer, &texts);
        if full.is_empty() {
            return Err(TrainError::EmptyVocabulary);
        }
        let rows: Vec<SparseVec> = texts.iter().map(|t| full.transform(t)).collect();
        let classes: Vec<usize> = examples.iter().map(|e| e.label.index()).collect();

        // Chi-square feature selection.
        let vectorizer = match p.features {
            Some(k) if k < full.len() => {
                let scores = chi2_scores(&rows, &classes, Label::COUNT, full.len());
                let mut order: Vec<u32> = (0..full.len() as u32).collect();
                order.sort_by(|&a, &b| {
                    scores[b as usize]
                        .total_cmp(&scores[a as usize])
                        .then(a.cmp(&b))
                });
                order.truncate(k);
                order.sort_unstable_by(|&a, &b| full.term(a).cmp(full.term(b)));
                full.restrict(&order)
            }
            _ => full.clone(),
        };
        let rows: Vec<SparseVec> = texts.iter().map(|t| vectorizer.transform(t)).collect();

        // Row replication for class balance: label k gets
        // n_k * (max / n_k)^balance_power rows (power 1: every label as many
        // as the largest; 0: none copied), spread evenly over its rows.
        let max_count = *counts.values().max().expect("non-empty");
        let replicated: LabelMap<usize> = counts.map(|_, &n| match p.class_weight {
            ClassWeight::Balanced if n > 0 => {
                let f = (max_count as f64 / n as f64).powf(p.balance_power);
                ((n as f64 * f).round() as usize).max(n)
            }
            _ => n,
        });
        let mut order: Vec<usize> = Vec::with_capacity(replicated.values().sum());
        let mut rank = [0usize; Label::COUNT];
        for (i, e) in examples.iter().enumerate() {
            let (n, target) = (counts[e.label], replicated[e.label]);
            let r = &mut rank[e.label.index()];
            *r += 1;
            let reps = (target * *r) / n - (target * (*r - 1)) / n;
            order.extend(std::iter::repeat_n(i, reps));
        }

        let nf = vectorizer.len();
        let mut x = Array2::<f32>::zeros((order.len(), nf));
        for (r, &i) in order.iter().enumerate() {
            for &(j, v) in &rows[i] {
                x[[r, j as usize]] = v;
            }
        }
        let y: Array1<Label> = order.iter().map(|&i| examples[i].label).collect();
        let dataset = Dataset::new(x, y);
        let fitted = MultiLogisticRegression::default()
            .alpha(p.alpha)
            .max_iterations(p.max_iterations)
            .gradient_tolerance(p.gradient_tolerance)
            .fit(&dataset)
            .map_err(|e| TrainError::Fit(e.to_string()))?;

        // Map linfa's class columns onto the fixed label order; labels absent
        // from the data get a very low intercept (probability ~0).
        let params = fitted.params();
        let intercept_fit = fitted.intercept();
        let mut weights = vec![[0f32; Label::COUNT]; nf];
        let mut intercept = [-1.0e4f32; Label::COUNT];
        let n_rows = order.len() as f64;
        for (col, label) in fitted.classes().iter().enumerate() {
            let c = label.index();
            intercept[c] = intercept_fit[col];
            // Prior correction (Bayes' rule for a change of class priors):
            // from the prior the fit saw (the label shares of the replicated
            // rows) to the
            // target prior.
            let target = match (p.target_prior, p.class_weight) {
                (Some(t), _) => Some(t[c]),
                (None, ClassWeight::Prior) => Some(1.0 / Label::COUNT as f64),
                (None, _) => None,
            };
            if let Some(target) = target {
                let seen = replicated[*label] as f64 / n_rows;
                intercept[c] += (target.ln() - seen.ln()) as f32;
            }
            for (j, w) in weights.iter_mut().enumerate() {
                w[c] = params[[j, col]];
            }
        }
        let surface = surface_forms(texts.iter().copied(), &vectorizer);
        let card = ModelCard {
            format_version: FORMAT_VERSION,
            stance_version: env!("CARGO_PKG_VERSION").to_string(),
            trained_on: today_utc(),
            training_file: source_name.to_string(),
            training_sha256: source_sha256.to_string(),
            training_rows_per_label: counts,
            rows_rejected: 0,
            hyperparameters: p.clone(),
            vocabulary_size: nf,
            training_files: Vec::new(),
            held_out: Vec::new(),
            calibration: None,
        };
        Ok(StanceModel::from_parts(
            card,
            vectorizer,
            LinearClassifier {
                labels: Label::ALL,
                weights,
                intercept,
            },
            surface,
        )?)
    }
}

/// Today's UTC date as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// A deterministic stratified split of example indices into
/// `(train, held_out)`, holding out about `fraction` of each label.
pub fn stratified_split(
    examples: &[Example],
    fraction: f64,
    seed: u64,
) -> (Vec<usize>, Vec<usize>) {
    let mut train = Vec::new();
    let mut test = Vec::new();
    for label in Label::ALL {
        let mut idx: Vec<usize> = (0..examples.len())
            .filter(|&i| examples[i].label == label)
            .collect();
        // Order by a hash of (seed, text) so the split does not depend on
        // file order.
        idx.sort_by_key(|&i| {
            (
                crate::rng::SplitMix(seed ^ fnv1a(&examples[i].text)).next(),
                i,
            )
        });
        let n_test = (idx.len() as f64 * fraction).round() as usize;
        test.extend_from_slice(&idx[..n_test]);
        train.extend_from_slice(&idx[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

/// FNV-1a of the text's bytes (stable across versions and machines).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_params() {
        assert!(TrainParams::default().alpha(0.0).check().is_err());
        assert!(TrainParams::default().alpha(f32::NAN).check().is_err());
        assert!(TrainParams::default().features(Some(0)).check().is_err());
        assert!(TrainParams::default().max_iterations(0).check().is_err());
        assert!(TrainParams::default().check().is_ok());
    }

    fn ex(text: &str, label: Label) -> Example {
        Example {
            text: text.into(),
            label,
            line: 0,
            doc: None,
        }
    }

    #[test]
    fn one_class_is_an_error() {
        let data = vec![ex("a b", Label::Neutral), ex("a c", Label::Neutral)];
        let err = TrainParams::default()
            .check()
            .unwrap()
            .fit(&data, "x", "y")
            .unwrap_err();
        assert!(matches!(err, TrainError::OneClass(Label::Neutral)));
    }

    #[test]
    fn learns_a_separable_toy_problem() {
        let mut data = Vec::new();
        for i in 0..20 {
            data.push(ex(
                &format!("talks resumed in geneva round {i}"),
                Label::Diplomacy,
            ));
            data.push(ex(
                &format!("the ministry published figures {i}"),
                Label::Neutral,
            ));
        }
        let model = TrainParams::default()
            .check()
            .unwrap()
            .fit(&data, "toy", "0")
            .unwrap();
        assert_eq!(model.predict("talks resumed").label, Label::Diplomacy);
        assert_eq!(model.predict("figures published").label, Label::Neutral);
        // Absent labels get ~zero probability.
        assert!(model.predict("talks").prob(Label::Deterrence) < 1e-6);
    }

    #[test]
    fn split_is_stratified_and_deterministic() {
        let data: Vec<Example> = (0..100)
            .map(|i| {
                ex(
                    &format!("s{i}"),
                    if i % 4 == 0 {
                        Label::Deterrence
                    } else {
                        Label::Neutral
                    },
                )
            })
            .collect();
        let (a, b) = stratified_split(&data, 0.2, 1);
        assert_eq!(b.len(), 20);
        assert_eq!(
            b.iter()
                .filter(|&&i| data[i].label == Label::Deterrence)
                .count(),
            5
        );
        assert_eq!(stratified_split(&data, 0.2, 1), (a, b));
    }
}
