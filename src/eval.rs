//! Classification metrics: accuracy, macro-F1, per-class figures, the
//! confusion matrix, and true versus predicted label shares (the bias a
//! ratio report inherits).

mod calibration;
mod shares;

pub use calibration::{
    BINS, CalibrationMetrics, LabelCalibration, ProbabilityQuality, ReliabilityBin,
};
pub use shares::{CollectionKind, KindFigures, ShareStudy, share_study};

use crate::label::LabelMap;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::label::Label;

/// Precision, recall and F1 of one label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// The label.
    pub label: Label,
    /// Of the sentences predicted with this label, the share that have it.
    pub precision: f64,
    /// Of the sentences that have this label, the share predicted with it.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Sentences that have this label.
    pub support: usize,
}

/// True and predicted share of one label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// Share of sentences with this label.
    #[serde(rename = "true")]
    pub truth: f64,
    /// Share of sentences predicted with this label.
    pub predicted: f64,
}

/// Evaluation of predictions against true labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Share of correct predictions.
    pub accuracy: f64,
    /// Unweighted mean of the per-label F1 scores.
    pub macro_f1: f64,
    /// Per-label precision, recall, F1 and support, in label order.
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[true][predicted]`, in label order.
    pub confusion: [[usize; Label::COUNT]; Label::COUNT],
    /// True versus predicted share of each label.
    pub shares: LabelMap<Share>,
    /// Per-document ratio errors, when the examples name their documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documents: Option<DocumentErrors>,
}

/// How far per-document label shares are from the truth: the error a
/// per-article report carries. Computed over the labeled sentences of each
/// document, so it measures a whole article only where the article was
/// labeled whole (select such rows with `stance eval --where`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentErrors {
    /// Documents evaluated.
    pub documents: usize,
    /// Mean over documents of |predicted - true| escalation-warning ratio.
    pub escalation_ratio_mae: f64,
    /// Mean true escalation-warning ratio of a document (for scale).
    pub mean_true_escalation_ratio: f64,
    /// Mean absolute error of each label's per-document share.
    pub share_mae: LabelMap<f64>,
}

impl DocumentErrors {
    /// Per-document share errors of paired labels grouped by `docs`.
    ///
    /// # Panics
    ///
    /// If the three slices differ in length.
    pub fn compute(docs: &[&str], truth: &[Label], predicted: &[Label]) -> DocumentErrors {
        assert!(docs.len() == truth.len() && truth.len() == predicted.len());
        let mut by_doc: BTreeMap<&str, ([usize; Label::COUNT], [usize; Label::COUNT])> =
            BTreeMap::new();
        for ((d, t), p) in docs.iter().zip(truth).zip(predicted) {
            let e = by_doc.entry(d).or_default();
            e.0[t.index()] += 1;
            e.1[p.index()] += 1;
        }
        let nd = by_doc.len().max(1) as f64;
        let mut share_mae = LabelMap::<f64>::default();
        let mut true_esc = 0.0;
        for (t, p) in by_doc.values() {
            let n = t.iter().sum::<usize>() as f64;
            for l in Label::ALL {
                let c = l.index();
                share_mae[l] += (t[c] as f64 / n - p[c] as f64 / n).abs() / nd;
            }
            true_esc += t[Label::EscalationWarning.index()] as f64 / n / nd;
        }
        DocumentErrors {
            documents: by_doc.len(),
            escalation_ratio_mae: share_mae[Label::EscalationWarning],
            mean_true_escalation_ratio: true_esc,
            share_mae,
        }
    }
}

/// Predicts every example (in parallel) and compares with its label; with
/// per-document errors when every example names its document.
pub fn evaluate(model: &crate::model::StanceModel, examples: &[crate::data::Example]) -> Metrics {
    use rayon::prelude::*;
    let predicted: Vec<Label> = examples
        .par_iter()
        .map(|e| model.predict(&e.text).label)
        .collect();
    let truth: Vec<Label> = examples.iter().map(|e| e.label).collect();
    let mut m = Metrics::compute(&truth, &predicted);
    let docs: Option<Vec<&str>> = examples.iter().map(|e| e.doc.as_deref()).collect();
    if let Some(docs) = docs.filter(|d| !d.is_empty()) {
        m.documents = Some(DocumentErrors::compute(&docs, &truth, &predicted));
    }
    m
}

/// Raw and calibrated probabilities of every example against its label
/// (the calibrated ones equal the raw ones for an uncalibrated model).
pub fn calibration_metrics(
    model: &crate::model::StanceModel,
    examples: &[crate::data::Example],
) -> CalibrationMetrics {
    use rayon::prelude::*;
    let predictions: Vec<crate::model::Prediction> = examples
        .par_iter()
        .map(|e| model.predict(&e.text))
        .collect();
    let truth: Vec<Label> = examples.iter().map(|e| e.label).collect();
    let raw: Vec<_> = predictions.iter().map(|p| p.raw_probs).collect();
    let calibrated: Vec<_> = predictions.iter().map(|p| p.probs).collect();
    CalibrationMetrics {
        raw: ProbabilityQuality::compute(&raw, &truth),
        calibrated: ProbabilityQuality::compute(&calibrated, &truth),
    }
}

/// The collection study of [`share_study`] on labeled examples grouped by
/// their `doc` column (so the examples should be whole documents, e.g.
/// `--where selection=wire-whole` on the news splits).
pub fn share_study_of(
    model: &crate::model::StanceModel,
    examples: &[crate::data::Example],
    collections: usize,
    size: usize,
    seed: u64,
) -> Result<ShareStudy, String> {
    use rayon::prelude::*;
    let estimator = model.share_estimator().ok_or(
        "the model has no calibration, so no corrected shares (train it with --calibrate)",
    )?;
    if examples.iter().any(|e| e.doc.is_none()) {
        return Err(
            "the file has no doc column: collections are built from whole documents".into(),
        );
    }
    let predictions: Vec<crate::model::Prediction> = examples
        .par_iter()
        .map(|e| model.predict(&e.text))
        .collect();
    let rows: Vec<_> = examples
        .iter()
        .zip(&predictions)
        .map(|(e, p)| {
            (
                e.doc.as_deref().expect("checked"),
                e.label,
                p.label,
                p.probs,
            )
        })
        .collect();
    share_study(estimator, &rows, collections, size, seed)
}

impl Metrics {
    /// Computes the metrics of paired true and predicted labels.
    ///
    /// # Panics
    ///
    /// If `truth` and `predicted` differ in length.
    ///
    /// ```
    /// use stance::{eval::Metrics, Label::*};
    /// let m = Metrics::compute(&[Neutral, Diplomacy], &[Neutral, Neutral]);
    /// assert_eq!(m.accuracy, 0.5);
    /// assert_eq!(m.confusion[Diplomacy as usize][Neutral as usize], 1);
    /// ```
    pub fn compute(truth: &[Label], predicted: &[Label]) -> Metrics {
        assert_eq!(truth.len(), predicted.len());
        let mut confusion = [[0usize; Label::COUNT]; Label::COUNT];
        for (t, p) in truth.iter().zip(predicted) {
            confusion[t.index()][p.index()] += 1;
        }
        let n = truth.len();
        let correct: usize = (0..Label::COUNT).map(|c| confusion[c][c]).sum();
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let per_class: Vec<ClassMetrics> = Label::ALL
            .iter()
            .map(|&l| {
                let c = l.index();
                let tp = confusion[c][c];
                let support: usize = confusion[c].iter().sum();
                let predicted: usize = (0..Label::COUNT).map(|t| confusion[t][c]).sum();
                let precision = ratio(tp, predicted);
                let recall = ratio(tp, support);
                let f1 = if precision + recall == 0.0 {
                    0.0
                } else {
                    2.0 * precision * recall / (precision + recall)
                };
                ClassMetrics {
                    label: l,
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        // Macro-F1 over the labels present in the truth or the predictions,
        // as scikit-learn does.
        let present: Vec<&ClassMetrics> = per_class
            .iter()
            .filter(|m| {
                let c = m.label.index();
                m.support > 0 || (0..Label::COUNT).any(|t| confusion[t][c] > 0)
            })
            .collect();
        let macro_f1 = present.iter().map(|m| m.f1).sum::<f64>() / present.len().max(1) as f64;
        let shares = LabelMap::from_fn(|l| {
            let c = l.index();
            Share {
                truth: ratio(confusion[c].iter().sum(), n),
                predicted: ratio((0..Label::COUNT).map(|t| confusion[t][c]).sum(), n),
            }
        });
        Metrics {
            accuracy: ratio(correct, n),
            macro_f1,
            per_class,
            confusion,
            shares,
            documents: None,
        }
    }

    /// A plain-text rendering for a terminal.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let n: usize = self.confusion.iter().flatten().sum();
        let _ = writeln!(s, "sentences  {n}");
        let _ = writeln!(s, "accuracy   {:.3}", self.accuracy);
        let _ = writeln!(s, "macro-F1   {:.3}\n", self.macro_f1);
        let _ = writeln!(
            s,
            "{:<20} {:>9} {:>7} {:>6} {:>8}",
            "label", "precision", "recall", "F1", "support"
        );
        for m in &self.per_class {
            let _ = writeln!(
                s,
                "{:<20} {:>9.3} {:>7.3} {:>6.3} {:>8}",
                m.label.as_str(),
                m.precision,
                m.recall,
                m.f1,
                m.support
            );
        }
        let _ = writeln!(s, "\nconfusion (rows: true, columns: predicted)");
        let _ = writeln!(
            s,
            "{:<20} {:>10} {:>10} {:>10} {:>10}",
            "", "deterrence", "escalation", "diplomacy", "neutral"
        );
        for l in Label::ALL {
            let row = &self.confusion[l.index()];
            let _ = writeln!(
                s,
                "{:<20} {:>10} {:>10} {:>10} {:>10}",
                l.as_str(),
                row[0],
                row[1],
                row[2],
                row[3]
            );
        }
        let _ = writeln!(s, "\nshare of sentences   true  predicted");
        for (l, sh) in &self.shares {
            let _ = writeln!(
                s,
                "{:<20} {:>5.1}% {:>9.1}%",
                l.as_str(),
                100.0 * sh.truth,
                100.0 * sh.predicted
            );
        }
        if let Some(d) = &self.documents {
            let _ = writeln!(
                s,
                "\nper document ({} documents, mean true escalation ratio {:.3})",
                d.documents, d.mean_true_escalation_ratio
            );
            let _ = writeln!(s, "mean absolute error of the share");
            for (l, e) in &d.share_mae {
                let _ = writeln!(s, "  {:<18} {:.3}", l.as_str(), e);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;

    #[test]
    fn known_values() {
        let t = [Deterrence, Deterrence, Diplomacy, Neutral, Neutral, Neutral];
        let p = [Deterrence, Neutral, Diplomacy, Neutral, Neutral, Diplomacy];
        let m = Metrics::compute(&t, &p);
        assert!((m.accuracy - 4.0 / 6.0).abs() < 1e-12);
        let d = &m.per_class[Deterrence.index()];
        assert_eq!((d.precision, d.recall, d.support), (1.0, 0.5, 2));
        let dip = &m.per_class[Diplomacy.index()];
        assert!((dip.precision - 0.5).abs() < 1e-12 && dip.recall == 1.0);
        // escalation-warning is absent from both: excluded from macro-F1.
        let expected = (2.0 / 3.0 + 2.0 / 3.0 + 2.0 / 3.0) / 3.0;
        assert!((m.macro_f1 - expected).abs() < 1e-12, "{}", m.macro_f1);
        assert!((m.shares[Neutral].truth - 0.5).abs() < 1e-12);
        assert!((m.shares[Diplomacy].predicted - 2.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn document_errors_average_over_documents() {
        // doc a: true 1/2 escalation, predicted 0/2; doc b: 0/2 and 1/2.
        let docs = ["a", "a", "b", "b"];
        let t = [EscalationWarning, Neutral, Neutral, Neutral];
        let p = [Neutral, Neutral, EscalationWarning, Neutral];
        let d = DocumentErrors::compute(&docs, &t, &p);
        assert_eq!(d.documents, 2);
        assert!((d.escalation_ratio_mae - 0.5).abs() < 1e-12);
        assert!((d.mean_true_escalation_ratio - 0.25).abs() < 1e-12);
        assert!((d.share_mae[Neutral] - 0.5).abs() < 1e-12);
        assert!(d.share_mae[Deterrence].abs() < 1e-12);
    }
}
