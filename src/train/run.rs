//! A whole training run, as `stance train` does it: labeled files in; a
//! fitted, calibrated, evaluated model with its card out. The CLI, the
//! Python package and the HTTP service share it.
//!
//! ```
//! use stance::data::read_labeled_csv;
//! use stance::train::{Evaluation, TrainParams, TrainingRun};
//!
//! let data = read_labeled_csv("examples/seed-article.labels.csv".as_ref()).unwrap();
//! let params = TrainParams::default().features(None).check().unwrap();
//! let model = TrainingRun {
//!     params: &params,
//!     files: std::slice::from_ref(&data),
//!     evaluation: Evaluation::Holdout { fraction: 0.2, seed: 42 },
//!     calibration: None,
//! }
//! .run()
//! .unwrap();
//! assert_eq!(model.card.held_out.len(), 1);
//! assert_eq!(model.card.training_files[0].path, "examples/seed-article.labels.csv");
//! ```

use crate::data::{Example, LabeledData, label_counts};
use crate::eval::{calibration_metrics, evaluate};
use crate::label::Label;
use crate::model::{HeldOutMetrics, StanceModel, TrainingFile, sha256_hex};

use super::{TrainError, ValidTrainParams, calibrate, stratified_split};

/// How the model is evaluated on data it was not fitted on.
#[derive(Debug, Clone, Copy)]
pub enum Evaluation<'a> {
    /// Each file is evaluated and stored in the card.
    Files(&'a [LabeledData]),
    /// A stratified share of the rows (by sentence) is held out and
    /// evaluated on a model fitted without it; the saved model is then
    /// refitted on every row.
    Holdout {
        /// Share held out, in (0, 0.9).
        fraction: f64,
        /// Seed of the split.
        seed: u64,
    },
    /// No held-out figures.
    None,
}

/// The inputs of one training run.
#[derive(Debug, Clone, Copy)]
pub struct TrainingRun<'a> {
    /// Validated hyperparameters.
    pub params: &'a ValidTrainParams,
    /// Labeled files, used together in this order (their rejected rows are
    /// counted in the card, not used).
    pub files: &'a [LabeledData],
    /// Held-out evaluation.
    pub evaluation: Evaluation<'a>,
    /// Held-out labeled sentences to calibrate the probabilities and fit
    /// the share estimator on (see [`calibrate`]).
    pub calibration: Option<&'a LabeledData>,
}

impl TrainingRun<'_> {
    /// Fits, calibrates and evaluates; the card records the training files,
    /// rejected rows, calibration and held-out figures.
    pub fn run(&self) -> Result<StanceModel, TrainError> {
        let examples: Vec<Example> = self
            .files
            .iter()
            .flat_map(|d| d.examples.iter().cloned())
            .collect();
        let name = self
            .files
            .iter()
            .map(|d| d.path.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let sha = match self.files {
            [one] => one.sha256.clone(),
            files => {
                let joined: String = files.iter().map(|d| format!("{}\n", d.sha256)).collect();
                sha256_hex(joined.as_bytes())
            }
        };
        let fit = |examples: &[Example]| -> Result<StanceModel, TrainError> {
            let mut model = self.params.fit(examples, &name, &sha)?;
            if let Some(c) = self.calibration {
                let path = c.path.display().to_string();
                calibrate(&mut model, &c.examples, &path, &c.sha256).map_err(|e| {
                    TrainError::CalibrationSet {
                        path,
                        source: Box::new(e),
                    }
                })?;
            }
            Ok(model)
        };
        let (mut model, held_out) = match self.evaluation {
            Evaluation::Files(tests) => {
                let model = fit(&examples)?;
                let held = held_out_files(&model, tests);
                (model, held)
            }
            Evaluation::Holdout { fraction, seed } => {
                let (tr, te) = stratified_split(&examples, fraction, seed);
                let pick = |idx: &[usize]| -> Vec<Example> {
                    idx.iter().map(|&i| examples[i].clone()).collect()
                };
                let held = pick(&te);
                let method = format!(
                    "stratified {:.0}% hold-out by sentence (seed {seed}), model refitted on all rows",
                    100.0 * fraction
                );
                let h = held_out(&fit(&pick(&tr))?, method, &held);
                (fit(&examples)?, vec![h])
            }
            Evaluation::None => (fit(&examples)?, Vec::new()),
        };
        model.card.rows_rejected = self.files.iter().map(|d| d.rejected.len()).sum();
        model.card.training_files = self
            .files
            .iter()
            .map(|d| TrainingFile {
                path: d.path.display().to_string(),
                sha256: d.sha256.clone(),
                rows_per_label: label_counts(&d.examples),
            })
            .collect();
        model.card.held_out = held_out;
        Ok(model)
    }
}

/// Held-out figures of `model` on `examples`: metrics, and calibration
/// figures for a calibrated model.
pub fn held_out(model: &StanceModel, method: String, examples: &[Example]) -> HeldOutMetrics {
    HeldOutMetrics {
        method,
        rows: examples.len(),
        metrics: evaluate(model, examples),
        calibration: model
            .calibration()
            .is_some()
            .then(|| calibration_metrics(model, examples)),
    }
}

/// Held-out figures of `model` on each labeled file, named
/// `held-out file PATH` in the card.
pub fn held_out_files(model: &StanceModel, files: &[LabeledData]) -> Vec<HeldOutMetrics> {
    files
        .iter()
        .map(|t| {
            held_out(
                model,
                format!("held-out file {}", t.path.display()),
                &t.examples,
            )
        })
        .collect()
}

/// The label distribution of `examples` with add-one smoothing (a label
/// absent from them keeps a small prior), raised to `power` and
/// renormalised: 1 = that distribution, 0 = uniform (see
/// [`super::TrainParams::target_prior`]).
pub fn smoothed_prior(examples: &[Example], power: f64) -> [f64; Label::COUNT] {
    let counts = label_counts(examples);
    let total = (examples.len() + Label::COUNT) as f64;
    let powered = Label::ALL.map(|l| ((counts[l] as f64 + 1.0) / total).powf(power));
    let sum: f64 = powered.iter().sum();
    powered.map(|p| p / sum)
}
