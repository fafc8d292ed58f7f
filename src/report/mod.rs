//! Escalation-language reports over collections of documents.
//!
//! Documents are grouped (by document, source, date, week, month, year, or
//! a combination such as `source,month`) and each group gets its sentence
//! counts and shares per label, the counted escalation ratio with a 95 %
//! Wilson interval, the corrected share of every label with a 95 %
//! interval that includes the classifier's error (see [`crate::quantify`];
//! for calibrated models), the mean escalation probability, and the
//! escalation-to-diplomacy balance.

#[cfg(feature = "html")]
pub mod html;
mod summary;

pub use summary::{TimePoint, TimeSeries, Totals};

use crate::label::LabelMap;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt;
use std::str::FromStr;

use chrono::Datelike;
use serde::Serialize;

use crate::label::Label;
use crate::quantify::{ShareEstimate, ShareEstimator};
use crate::score::{ScoredDocument, ScoredSentence};

/// One grouping dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Each document its own group.
    Doc,
    /// The document's source (outlet).
    Source,
    /// Publication date, `YYYY-MM-DD`.
    Date,
    /// ISO week, `YYYY-Www`.
    Week,
    /// Month, `YYYY-MM`.
    Month,
    /// Year, `YYYY`.
    Year,
}

impl GroupBy {
    /// Column name in reports.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Doc => "doc",
            GroupBy::Source => "source",
            GroupBy::Date => "date",
            GroupBy::Week => "week",
            GroupBy::Month => "month",
            GroupBy::Year => "year",
        }
    }

    /// True for the time dimensions.
    pub fn is_time(self) -> bool {
        matches!(
            self,
            GroupBy::Date | GroupBy::Week | GroupBy::Month | GroupBy::Year
        )
    }

    /// The document's value in this dimension; `None` when it has none
    /// (no date, no source).
    fn key(self, d: &ScoredDocument) -> Option<String> {
        let doc = &d.doc;
        match self {
            GroupBy::Doc => Some(doc.id.clone()),
            GroupBy::Source => doc.source.clone(),
            GroupBy::Date => doc.date.map(|d| d.format("%Y-%m-%d").to_string()),
            GroupBy::Week => doc.date.map(|d| {
                let w = d.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }),
            GroupBy::Month => doc.date.map(|d| d.format("%Y-%m").to_string()),
            GroupBy::Year => doc.date.map(|d| d.format("%Y").to_string()),
        }
    }

    /// What reports write for a group without a value in this dimension:
    /// `(no date)`, `(no source)`.
    pub fn placeholder(self) -> &'static str {
        match self {
            GroupBy::Doc => "",
            GroupBy::Source => "(no source)",
            GroupBy::Date | GroupBy::Week | GroupBy::Month | GroupBy::Year => "(no date)",
        }
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A grouping: one or more dimensions, e.g. `source,month`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping(pub Vec<GroupBy>);

impl FromStr for Grouping {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let dims = s
            .split(',')
            .map(|p| match p.trim().to_ascii_lowercase().as_str() {
                "doc" | "document" => Ok(GroupBy::Doc),
                "source" | "outlet" => Ok(GroupBy::Source),
                "date" | "day" => Ok(GroupBy::Date),
                "week" => Ok(GroupBy::Week),
                "month" => Ok(GroupBy::Month),
                "year" => Ok(GroupBy::Year),
                other => Err(format!(
                    "unknown grouping {other:?} (use doc, source, date, week, month, year, or a comma-separated combination)"
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if dims.is_empty() {
            return Err("empty grouping".into());
        }
        for (i, d) in dims.iter().enumerate() {
            if dims[..i].contains(d) {
                return Err(format!("{d} appears twice in the grouping"));
            }
        }
        Ok(Grouping(dims))
    }
}

/// A group's key: its value in each dimension of the grouping, in the
/// grouping's order, `None` where its documents have none (no date, no
/// source; written as [`GroupBy::placeholder`]). Serialized as a map from
/// dimension names, e.g. `{"month": "2024-03", "source": "Reuters"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupKey(pub Vec<(GroupBy, Option<String>)>);

impl GroupKey {
    /// The value in dimension `g`; `None` when the group has none or `g`
    /// is not a dimension of the grouping.
    pub fn value(&self, g: GroupBy) -> Option<&str> {
        self.0
            .iter()
            .find(|(d, _)| *d == g)
            .and_then(|(_, v)| v.as_deref())
    }

    /// The value in dimension `g` as reports write it: the value, its
    /// placeholder, or `""` when `g` is not a dimension of the grouping.
    pub fn text(&self, g: GroupBy) -> &str {
        match self.0.iter().find(|(d, _)| *d == g) {
            Some((_, Some(v))) => v,
            Some((d, None)) => d.placeholder(),
            None => "",
        }
    }
}

impl Serialize for GroupKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut dims: Vec<GroupBy> = self.0.iter().map(|(g, _)| *g).collect();
        dims.sort_by_key(|g| g.name());
        let mut m = s.serialize_map(Some(dims.len()))?;
        for g in dims {
            m.serialize_entry(g.name(), self.text(g))?;
        }
        m.end()
    }
}

/// A sentence kept for `--top`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopSentence {
    /// Its document.
    pub doc: String,
    /// Its index in the document.
    pub sentence: usize,
    /// The text.
    pub text: String,
    /// Probability of `escalation-warning`.
    pub escalation_prob: f32,
    /// Predicted label.
    pub label: Label,
}

/// Figures of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    /// The group's key (see [`GroupKey`]).
    pub key: GroupKey,
    /// Documents in the group.
    pub documents: usize,
    /// Sentences scored.
    pub sentences: usize,
    /// Boilerplate lines left out.
    pub boilerplate: usize,
    /// Documents of the group detected as not in English. Unless scored
    /// with `--any-language` they are in no other figure of the row (not
    /// in `documents`, no sentences).
    pub documents_not_english: usize,
    /// Sentences per label.
    pub counts: LabelMap<usize>,
    /// Share of scored sentences per label.
    pub shares: LabelMap<f64>,
    /// escalation-warning sentences / scored sentences; `None` (null, an
    /// empty CSV cell) when the group has no scored sentence.
    pub escalation_ratio: Option<f64>,
    /// Lower bound of the 95 % Wilson interval of the escalation ratio.
    pub escalation_ratio_low: Option<f64>,
    /// Upper bound of the 95 % Wilson interval of the escalation ratio.
    pub escalation_ratio_high: Option<f64>,
    /// Corrected share of each label with its 95 % interval (see
    /// [`crate::quantify`]), serialized flat as `escalation_share`,
    /// `escalation_share_low`, `escalation_share_high`, and likewise
    /// `deterrence_`, `diplomacy_` and `neutral_`; `None` (null) when the
    /// model has no calibration or the group no scored sentence.
    #[serde(flatten)]
    pub corrected: CorrectedShares,
    /// Sum of each label's calibrated probability over the scored
    /// sentences (what the corrected shares are estimated from; lets
    /// merged groups be re-estimated).
    #[serde(skip)]
    pub prob_sums: [f64; Label::COUNT],
    /// Mean probability of escalation-warning over scored sentences (a
    /// confidence-weighted escalation ratio).
    pub mean_escalation_prob: Option<f64>,
    /// (escalation - diplomacy) / (escalation + diplomacy) sentences, in
    /// [-1, 1]; `None` when the group has neither.
    pub escalation_diplomacy_balance: Option<f64>,
    /// Highest-probability escalation sentences (with `--top`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub top: Vec<TopSentence>,
}

/// Corrected shares of one group, per label (`None`: not available).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CorrectedShares(pub Option<[ShareEstimate; Label::COUNT]>);

impl CorrectedShares {
    /// The estimate of one label.
    pub fn get(&self, label: Label) -> Option<ShareEstimate> {
        self.0.map(|e| e[label.index()])
    }

    /// Flat field names in order: escalation first, then the others in
    /// label order; each `_share`, `_share_low`, `_share_high`.
    pub fn names() -> Vec<String> {
        let mut v = Vec::new();
        for l in Self::order() {
            let base = l.as_str().split('-').next().expect("non-empty");
            for suffix in ["share", "share_low", "share_high"] {
                v.push(format!("{base}_{suffix}"));
            }
        }
        v
    }

    /// Values in [`names`](Self::names) order.
    pub fn values(&self) -> Vec<Option<f64>> {
        Self::order()
            .into_iter()
            .flat_map(|l| {
                let e = self.get(l);
                [e.map(|e| e.share), e.map(|e| e.low), e.map(|e| e.high)]
            })
            .collect()
    }

    fn order() -> [Label; Label::COUNT] {
        [
            Label::EscalationWarning,
            Label::Deterrence,
            Label::Diplomacy,
            Label::Neutral,
        ]
    }
}

impl Serialize for CorrectedShares {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3 * Label::COUNT))?;
        for (k, v) in Self::names().iter().zip(self.values()) {
            m.serialize_entry(k, &v)?;
        }
        m.end()
    }
}

/// Shortens `s` to at most `max` characters (at least 1), ending with `…`
/// if it was cut: group keys and sentences in tables and charts.
///
/// ```
/// assert_eq!(stance::report::shorten("Talks resumed in Geneva.", 8), "Talks r…");
/// assert_eq!(stance::report::shorten("Talks.", 8), "Talks.");
/// ```
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.max(1) - 1).collect();
        t.push('…');
        t
    }
}

/// 95 % Wilson score interval of `k` successes in `n` trials.
///
/// ```
/// let (lo, hi) = stance::report::wilson(5, 50);
/// assert!((lo - 0.0435).abs() < 1e-3 && (hi - 0.2136).abs() < 1e-3);
/// ```
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((center - half).max(0.0), (center + half).min(1.0))
}

#[derive(Debug, Default)]
struct Acc {
    documents: usize,
    sentences: usize,
    boilerplate: usize,
    not_english: usize,
    counts: LabelMap<usize>,
    prob_sums: [f64; Label::COUNT],
    top: TopHeap,
}

/// Accumulates scored documents into groups; memory grows with the number
/// of groups (and `--top`), not with the number of documents.
#[derive(Debug)]
pub struct ReportBuilder {
    grouping: Grouping,
    top: usize,
    groups: BTreeMap<Vec<Option<String>>, Acc>,
    duplicate_ids: Vec<String>,
    shares: Option<ShareEstimator>,
}

impl ReportBuilder {
    /// A builder for `grouping`, keeping the `top` highest-escalation
    /// sentences per group.
    pub fn new(grouping: Grouping, top: usize) -> ReportBuilder {
        ReportBuilder {
            grouping,
            top,
            groups: BTreeMap::new(),
            duplicate_ids: Vec::new(),
            shares: None,
        }
    }

    /// Adds corrected shares with intervals to every row, estimated with
    /// `estimator` (from [`crate::model::StanceModel::share_estimator`]).
    pub fn with_share_estimator(mut self, estimator: Option<ShareEstimator>) -> ReportBuilder {
        self.shares = estimator;
        self
    }

    /// Adds one scored document.
    pub fn add(&mut self, d: &ScoredDocument) {
        let key: Vec<Option<String>> = self.grouping.0.iter().map(|g| g.key(d)).collect();
        let acc = self.groups.entry(key).or_default();
        // Later parts of a document read in parts are the same document.
        let continued = d.doc.part.is_some_and(|p| p.index > 0);
        if !continued && d.language.is_some_and(|l| !l.is_english()) {
            acc.not_english += 1;
        }
        if d.skipped_language {
            return;
        }
        if !continued {
            if acc.documents > 0 && self.grouping.0.contains(&GroupBy::Doc) {
                // Two documents with one id land in one row: say so.
                self.duplicate_ids.push(d.doc.id.clone());
            }
            acc.documents += 1;
        }
        acc.boilerplate += d.boilerplate.len();
        for s in &d.sentences {
            acc.sentences += 1;
            acc.counts[s.prediction.label] += 1;
            for (sum, &p) in acc.prob_sums.iter_mut().zip(&s.prediction.probs) {
                *sum += p as f64;
            }
            if self.top > 0 {
                acc.top.push(self.top, &d.doc.id, s);
            }
        }
    }

    /// Document ids seen more than once while grouping by document (their
    /// rows merge them).
    pub fn duplicate_ids(&self) -> &[String] {
        &self.duplicate_ids
    }

    /// What every front end says when ids repeat while grouping by document:
    /// "2 document id(s) appear more than once (first: "a", 6 times); their
    /// rows merge them"; `None` when none does.
    pub fn duplicate_warning(&self) -> Option<String> {
        // One entry per repeat: an id used 6 times is 5 of them.
        let first = self.duplicate_ids.first()?;
        let ids: std::collections::BTreeSet<&String> = self.duplicate_ids.iter().collect();
        let uses = 1 + self.duplicate_ids.iter().filter(|&i| i == first).count();
        Some(format!(
            "{} document id(s) appear more than once (first: {first:?}, {uses} times); their rows merge them",
            ids.len()
        ))
    }

    /// The finished rows, sorted by group key.
    pub fn finish(self) -> Report {
        let dims = self.grouping.0.clone();
        let estimator = self.shares;
        let rows = self
            .groups
            .into_iter()
            .map(|(key, a)| {
                let n = a.sentences;
                let share = |c: usize| if n == 0 { 0.0 } else { c as f64 / n as f64 };
                let esc = a.counts[Label::EscalationWarning];
                let dip = a.counts[Label::Diplomacy];
                let (lo, hi) = wilson(esc, n);
                let defined = |v: f64| (n > 0).then_some(v);
                GroupRow {
                    key: GroupKey(dims.iter().copied().zip(key).collect()),
                    documents: a.documents,
                    sentences: n,
                    boilerplate: a.boilerplate,
                    documents_not_english: a.not_english,
                    counts: a.counts,
                    shares: a.counts.map(|_, &c| share(c)),
                    escalation_ratio: defined(share(esc)),
                    escalation_ratio_low: defined(lo),
                    escalation_ratio_high: defined(hi),
                    corrected: CorrectedShares(
                        estimator.as_ref().and_then(|e| e.estimate(&a.prob_sums, n)),
                    ),
                    prob_sums: a.prob_sums,
                    mean_escalation_prob: defined(
                        a.prob_sums[Label::EscalationWarning.index()] / n.max(1) as f64,
                    ),
                    escalation_diplomacy_balance: (esc + dip > 0)
                        .then(|| (esc as f64 - dip as f64) / (esc + dip) as f64),
                    top: a.top.into_sorted(),
                }
            })
            .collect();
        Report {
            group_by: dims,
            share_method: estimator.map(|_| crate::quantify::METHOD.to_string()),
            rows,
        }
    }
}

/// The `--top` sentences of a group: a heap whose root is the weakest kept
/// sentence, so that each sentence costs O(log k) whatever `k` is.
#[derive(Debug, Default)]
struct TopHeap {
    heap: BinaryHeap<Reverse<Ranked>>,
    /// Sentences offered so far: ties go to the earlier one.
    seen: u64,
}

/// A kept sentence, ordered by strength: higher escalation probability
/// first, and at equal probability the one seen first.
#[derive(Debug)]
struct Ranked {
    seq: u64,
    top: TopSentence,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.top.escalation_prob)
            .total_cmp(&other.top.escalation_prob)
            .then(other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Ranked {}

impl TopHeap {
    /// Offers one sentence; keeps the `k` strongest.
    fn push(&mut self, k: usize, doc: &str, s: &ScoredSentence) {
        let p = s.prediction.prob(Label::EscalationWarning);
        let seq = self.seen;
        self.seen += 1;
        if self.heap.len() >= k {
            // Weaker than (or tied with, and later than) the weakest kept.
            match self.heap.peek() {
                Some(Reverse(w)) if p.total_cmp(&w.top.escalation_prob).is_gt() => {}
                _ => return,
            }
            self.heap.pop();
        }
        self.heap.push(Reverse(Ranked {
            seq,
            top: TopSentence {
                doc: doc.to_string(),
                sentence: s.index,
                text: s.text.clone(),
                escalation_prob: p,
                label: s.prediction.label,
            },
        }));
    }

    /// The kept sentences, strongest first.
    fn into_sorted(self) -> Vec<TopSentence> {
        // Ascending `Reverse` order is strongest first.
        (self.heap.into_sorted_vec().into_iter())
            .map(|Reverse(r)| r.top)
            .collect()
    }
}

/// A finished report: one row per group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The grouping dimensions.
    pub group_by: Vec<GroupBy>,
    /// How the corrected shares were estimated ([`crate::quantify::METHOD`]);
    /// `None` for a model without calibration (the share fields are null).
    pub share_method: Option<String>,
    /// One row per group, sorted by key.
    pub rows: Vec<GroupRow>,
}

impl Report {
    /// The report as CSV, what `stance report --format csv` writes: a
    /// header ([`csv_header`]) and one row per group. Group keys go through
    /// [`crate::records::csv_safe`] unless `raw`.
    pub fn to_csv(&self, raw: bool) -> csv::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(csv_header(&self.group_by))?;
        let keys = self.group_by.len();
        for row in &self.rows {
            let mut values = row.csv_values(&self.group_by);
            for v in &mut values[..keys] {
                *v = crate::records::csv_safe(v, raw).into_owned();
            }
            w.write_record(values)?;
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }
}

/// Flat column names of the CSV form, in order: each is the JSON field's
/// path with `.` and `-` written `_` (`counts.escalation-warning` is
/// `counts_escalation_warning`); the group keys are named by their grouping
/// (`source`, `month`).
pub fn csv_header(group_by: &[GroupBy]) -> Vec<String> {
    let mut h: Vec<String> = group_by.iter().map(|g| g.name().to_string()).collect();
    h.extend(
        [
            "documents",
            "sentences",
            "boilerplate",
            "documents_not_english",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    for l in Label::ALL {
        h.push(format!("counts_{}", l.as_str().replace('-', "_")));
    }
    for l in Label::ALL {
        h.push(format!("shares_{}", l.as_str().replace('-', "_")));
    }
    h.extend(
        [
            "escalation_ratio",
            "escalation_ratio_low",
            "escalation_ratio_high",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h.extend(CorrectedShares::names());
    h.extend(
        [
            "share_method",
            "mean_escalation_prob",
            "escalation_diplomacy_balance",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h
}

impl GroupRow {
    /// The group's key values in the grouping's order.
    pub fn key_values(&self, group_by: &[GroupBy]) -> Vec<String> {
        group_by
            .iter()
            .map(|g| self.key.text(*g).to_string())
            .collect()
    }

    /// Values in [`csv_header`] order.
    pub fn csv_values(&self, group_by: &[GroupBy]) -> Vec<String> {
        let fmt = |x: Option<f64>| x.map(|x| format!("{x:.6}")).unwrap_or_default();
        let mut v = self.key_values(group_by);
        v.push(self.documents.to_string());
        v.push(self.sentences.to_string());
        v.push(self.boilerplate.to_string());
        v.push(self.documents_not_english.to_string());
        for l in Label::ALL {
            v.push(self.counts[l].to_string());
        }
        for l in Label::ALL {
            v.push(format!("{:.6}", self.shares[l]));
        }
        for x in [
            self.escalation_ratio,
            self.escalation_ratio_low,
            self.escalation_ratio_high,
        ] {
            v.push(fmt(x));
        }
        v.extend(self.corrected.values().into_iter().map(fmt));
        v.push(if self.corrected.0.is_some() {
            crate::quantify::METHOD.to_string()
        } else {
            String::new()
        });
        for x in [self.mean_escalation_prob, self.escalation_diplomacy_balance] {
            v.push(fmt(x));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_edges() {
        assert_eq!(wilson(0, 0), (0.0, 0.0));
        let (lo, hi) = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 1e-3);
        let (lo, hi) = wilson(10, 10);
        assert!((lo - 0.7225).abs() < 1e-3 && (hi - 1.0).abs() < 1e-12);
    }

    #[test]
    fn top_keeps_the_strongest_first_and_ties_in_input_order() {
        let sentence = |index: usize, p: f32| ScoredSentence {
            index,
            line: index + 1,
            text: format!("s{index}"),
            prediction: crate::model::Prediction {
                label: Label::Neutral,
                probs: [0.0, p, 0.0, 1.0 - p],
                raw_probs: [0.0, p, 0.0, 1.0 - p],
            },
            top_terms: Vec::new(),
        };
        // Probabilities with many ties.
        let probs: Vec<f32> = (0..200).map(|i| ((i * 37) % 11) as f32 / 10.0).collect();
        for k in [0, 1, 2, 5, 11, 199, 200, 1000, usize::MAX] {
            let mut heap = TopHeap::default();
            for (i, &p) in probs.iter().enumerate() {
                heap.push(k, "d", &sentence(i, p));
            }
            let got: Vec<usize> = heap.into_sorted().iter().map(|t| t.sentence).collect();
            // Stable sort: ties keep input order.
            let mut want: Vec<usize> = (0..probs.len()).collect();
            want.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
            want.truncate(k);
            assert_eq!(got, want, "k = {k}");
        }
    }

    #[test]
    fn grouping_parses() {
        assert_eq!(
            "source,month".parse::<Grouping>().unwrap(),
            Grouping(vec![GroupBy::Source, GroupBy::Month])
        );
        assert!("outlet,fortnight".parse::<Grouping>().is_err());
    }
}
