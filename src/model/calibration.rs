//! Calibrated probabilities: matrix scaling of the classifier's scores,
//! fitted on held-out data.
//!
//! The classifier is trained with balanced class weights and a prior shift
//! chosen for macro-F1, so its probabilities over-state the rare labels
//! (on the news test split its mean `escalation-warning` probability is
//! 6.3 % where 2.6 % of sentences are escalation). A [`Calibration`] maps
//! the log of the raw probabilities through a small multinomial logistic
//! model (4 × 4 weights and 4 intercepts: "matrix scaling", Guo et al.
//! 2017) fitted by `linfa-logistic` on labeled sentences the classifier did
//! not see, so that among sentences given p(escalation) = 0.1, about one in
//! ten is escalation. The label of a sentence stays the classifier's
//! decision; only the probabilities change.

use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::label::Label;

/// Smallest probability whose log is taken (a raw probability of exactly
/// 0 would have no finite log).
const FLOOR: f32 = 1e-7;

/// L2 regularisation of the calibration fit (the summed log loss of a few
/// thousand rows: light, it only keeps the weights finite when a label is
/// rare).
const ALPHA: f32 = 1.0;

/// A fitted matrix scaling: `calibrated = softmax(W · ln(raw) + b)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// `weights[c][k]`: weight of ln(raw p_k) in label c's logit.
    pub weights: [[f32; Label::COUNT]; Label::COUNT],
    /// Intercept per label.
    pub intercept: [f32; Label::COUNT],
}

/// Why a calibration could not be fitted.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// A label has too few rows in the calibration set.
    #[error(
        "the calibration set has {rows} row(s) labeled {label}; calibration needs at least {MIN_ROWS_PER_LABEL} of each label"
    )]
    TooFewRows {
        /// The label.
        label: Label,
        /// Its rows.
        rows: usize,
    },
    /// The optimiser failed.
    #[error("fitting the calibration: {0}")]
    Fit(String),
}

/// Rows of each label a calibration set needs.
pub const MIN_ROWS_PER_LABEL: usize = 10;

impl Calibration {
    /// The identity map (calibrated = raw).
    pub fn identity() -> Calibration {
        let mut weights = [[0.0; Label::COUNT]; Label::COUNT];
        for (c, row) in weights.iter_mut().enumerate() {
            row[c] = 1.0;
        }
        Calibration {
            weights,
            intercept: [0.0; Label::COUNT],
        }
    }

    /// Fits the map on raw probabilities and the true labels of the same
    /// rows.
    ///
    /// # Panics
    ///
    /// If `raw` and `truth` differ in length.
    pub fn fit(
        raw: &[[f32; Label::COUNT]],
        truth: &[Label],
    ) -> Result<Calibration, CalibrationError> {
        assert_eq!(raw.len(), truth.len(), "one label per row");
        for label in Label::ALL {
            let rows = truth.iter().filter(|&&t| t == label).count();
            if rows < MIN_ROWS_PER_LABEL {
                return Err(CalibrationError::TooFewRows { label, rows });
            }
        }
        let x = Array2::from_shape_fn((raw.len(), Label::COUNT), |(i, k)| log(raw[i][k]));
        let y: Array1<Label> = truth.iter().copied().collect();
        let fitted = MultiLogisticRegression::default()
            .alpha(ALPHA)
            .max_iterations(500)
            .fit(&Dataset::new(x, y))
            .map_err(|e| CalibrationError::Fit(e.to_string()))?;
        let mut cal = Calibration {
            weights: [[0.0; Label::COUNT]; Label::COUNT],
            intercept: [0.0; Label::COUNT],
        };
        let (w, b) = (fitted.params(), fitted.intercept());
        for (col, label) in fitted.classes().iter().enumerate() {
            let c = label.index();
            cal.intercept[c] = b[col];
            for k in 0..Label::COUNT {
                cal.weights[c][k] = w[[k, col]];
            }
        }
        Ok(cal)
    }

    /// Calibrated probabilities of raw probabilities.
    pub fn apply(&self, raw: &[f32; Label::COUNT]) -> [f32; Label::COUNT] {
        let z = raw.map(log);
        let mut logits = self.intercept;
        for (l, w) in logits.iter_mut().zip(&self.weights) {
            // Accumulated onto the intercept in label order (the order the
            // shipped model's card figures were computed in).
            *l = w.iter().zip(&z).fold(*l, |acc, (w, z)| acc + w * z);
        }
        super::softmax(logits)
    }

    /// True if every weight and intercept is finite.
    pub fn is_finite(&self) -> bool {
        self.weights
            .iter()
            .flatten()
            .chain(&self.intercept)
            .all(|v| v.is_finite())
    }
}

fn log(p: f32) -> f32 {
    p.max(FLOOR).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_keeps_probabilities() {
        let p = [0.1, 0.2, 0.3, 0.4];
        let q = Calibration::identity().apply(&p);
        for (a, b) in p.iter().zip(q) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn fit_shrinks_overconfident_scores() {
        // Scores that say 0.7 for a label that is right half the time.
        let mut raw = Vec::new();
        let mut truth = Vec::new();
        for i in 0..400 {
            let c = i % 4;
            let mut p = [0.1; 4];
            p[c] = 0.7;
            raw.push(p);
            truth.push(Label::ALL[if i % 8 < 4 { c } else { (c + 1) % 4 }]);
        }
        let cal = Calibration::fit(&raw, &truth).unwrap();
        let q = cal.apply(&raw[0]);
        assert!((q[0] - 0.5).abs() < 0.05, "{q:?}");
        let err = Calibration::fit(&raw[..20], &truth[..20]).unwrap_err();
        assert!(err.to_string().contains("at least 10"), "{err}");
    }
}
