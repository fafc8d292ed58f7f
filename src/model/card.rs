//! The model card: what a model was trained on, how, and how well it did.

use crate::label::LabelMap;

use serde::{Deserialize, Serialize};

use super::params::TrainParams;
use crate::eval::Metrics;

/// Held-out evaluation stored with the model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeldOutMetrics {
    /// How the held-out set was obtained ("file data/stance-test.csv",
    /// "stratified 20% split, seed 42").
    pub method: String,
    /// Rows evaluated.
    pub rows: usize,
    /// Accuracy, macro-F1, per-class figures, confusion and shares.
    pub metrics: Metrics,
    /// Expected calibration error, Brier score and reliability per label,
    /// of the raw and the calibrated probabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<crate::eval::CalibrationMetrics>,
}

/// Metadata saved inside every model file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelCard {
    /// Model file format version.
    pub format_version: u32,
    /// Version of stance that trained it.
    pub stance_version: String,
    /// UTC date of training, `YYYY-MM-DD`.
    pub trained_on: String,
    /// Training file name as given.
    pub training_file: String,
    /// SHA-256 of the training file's bytes.
    pub training_sha256: String,
    /// Rows used, per label.
    pub training_rows_per_label: LabelMap<usize>,
    /// Rows rejected (and skipped with `--skip-invalid`).
    pub rows_rejected: usize,
    /// Hyperparameters.
    pub hyperparameters: TrainParams,
    /// Vocabulary size after feature selection.
    pub vocabulary_size: usize,
    /// The training files, in the order given, with their rows (empty in
    /// models trained before several files were accepted: see
    /// `training_file`).
    #[serde(default)]
    pub training_files: Vec<TrainingFile>,
    /// Held-out figures, one entry per evaluation made (each `--test`
    /// file, or the internal hold-out). Older model files stored one
    /// object or null here; both still load.
    #[serde(default, deserialize_with = "one_or_many")]
    pub held_out: Vec<HeldOutMetrics>,
    /// The held-out file the probabilities were calibrated on (and the
    /// share estimator fitted on); `None` for an uncalibrated model.
    #[serde(default)]
    pub calibration: Option<CalibrationInfo>,
}

/// Where a model's calibration comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CalibrationInfo {
    /// The labeled CSV, as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Rows used.
    pub rows: usize,
    /// Documents among them (the `doc` column; one per row without it).
    pub documents: usize,
    /// The probability calibration ("matrix scaling").
    pub method: String,
    /// The share estimation method ([`crate::quantify::METHOD`]).
    pub share_method: String,
}

/// One training file of a model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainingFile {
    /// The path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Rows used from it, per label.
    pub rows_per_label: LabelMap<usize>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<HeldOutMetrics>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<HeldOutMetrics>),
        One(Box<HeldOutMetrics>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(h)) => vec![*h],
        Some(OneOrMany::Many(v)) => v,
    })
}
