//! Figures over a whole report: totals over its groups, and the time
//! series of a report grouped by time first (what the HTML page draws, and
//! what any other front end can show).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Report;
use crate::label::{Label, LabelMap};

/// Sums over every group of a report.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Totals {
    pub documents: usize,
    pub sentences: usize,
    pub boilerplate: usize,
    /// Sentences per label.
    pub counts: LabelMap<usize>,
    /// Sums of calibrated probabilities (what corrected shares are
    /// estimated from), in label order.
    pub prob_sums: [f64; Label::COUNT],
}

impl Totals {
    /// The share of scored sentences with label `l` (0 with none).
    pub fn share(&self, l: Label) -> f64 {
        ratio(self.counts[l], self.sentences)
    }
}

/// One time step of a report grouped by time first: its key (`2024-03`)
/// and its figures summed over the other dimensions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimePoint {
    pub key: String,
    /// Escalation-warning sentences.
    pub escalation: usize,
    /// Scored sentences.
    pub sentences: usize,
    /// Sums of calibrated probabilities, in label order.
    pub prob_sums: [f64; Label::COUNT],
}

/// The time series of a report, in time order, and the documents without a
/// date that it leaves out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeSeries {
    pub points: Vec<TimePoint>,
    pub undated_documents: usize,
}

impl Report {
    /// Sums over every group.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for r in &self.rows {
            t.documents += r.documents;
            t.sentences += r.sentences;
            t.boilerplate += r.boilerplate;
            for l in Label::ALL {
                t.counts[l] += r.counts[l];
            }
            for (sum, p) in t.prob_sums.iter_mut().zip(r.prob_sums) {
                *sum += p;
            }
        }
        t
    }

    /// The time series, when the grouping starts with a time dimension
    /// (`month`, `month,source`...): figures summed per time key over the
    /// other dimensions. `None` for other groupings.
    pub fn time_series(&self) -> Option<TimeSeries> {
        let first = *self.group_by.first()?;
        if !first.is_time() {
            return None;
        }
        let mut by_key: BTreeMap<&str, TimePoint> = BTreeMap::new();
        let mut undated = 0;
        for r in &self.rows {
            let Some(k) = r.key.value(first) else {
                undated += r.documents;
                continue;
            };
            let p = by_key.entry(k).or_insert_with(|| TimePoint {
                key: k.to_string(),
                escalation: 0,
                sentences: 0,
                prob_sums: [0.0; Label::COUNT],
            });
            p.escalation += r.counts[Label::EscalationWarning];
            p.sentences += r.sentences;
            for (sum, x) in p.prob_sums.iter_mut().zip(r.prob_sums) {
                *sum += x;
            }
        }
        Some(TimeSeries {
            points: by_key.into_values().collect(),
            undated_documents: undated,
        })
    }
}

/// `k / n`, 0 when `n` is 0.
pub(crate) fn ratio(k: usize, n: usize) -> f64 {
    if n == 0 { 0.0 } else { k as f64 / n as f64 }
}

#[cfg(test)]
mod tests {
    use crate::input::Document;
    use crate::model::StanceModel;
    use crate::report::{GroupBy, Grouping, Report, ReportBuilder};
    use crate::score::{ScoredDocument, Segmentation, score_document};

    fn scored(model: &StanceModel) -> Vec<ScoredDocument> {
        let doc = |id: &str, source: Option<&str>, date: Option<&str>, text: &str| Document {
            id: id.into(),
            source: source.map(Into::into),
            date: date.map(|d| crate::input::parse_date(d).unwrap()),
            text: text.into(),
            ..Document::default()
        };
        [
            doc(
                "a",
                Some("Wire"),
                Some("2024-03-05"),
                "Talks resumed in Geneva. The risk of a wider war is growing.",
            ),
            doc(
                "b",
                Some("Daily"),
                Some("2024-04-01"),
                "Both sides called for restraint.",
            ),
            doc("c", None, None, "Missiles were moved to the border."),
        ]
        .into_iter()
        .map(|d| score_document(model, d, Segmentation::Split))
        .collect()
    }

    fn report(docs: &[ScoredDocument], grouping: &str) -> Report {
        let mut b = ReportBuilder::new(grouping.parse::<Grouping>().unwrap(), 0);
        for d in docs {
            b.add(d);
        }
        b.finish()
    }

    #[test]
    fn time_series_sums_other_dimensions_and_skips_undated() {
        let model = StanceModel::embedded().unwrap();
        let docs = scored(&model);
        let r = report(&docs, "month,source");
        let t = r.time_series().unwrap();
        assert_eq!(t.undated_documents, 1);
        let keys: Vec<&str> = t.points.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["2024-03", "2024-04"]);
        assert_eq!(t.points[0].sentences, docs[0].sentences.len());
        assert!(report(&docs, "source,month").time_series().is_none());
    }

    #[test]
    fn totals_add_up_and_missing_keys_are_none_not_text() {
        let model = StanceModel::embedded().unwrap();
        let docs = scored(&model);
        let r = report(&docs, "source");
        let t = r.totals();
        assert_eq!(t.documents, 3);
        assert_eq!(
            t.sentences,
            docs.iter().map(|d| d.sentences.len()).sum::<usize>()
        );
        assert_eq!(t.counts.values().sum::<usize>(), t.sentences);
        // The undated, sourceless document's group: no value, written with
        // the placeholder; a source literally named "(no source)" would be
        // a value.
        let none = r
            .rows
            .iter()
            .find(|r| r.key.value(GroupBy::Source).is_none())
            .unwrap();
        assert_eq!(none.key.text(GroupBy::Source), "(no source)");
        assert_eq!(none.documents, 1);
        let json = serde_json::to_value(&none.key).unwrap();
        assert_eq!(json, serde_json::json!({"source": "(no source)"}));
    }
}
