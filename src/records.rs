//! Per-sentence output records: the fields `stance score --format jsonl`
//! and `--format csv` write, defined once for every front end (the CLI, the
//! HTTP service, the Python package), so their records cannot differ.
//!
//! ```
//! use stance::input::Document;
//! use stance::model::StanceModel;
//! use stance::records::{RecordOptions, write_jsonl};
//! use stance::score::{Segmentation, score_document};
//!
//! let model = StanceModel::embedded().unwrap();
//! let doc = Document {
//!     id: "memo".into(),
//!     text: "Both sides called for restraint. Talks resume on Monday.".into(),
//!     ..Document::default()
//! };
//! let scored = score_document(&model, doc, Segmentation::Split);
//! let mut out = Vec::new();
//! write_jsonl(&mut out, &scored, RecordOptions::default()).unwrap();
//! let first: serde_json::Value = serde_json::from_slice(out.split(|&b| b == b'\n').next().unwrap()).unwrap();
//! assert_eq!(first["doc"], "memo");
//! assert_eq!(first["sentence"], 0);
//! ```

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use crate::Label;
use crate::score::{ScoredDocument, ScoredSentence};

/// What a record holds besides its fixed fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordOptions {
    /// Add the uncalibrated probabilities (`raw_probs`).
    pub raw_probs: bool,
    /// Add the sentence's top terms (`top_terms`), from
    /// [`ScoredSentence::top_terms`] (score with
    /// [`crate::score::ScoreOptions::explain`] to fill them).
    pub explain: bool,
}

/// Probabilities rounded to 4 decimals, in label order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Probs {
    pub deterrence: f64,
    #[serde(rename = "escalation-warning")]
    pub escalation_warning: f64,
    pub diplomacy: f64,
    pub neutral: f64,
}

impl Probs {
    /// `p` (in [`Label::ALL`] order) rounded to 4 decimals.
    pub fn new(p: &[f32; Label::COUNT]) -> Probs {
        Probs {
            deterrence: round4(p[Label::Deterrence.index()]),
            escalation_warning: round4(p[Label::EscalationWarning.index()]),
            diplomacy: round4(p[Label::Diplomacy.index()]),
            neutral: round4(p[Label::Neutral.index()]),
        }
    }
}

fn round4(v: f32) -> f64 {
    (v as f64 * 1e4).round() / 1e4
}

/// One explaining term of a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term<'a> {
    pub term: &'a str,
    /// Rounded to 4 decimals.
    pub contribution: f64,
}

/// One sentence's record, borrowed from its scored document: what a line of
/// `stance score --format jsonl` holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentenceRecord<'a> {
    /// The document's id.
    pub doc: &'a str,
    /// The sentence's index in its document.
    pub sentence: usize,
    /// The line of the input file: for a collection record, the line where
    /// the record starts.
    pub line: usize,
    /// For a collection record: the sentence's line inside its text field
    /// (0 for the title); `None` for other inputs.
    pub field_line: Option<usize>,
    pub text: &'a str,
    pub label: Label,
    /// Calibrated probabilities.
    pub probs: Probs,
    /// The document's language (ISO 639-3), `None` when not judged.
    pub language: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_probs: Option<Probs>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_terms: Option<Vec<Term<'a>>>,
}

impl<'a> SentenceRecord<'a> {
    /// The record of sentence `s` of document `d`.
    pub fn new(d: &'a ScoredDocument, s: &'a ScoredSentence, opts: RecordOptions) -> Self {
        SentenceRecord {
            doc: &d.doc.id,
            sentence: s.index,
            line: d.doc.record_line.unwrap_or(s.line),
            field_line: d.doc.record_line.map(|_| s.line),
            text: &s.text,
            label: s.prediction.label,
            probs: Probs::new(&s.prediction.probs),
            language: d.language.map(|l| l.code),
            raw_probs: opts.raw_probs.then(|| Probs::new(&s.prediction.raw_probs)),
            top_terms: opts.explain.then(|| {
                s.top_terms
                    .iter()
                    .map(|t| Term {
                        term: &t.term,
                        contribution: round4(t.contribution),
                    })
                    .collect()
            }),
        }
    }
}

/// The records of every sentence of `d`, in order.
pub fn records(
    d: &ScoredDocument,
    opts: RecordOptions,
) -> impl Iterator<Item = SentenceRecord<'_>> {
    d.sentences
        .iter()
        .map(move |s| SentenceRecord::new(d, s, opts))
}

/// Writes one JSON object per sentence of `d`, one per line.
pub fn write_jsonl(
    out: &mut impl Write,
    d: &ScoredDocument,
    opts: RecordOptions,
) -> io::Result<()> {
    for rec in records(d, opts) {
        serde_json::to_writer(&mut *out, &rec)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The header of per-sentence CSV output.
pub fn csv_header(opts: RecordOptions) -> Vec<&'static str> {
    let mut h = vec![
        "doc",
        "sentence",
        "line",
        "field_line",
        "label",
        "probs_deterrence",
        "probs_escalation_warning",
        "probs_diplomacy",
        "probs_neutral",
        "text",
    ];
    if opts.explain {
        h.push("top_terms");
    }
    if opts.raw_probs {
        h.extend([
            "raw_probs_deterrence",
            "raw_probs_escalation_warning",
            "raw_probs_diplomacy",
            "raw_probs_neutral",
        ]);
    }
    h.push("language");
    h
}

/// Writes one CSV row per sentence of `d` (no header: see
/// [`csv_header`]). Text cells go through [`csv_safe`] unless `csv_raw`.
pub fn write_csv(
    out: &mut impl Write,
    d: &ScoredDocument,
    opts: RecordOptions,
    csv_raw: bool,
) -> csv::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(&mut *out);
    for s in &d.sentences {
        let mut row = vec![
            csv_safe(&d.doc.id, csv_raw).into_owned(),
            s.index.to_string(),
            d.doc.record_line.unwrap_or(s.line).to_string(),
            d.doc
                .record_line
                .map(|_| s.line.to_string())
                .unwrap_or_default(),
            s.prediction.label.as_str().to_string(),
        ];
        row.extend(s.prediction.probs.iter().map(|v| format!("{v:.4}")));
        row.push(csv_safe(&s.text, csv_raw).into_owned());
        if opts.explain {
            row.push(csv_safe(&terms_text(s), csv_raw).into_owned());
        }
        if opts.raw_probs {
            row.extend(s.prediction.raw_probs.iter().map(|v| format!("{v:.4}")));
        }
        row.push(d.language.map(|l| l.code).unwrap_or_default().to_string());
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// A sentence's top terms as one line of text: `nuclear strike (+1.20),
/// threat (+0.40)`.
pub fn terms_text(s: &ScoredSentence) -> String {
    s.top_terms
        .iter()
        .map(|t| format!("{} (+{:.2})", t.term, t.contribution))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A CSV cell that a spreadsheet would run as a formula (it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, as
/// OWASP advises against CSV injection; other cells are kept as they are.
/// Applied to the text cells (ids, sentences, terms, group keys) of CSV
/// output unless `raw`; numbers are never touched.
pub fn csv_safe(cell: &str, raw: bool) -> Cow<'_, str> {
    if !raw && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_safe_quotes_formula_starts() {
        for c in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_safe(c, false), format!("'{c}"));
            assert_eq!(csv_safe(c, true), c);
        }
        assert_eq!(csv_safe("The talks ended.", false), "The talks ended.");
    }
}
