//! The streaming, parallel scoring pipeline shared by `stance score`,
//! `stance report` and any program built on the library: inputs are
//! expanded and read one document at a time, scored in parallel batches,
//! and handed on in input order, so memory stays bounded by a batch however
//! large the collection.
//!
//! ```
//! use stance::pipeline::{ScoreInputs, score_inputs};
//!
//! let model = stance::model::StanceModel::embedded().unwrap();
//! let inputs = ScoreInputs::new(vec!["examples/seed-article.txt".into()]);
//! let mut sentences = 0;
//! let summary = score_inputs::<_, stance::input::InputError>(
//!     &inputs,
//!     &model,
//!     &mut |_warning: &str| {},
//!     |doc| doc.sentences.len(),
//!     |n| {
//!         sentences += n;
//!         Ok(())
//!     },
//! )
//! .unwrap();
//! assert_eq!((summary.documents, sentences), (1, 25));
//! ```

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::input::{
    Columns, Document, InputError, InputFormat, ReadWarnings, ScanFilter, Source,
    expand_inputs_with, read_source,
};
use crate::model::StanceModel;
use crate::score::{ScoreOptions, ScoredDocument, Segmentation, score_document_reporting};

/// What to read and how.
#[derive(Debug, Clone)]
pub struct ScoreInputs {
    /// Files and directories (recursive); `-` is stdin; empty: stdin.
    pub paths: Vec<PathBuf>,
    /// How to read them.
    pub format: InputFormat,
    /// Column names of collections.
    pub columns: Columns,
    /// Skip invalid collection records (each reported through
    /// `on_skip`) instead of stopping at the first.
    pub skip_invalid: bool,
    /// Called with each skipped record's message as it is met.
    pub on_skip: Option<fn(&str)>,
    /// Scoring choices (languages).
    pub options: ScoreOptions,
    /// A file (device, inode) never to read: where the output goes, so
    /// that `score dir/ > dir/out.jsonl` does not read its own output.
    pub never_read: Option<(u64, u64)>,
    /// The output file, if any: an input that is this file is an error
    /// before any work.
    pub output: Option<PathBuf>,
    /// Which files of walked directories are read (`--glob`, `--exclude`).
    pub scan: ScanFilter,
}

impl ScoreInputs {
    /// Reads `paths` with the defaults: format from the extension, columns
    /// `text`, `id`, `title`, `source`, `date`, stop at an invalid record,
    /// documents not in English left out.
    pub fn new(paths: Vec<PathBuf>) -> ScoreInputs {
        ScoreInputs {
            paths,
            format: InputFormat::Auto,
            columns: Columns::default(),
            skip_invalid: false,
            on_skip: None,
            options: ScoreOptions::default(),
            never_read: None,
            output: None,
            scan: ScanFilter::default(),
        }
    }
}

/// What a run saw besides the documents.
#[derive(Debug, Default)]
pub struct Summary {
    /// Documents read (a document read in parts counts once per part).
    pub documents: usize,
    /// Sentences scored.
    pub sentences: usize,
    /// Problems found while reading (also passed to the warning callback).
    pub warnings: ReadWarnings,
    /// Documents detected as not in English, in input order: id, language.
    pub not_english: Vec<(String, &'static str)>,
    /// Of those, the ones left out (all of them unless
    /// [`ScoreOptions::any_language`]).
    pub not_english_skipped: usize,
}

/// Reads every input, scores documents in parallel batches, applies `map`
/// to each scored document in the same parallel step (rendering output
/// there keeps the calling thread free for reading and writing), and hands
/// the results to `sink` in input order. `warning` gets each problem that
/// does not stop the run (an input skipped, a run of text cut into pieces,
/// a date that cannot be read), after the documents; `sink`'s error stops
/// the run. Memory is bounded by the batch (4 MiB of text or 4,096
/// documents).
pub fn score_inputs<T: Send, E: From<InputError>>(
    inputs: &ScoreInputs,
    model: &StanceModel,
    warning: &mut dyn FnMut(&str),
    map: impl Fn(ScoredDocument) -> T + Sync,
    sink: impl FnMut(T) -> Result<(), E>,
) -> Result<Summary, E> {
    score_inputs_with_progress(inputs, model, warning, &|_| {}, map, sink)
}

/// [`score_inputs`], calling `progress` with the sentences scored since its
/// last call, from the threads that score, as they are scored: every
/// [`crate::score::PROGRESS_EVERY`] sentences within a document and at its end,
/// so that it advances within a large document too.
pub fn score_inputs_with_progress<T: Send, E: From<InputError>>(
    inputs: &ScoreInputs,
    model: &StanceModel,
    warning: &mut dyn FnMut(&str),
    progress: &(dyn Fn(usize) + Sync),
    map: impl Fn(ScoredDocument) -> T + Sync,
    mut sink: impl FnMut(T) -> Result<(), E>,
) -> Result<Summary, E> {
    let invalid = |m: String| E::from(InputError::Invalid(m));
    let mut warnings = ReadWarnings {
        skip_invalid: inputs.skip_invalid,
        on_skip: inputs.on_skip,
        ..ReadWarnings::default()
    };
    let mut sources = expand_inputs_with(&inputs.paths, &inputs.scan, &mut warnings)
        .map_err(|e| E::from(InputError::from(e)))?;
    if let Some(out) = &inputs.output {
        let files = sources.iter().filter_map(|s| match s {
            Source::File(p) => Some(p.as_path()),
            Source::Stdin => None,
        });
        crate::atomic::check_not_an_input(out, files).map_err(invalid)?;
    }
    if let Some(id) = inputs.never_read {
        sources.retain(|s| match s {
            Source::File(p) if std::fs::metadata(p).is_ok_and(|m| (m.dev(), m.ino()) == id) => {
                warnings.push(format!(
                    "{}: not read: it is the file this command's output goes to",
                    p.display()
                ));
                false
            }
            _ => true,
        });
        if sources.is_empty() {
            return Err(invalid(format!(
                "nothing to read: {}",
                warnings.messages.join("; ")
            )));
        }
    }
    let format = inputs.format;
    let mode = if format == InputFormat::Lines {
        Segmentation::Lines
    } else {
        Segmentation::Split
    };
    let opts = inputs.options;
    let mut summary = Summary::default();
    // Over-long sentences cut into pieces, found while scoring.
    let mut cuts = ReadWarnings::default();
    const BATCH_BYTES: usize = 4 << 20;
    const BATCH_DOCUMENTS: usize = 4096;
    let mut flush = |batch: &mut Vec<Document>,
                     summary: &mut Summary,
                     sink: &mut dyn FnMut(T) -> Result<(), E>|
     -> Result<(), E> {
        let done: Vec<(usize, Option<Foreign>, Option<String>, T)> = std::mem::take(batch)
            .into_par_iter()
            .map(|d| {
                let d = score_document_reporting(model, d, mode, opts, progress);
                // Later parts of a document read in parts are not counted again.
                let first = d.doc.part.is_none_or(|p| p.index == 0);
                let foreign = d
                    .language
                    .filter(|l| first && !l.is_english())
                    .map(|l| (d.doc.id.clone(), l.name, d.skipped_language));
                // Where the first run was cut, and what to say of it.
                let cut = d.cut_warning().map(|w| match d.cut[0] {
                    0 => format!("{} (title): {w}", d.doc.id),
                    l => format!("{}:{l}: {w}", d.doc.id),
                });
                (d.sentences.len(), foreign, cut, map(d))
            })
            .collect();
        for (n, foreign, cut, t) in done {
            if let Some(cut) = cut {
                cuts.push(cut);
            }
            summary.sentences += n;
            if let Some((id, name, skipped)) = foreign {
                summary.not_english.push((id, name));
                summary.not_english_skipped += usize::from(skipped);
            }
            sink(t)?;
        }
        Ok(())
    };
    // A reader thread reads and batches documents while the batch before is
    // scored and handed on: reading, scoring and writing overlap. The queue
    // holds one batch, so memory stays bounded by about three batches.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Document>>(1);
    let columns = &inputs.columns;
    let mut reader_warnings = std::mem::take(&mut warnings);
    let sources = &sources;
    let (read, documents, flushed) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let warnings = &mut reader_warnings;
            let mut documents = 0usize;
            let mut batch: Vec<Document> = Vec::new();
            let mut batch_bytes = 0;
            for source in sources {
                let read = read_source(source, format, columns, warnings, |doc| {
                    documents += 1;
                    batch_bytes += doc.text.len();
                    batch.push(doc);
                    if batch_bytes >= BATCH_BYTES || batch.len() >= BATCH_DOCUMENTS {
                        batch_bytes = 0;
                        // The scoring side has stopped (its sink failed):
                        // stop reading too.
                        tx.send(std::mem::take(&mut batch))
                            .map_err(|_| InputError::Invalid(String::new()))?;
                    }
                    Ok(())
                });
                if read.is_err() {
                    // Every document read before the error is handed on, so
                    // that the output holds exactly what came before it.
                    let _ = tx.send(batch);
                    return (read, documents, reader_warnings);
                }
            }
            let _ = tx.send(batch);
            (Ok(()), documents, reader_warnings)
        });
        let mut flushed = Ok(());
        while let Ok(mut batch) = rx.recv() {
            flushed = flush(&mut batch, &mut summary, &mut sink);
            if flushed.is_err() {
                break;
            }
        }
        drop(rx);
        let (read, documents, w) = match reader.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        warnings = w;
        (read, documents, flushed)
    });
    // The sink's error first: the reader only stopped because of it.
    flushed?;
    read.map_err(E::from)?;
    if documents == 0 {
        // Say which files were read: a CSV with only its header, a JSONL
        // file of blank lines, or records all skipped.
        const NAMED: usize = 3;
        let mut names: Vec<String> = sources.iter().take(NAMED).map(|s| s.name()).collect();
        if sources.len() > NAMED {
            names.push(format!("and {} more", sources.len() - NAMED));
        }
        return Err(invalid(format!(
            "{}: empty input: no documents found (a collection needs a record after its header)",
            names.join(", ")
        )));
    }
    for w in &cuts.messages {
        warning(w);
    }
    if cuts.count > cuts.messages.len() {
        warning(&format!(
            "... and {} more documents with text cut into pieces",
            cuts.count - cuts.messages.len()
        ));
    }
    // Skipped records were reported as they were met.
    let skipped = warnings.skipped;
    let mut shown = 0;
    for w in (warnings.messages.iter()).filter(|m| !m.ends_with("(record skipped)")) {
        warning(w);
        shown += 1;
    }
    if warnings.count - skipped > shown {
        warning(&format!(
            "... and {} more",
            warnings.count - skipped - shown
        ));
    }
    if skipped > 0 {
        warning(&format!(
            "{} skipped (--skip-invalid)",
            if skipped == 1 {
                "1 invalid record".to_string()
            } else {
                format!("{skipped} invalid records")
            }
        ));
    }
    summary.documents = documents;
    summary.warnings = warnings;
    Ok(summary)
}

/// A document not in English: its id, language name, and whether it was
/// left out of scoring.
type Foreign = (String, &'static str, bool);
