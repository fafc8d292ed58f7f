//! Scoring whole documents: split into sentences, leave boilerplate out,
//! label every sentence. `stance score` and `stance report` both go through
//! [`score_document`], so their counts agree by construction.

use serde::Serialize;

use crate::analysis::sentences::{MAX_SENTENCE_CHARS, cut_long_sentence};
use crate::analysis::{SegmentKind, split_document};
use crate::input::Document;
use crate::language::Language;
use crate::model::{Prediction, StanceModel, TermContribution};

/// How a document's text is cut into sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segmentation {
    /// The sentence splitter, with boilerplate detection.
    Split,
    /// Every non-empty line is one sentence, as given.
    Lines,
}

/// One sentence of a scored document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredSentence {
    /// 0-based index among the document's scored sentences.
    pub index: usize,
    /// 1-based line where the sentence's block (paragraph, or run of
    /// wrapped lines) starts: [`crate::analysis::Segment::block_line`].
    pub line: usize,
    /// The sentence.
    pub text: String,
    /// Label and probabilities.
    pub prediction: Prediction,
    /// The terms that pushed the sentence most toward its label, strongest
    /// first: [`StanceModel::explain`], computed while scoring when
    /// [`ScoreOptions::explain`] asks for them (or by [`explain_document`]);
    /// empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub top_terms: Vec<TermContribution>,
}

/// A scored document.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredDocument {
    /// The document (its text is kept for reports that show it).
    pub doc: Document,
    /// Scored sentences, title first if there is one.
    pub sentences: Vec<ScoredSentence>,
    /// Boilerplate lines left out of scoring, with their lines (0 for what
    /// extraction from HTML or Markdown left out).
    pub boilerplate: Vec<(usize, String)>,
    /// The line of each run of text longer than
    /// [`crate::analysis::sentences::MAX_SENTENCE_CHARS`]
    /// that was cut into pieces (each piece is scored as a sentence).
    pub cut: Vec<usize>,
    /// Detected language; `None` when not judged (too short, or the
    /// detector is unsure), which is treated as English.
    pub language: Option<Language>,
    /// True when the document was not scored because it is not in English
    /// (see [`ScoreOptions::any_language`]): it has no sentences.
    pub skipped_language: bool,
}

impl ScoredDocument {
    /// What every front end says when runs of text were cut into pieces
    /// ([`ScoredDocument::cut`]): "a run of text of more than 1000
    /// characters without a sentence end: cut into pieces ...", or "3 runs
    /// of text (the first here) of more than ..."; `None` when nothing was
    /// cut. The caller puts the place in front: the line of the first run
    /// is `cut[0]` (0 for the title).
    pub fn cut_warning(&self) -> Option<String> {
        let what = match self.cut.len() {
            0 => return None,
            1 => "a run of text".to_string(),
            n => format!("{n} runs of text (the first here)"),
        };
        Some(format!(
            "{what} of more than {MAX_SENTENCE_CHARS} characters without a sentence end: cut into pieces at clause or word boundaries, each scored as a sentence"
        ))
    }
}

/// Choices for [`score_document_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreOptions {
    /// Score documents detected as not English too (the model is trained
    /// on English; by default they are left out, with no sentence scored).
    pub any_language: bool,
    /// Explain each sentence's label with up to this many terms
    /// ([`ScoredSentence::top_terms`]); 0 explains nothing.
    pub explain: usize,
}

/// Splits and scores one document, whatever its language (its language is
/// detected and recorded). See [`score_document_with`].
pub fn score_document(model: &StanceModel, doc: Document, mode: Segmentation) -> ScoredDocument {
    let opts = ScoreOptions {
        any_language: true,
        ..ScoreOptions::default()
    };
    score_document_with(model, doc, mode, opts)
}

/// Fills [`ScoredSentence::top_terms`] of a document scored without
/// explanations, with up to `k` terms per sentence: what a report that
/// shows a few documents of a large collection runs on those few only.
pub fn explain_document(model: &StanceModel, d: &mut ScoredDocument, k: usize) {
    for s in &mut d.sentences {
        s.top_terms = model.explain(&s.text, s.prediction.label, k);
    }
}

/// Splits and scores one document. With [`Segmentation::Split`], segments
/// without a letter or digit are left out as boilerplate; with
/// [`Segmentation::Lines`] every non-empty line is scored, so output lines
/// stay aligned with input lines. A document detected as not English is
/// not scored unless `opts.any_language`.
pub fn score_document_with(
    model: &StanceModel,
    doc: Document,
    mode: Segmentation,
    opts: ScoreOptions,
) -> ScoredDocument {
    score_document_reporting(model, doc, mode, opts, &|_| {})
}

/// Sentences between two calls of the progress callback of
/// [`score_document_reporting`].
pub const PROGRESS_EVERY: usize = 1024;

/// [`score_document_with`], calling `progress` (on the thread that scores)
/// with the sentences scored since its last call: every [`PROGRESS_EVERY`]
/// sentences and once at the end, so that progress advances within a large
/// document. The calls add up to the document's sentences.
pub fn score_document_reporting(
    model: &StanceModel,
    doc: Document,
    mode: Segmentation,
    opts: ScoreOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> ScoredDocument {
    let mut sentences = Vec::new();
    let mut boilerplate: Vec<(usize, String)> =
        doc.left_out.iter().map(|l| (0, l.clone())).collect();
    let language = crate::language::detect(doc.title.as_deref(), &doc.text);
    if !opts.any_language && language.is_some_and(|l| !l.is_english()) {
        return ScoredDocument {
            doc,
            sentences,
            boilerplate,
            language,
            skipped_language: true,
            cut: Vec::new(),
        };
    }
    let mut cut = Vec::new();
    // A part of a larger document continues its line and sentence numbers.
    let part = doc.part.unwrap_or_default();
    let mut push = |line: usize, text: String| {
        let (prediction, top_terms) = match opts.explain {
            0 => (model.predict(&text), Vec::new()),
            k => model.predict_explained(&text, k),
        };
        sentences.push(ScoredSentence {
            index: part.sentence_offset + sentences.len(),
            line,
            text,
            prediction,
            top_terms,
        });
        if sentences.len() % PROGRESS_EVERY == 0 {
            progress(PROGRESS_EVERY);
        }
    };
    if let Some(title) = doc
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.len() > MAX_SENTENCE_CHARS {
            let pieces = cut_long_sentence(&title);
            if pieces.len() > 1 {
                cut.push(0);
            }
            for p in pieces {
                push(0, p);
            }
        } else {
            push(0, title);
        }
    }
    match mode {
        Segmentation::Lines => {
            for (i, line) in doc.text.lines().enumerate() {
                let t = line.trim();
                let line = part.line_offset + i + 1;
                if t.len() > MAX_SENTENCE_CHARS {
                    let pieces = cut_long_sentence(t);
                    if pieces.len() > 1 {
                        cut.push(line);
                    }
                    for p in pieces {
                        push(line, p);
                    }
                } else if !t.is_empty() {
                    push(line, t.to_string());
                }
            }
        }
        Segmentation::Split => {
            for seg in split_document(&doc.text) {
                if seg.cut == Some(0) {
                    cut.push(seg.block_line);
                }
                match seg.kind {
                    // A "sentence" without a letter or digit (a row of
                    // dashes, emoji, "* * *") has nothing to label: it is
                    // left out and counted like other page furniture.
                    SegmentKind::Sentence if !seg.text.chars().any(char::is_alphanumeric) => {
                        boilerplate.push((seg.block_line, seg.text))
                    }
                    SegmentKind::Sentence => push(seg.block_line, seg.text),
                    SegmentKind::Boilerplate => boilerplate.push((seg.block_line, seg.text)),
                }
            }
        }
    }
    if sentences.len() % PROGRESS_EVERY > 0 {
        progress(sentences.len() % PROGRESS_EVERY);
    }
    ScoredDocument {
        doc,
        sentences,
        boilerplate,
        language,
        skipped_language: false,
        cut,
    }
}
