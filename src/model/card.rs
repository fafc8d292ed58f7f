//! The model card: what a model was trained on, how, and how well it did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::eval::Metrics;
use crate::label::Label;
use crate::train::TrainParams;

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
    pub training_rows_per_label: BTreeMap<Label, usize>,
    /// Rows rejected (and skipped with `--skip-invalid`).
    pub rows_rejected: usize,
    /// Hyperparameters.
    pub hyperparameters: TrainParams,
    /// Vocabulary size after feature selection.
    pub vocabulary_size: usize,
    /// Held-out figures, if an evaluation was made.
    pub held_out: Option<HeldOutMetrics>,
}
