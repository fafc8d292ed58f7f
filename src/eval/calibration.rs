//! How trustworthy probabilities are: expected calibration error (ECE),
//! Brier score and a reliability table per label.

use crate::label::LabelMap;

use serde::{Deserialize, Serialize};

use crate::label::Label;

/// Bins of the reliability table and the ECE.
pub const BINS: usize = 10;

/// One bin of a reliability table: sentences whose probability of the
/// label fell in `[i/10, (i+1)/10)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// Sentences in the bin.
    pub rows: usize,
    /// Their mean probability of the label.
    pub mean_prob: f64,
    /// The share of them that have the label.
    pub observed: f64,
}

/// Calibration figures of one label's probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelCalibration {
    /// Expected calibration error: the row-weighted mean of
    /// |mean probability - observed share| over the 10 bins.
    pub ece: f64,
    /// Mean squared difference between the probability and the 0/1 truth.
    pub brier: f64,
    /// The reliability table ([`BINS`] bins, empty ones included).
    pub bins: Vec<ReliabilityBin>,
}

impl LabelCalibration {
    /// Figures of probabilities `p` of one label against whether each row
    /// has it.
    ///
    /// # Panics
    ///
    /// If `p` and `has` differ in length.
    pub fn compute(p: &[f32], has: &[bool]) -> LabelCalibration {
        assert_eq!(p.len(), has.len());
        let mut sums = [(0usize, 0.0f64, 0usize); BINS];
        let mut brier = 0.0;
        for (&p, &y) in p.iter().zip(has) {
            let p = p as f64;
            let b = ((p * BINS as f64) as usize).min(BINS - 1);
            sums[b].0 += 1;
            sums[b].1 += p;
            sums[b].2 += y as usize;
            brier += (p - y as u8 as f64).powi(2);
        }
        let n = p.len().max(1) as f64;
        let bins: Vec<ReliabilityBin> = sums
            .iter()
            .map(|&(rows, psum, pos)| ReliabilityBin {
                rows,
                mean_prob: if rows > 0 { psum / rows as f64 } else { 0.0 },
                observed: if rows > 0 {
                    pos as f64 / rows as f64
                } else {
                    0.0
                },
            })
            .collect();
        let ece = bins
            .iter()
            .map(|b| b.rows as f64 / n * (b.mean_prob - b.observed).abs())
            .sum();
        LabelCalibration {
            ece,
            brier: brier / n,
            bins,
        }
    }
}

/// Calibration of each label's probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbabilityQuality {
    /// Mean negative log-probability of the true label.
    pub log_loss: f64,
    /// Per label.
    pub per_label: LabelMap<LabelCalibration>,
}

impl ProbabilityQuality {
    /// Figures of probability rows against true labels.
    ///
    /// # Panics
    ///
    /// If `probs` and `truth` differ in length.
    pub fn compute(probs: &[[f32; Label::COUNT]], truth: &[Label]) -> ProbabilityQuality {
        assert_eq!(probs.len(), truth.len());
        let log_loss = probs
            .iter()
            .zip(truth)
            .map(|(p, t)| -(p[t.index()].max(1e-12) as f64).ln())
            .sum::<f64>()
            / probs.len().max(1) as f64;
        let per_label = LabelMap::from_fn(|l| {
            let p: Vec<f32> = probs.iter().map(|p| p[l.index()]).collect();
            let has: Vec<bool> = truth.iter().map(|&t| t == l).collect();
            LabelCalibration::compute(&p, &has)
        });
        ProbabilityQuality {
            log_loss,
            per_label,
        }
    }
}

/// Raw and calibrated probabilities compared on one held-out set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationMetrics {
    /// The classifier's own probabilities.
    pub raw: ProbabilityQuality,
    /// After the model's calibration.
    pub calibrated: ProbabilityQuality,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ece_and_brier() {
        // Ten rows at p = 0.25, of which 5 positive: |0.25 - 0.5| = 0.25.
        let p = [0.25f32; 10];
        let has: Vec<bool> = (0..10).map(|i| i < 5).collect();
        let c = LabelCalibration::compute(&p, &has);
        assert!((c.ece - 0.25).abs() < 1e-9);
        assert!((c.brier - (5.0 * 0.0625 + 5.0 * 0.5625) / 10.0).abs() < 1e-9);
        assert_eq!(c.bins[2].rows, 10);
        assert_eq!(c.bins.len(), BINS);
        // Perfect: p = 1 for positives, 0 for negatives.
        let c = LabelCalibration::compute(&[1.0, 0.0], &[true, false]);
        assert_eq!((c.ece, c.brier), (0.0, 0.0));
    }
}
