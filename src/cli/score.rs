//! `stance score`, and the streaming, parallel scoring loop that `report`
//! shares.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::Serialize;
use stance::Label;
use stance::analysis::sentences::MAX_SENTENCE_CHARS;
use stance::input::{Document, InputFormat, ReadWarnings, Source, expand_inputs, read_source};
use stance::model::StanceModel;
use stance::score::{ScoredDocument, Segmentation, score_document};

use super::output::{Progress, csv_safe, stdout_file_id, stdout_writer, terminal_safe, truncate};
use super::{InputArgs, ModelArg};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ScoreFormat {
    /// Aligned columns for a person at a terminal.
    Table,
    /// One JSON object per sentence.
    Jsonl,
    /// One CSV row per sentence.
    Csv,
}

/// Label every sentence of one or more documents.
///
/// Each document is split into sentences (headlines, abbreviations, quotes
/// and decimals handled); web-page boilerplate such as "Previous Article"
/// or "Leave a Comment" is left out and counted. Each sentence gets a label
/// and the probability of each of the four labels.
///
/// JSONL records: {"doc", "sentence" (index), "line", "text", "label",
/// "probs": {"deterrence", "escalation-warning", "diplomacy", "neutral"}}
/// plus "top_terms" with --explain.
///
/// Examples:
///
///   stance score article.txt
///   stance score articles/ --format jsonl > scored.jsonl
///   echo "Both sides called for restraint." | stance score --sentences -
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ScoreArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    model: ModelArg,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    format: ScoreFormat,

    /// Show the terms that pushed each sentence toward its label.
    #[arg(long)]
    explain: bool,

    /// Number of terms shown with --explain.
    #[arg(long, default_value_t = 3, value_name = "N")]
    terms: usize,

    /// JSONL and CSV: also write the classifier's raw (uncalibrated)
    /// probabilities (`raw_probs`; CSV columns `raw_p_*`). `probs` are
    /// calibrated on held-out news when the model has a calibration.
    #[arg(long)]
    raw_probs: bool,

    /// Table format: do not shorten long sentences.
    #[arg(long)]
    wide: bool,

    /// CSV format: write text cells exactly as they are. By default a cell
    /// (doc, text, top_terms) that starts with =, +, -, @, a tab or a
    /// carriage return gets a leading ' so that a spreadsheet shows it
    /// instead of running it as a formula (CSV injection).
    #[arg(long)]
    csv_raw: bool,
}

/// Reads every input, scores documents in parallel batches, applies `map`
/// to each scored document in the same parallel step (rendering output
/// there keeps the main thread free for reading and writing), and hands the
/// results to `sink` in input order. Memory is bounded by the batch.
/// `output` is the `-o` file, if any: an input that is that file is refused
/// before any work. An input that is the file stdout goes to is skipped
/// with a warning (`stance score d/ > d/scored.jsonl` would otherwise read
/// its own output, forever).
pub fn for_each_scored<T: Send>(
    input: &InputArgs,
    model: &StanceModel,
    output: Option<&Path>,
    map: impl Fn(ScoredDocument) -> T + Sync,
    mut sink: impl FnMut(T) -> anyhow::Result<()>,
) -> anyhow::Result<ReadWarnings> {
    let mut warnings = ReadWarnings {
        skip_invalid: input.skip_invalid,
        on_skip: Some(|m| eprintln!("stance: warning: {m}")),
        ..ReadWarnings::default()
    };
    let mut sources = expand_inputs(&input.paths(), &mut warnings)?;
    let files = || {
        sources.iter().filter_map(|s| match s {
            Source::File(p) => Some(p.as_path()),
            Source::Stdin => None,
        })
    };
    if let Some(out) = output {
        stance::atomic::check_not_an_input(out, files()).map_err(anyhow::Error::msg)?;
    }
    if let Some(stdout) = stdout_file_id() {
        sources.retain(|s| match s {
            Source::File(p) if std::fs::metadata(p).is_ok_and(|m| (m.dev(), m.ino()) == stdout) => {
                warnings.push(format!(
                    "{}: not read: it is the file this command's output goes to",
                    p.display()
                ));
                false
            }
            _ => true,
        });
        if sources.is_empty() {
            bail!("nothing to read: {}", warnings.messages.join("; "));
        }
    }
    let format = input.format();
    let mode = if format == InputFormat::Lines {
        Segmentation::Lines
    } else {
        Segmentation::Split
    };
    let columns = input.columns();
    let progress = Progress::new(input.quiet);
    // Over-long sentences cut into pieces, found while scoring.
    let cuts = std::cell::RefCell::new(ReadWarnings::default());
    const BATCH_BYTES: usize = 4 << 20;
    let mut batch: Vec<Document> = Vec::new();
    let mut batch_bytes = 0;
    let flush = |batch: &mut Vec<Document>,
                 sink: &mut dyn FnMut(T) -> anyhow::Result<()>|
     -> anyhow::Result<()> {
        let done: Vec<_> = std::mem::take(batch)
            .into_par_iter()
            .map(|d| {
                let d = score_document(model, d, mode);
                let cut = (d.cut.len(), d.cut.first().copied());
                let id = if cut.0 > 0 {
                    d.doc.id.clone()
                } else {
                    String::new()
                };
                (d.sentences.len(), cut, id, map(d))
            })
            .collect();
        for (n, (cut, first), id, t) in done {
            if let Some(line) = first {
                let what = match cut {
                    1 => "a run of text".to_string(),
                    n => format!("{n} runs of text (the first here)"),
                };
                let at = match line {
                    0 => format!("{id} (title)"),
                    l => format!("{id}:{l}"),
                };
                cuts.borrow_mut().push(format!(
                    "{at}: {what} of more than {MAX_SENTENCE_CHARS} characters without a sentence end: cut into pieces at clause or word boundaries, each scored as a sentence"
                ));
            }
            progress.inc(n);
            sink(t)?;
        }
        Ok(())
    };
    let mut documents = 0usize;
    for source in &sources {
        let read = read_source(source, format, &columns, &mut warnings, |doc| {
            documents += 1;
            batch_bytes += doc.text.len();
            batch.push(doc);
            if batch_bytes >= BATCH_BYTES || batch.len() >= 4096 {
                batch_bytes = 0;
                flush(&mut batch, &mut sink)?;
            }
            Ok(())
        });
        if let Err(e) = read {
            // Every document read before the error is handed on, so that
            // the output holds exactly what came before it.
            flush(&mut batch, &mut sink)?;
            progress.finish();
            return Err(e);
        }
    }
    flush(&mut batch, &mut sink)?;
    progress.finish();
    if documents == 0 {
        bail!("empty input: no documents found");
    }
    let cuts = cuts.into_inner();
    for w in &cuts.messages {
        eprintln!("stance: warning: {w}");
    }
    if cuts.count > cuts.messages.len() {
        eprintln!(
            "stance: warning: ... and {} more documents with text cut into pieces",
            cuts.count - cuts.messages.len()
        );
    }
    // Skipped records were reported as they were met.
    let skipped = warnings.skipped;
    let mut shown = 0;
    for w in (warnings.messages.iter()).filter(|m| !m.ends_with("(record skipped)")) {
        eprintln!("stance: warning: {w}");
        shown += 1;
    }
    if warnings.count - skipped > shown {
        eprintln!(
            "stance: warning: ... and {} more",
            warnings.count - skipped - shown
        );
    }
    if skipped > 0 {
        eprintln!(
            "stance: warning: {} skipped (--skip-invalid)",
            count(skipped, "invalid record")
        );
    }
    Ok(warnings)
}

pub fn run(a: ScoreArgs) -> anyhow::Result<ExitCode> {
    let (model, _) = a.model.load()?;
    let mut out = stdout_writer();
    let mut totals = (0usize, 0usize, 0usize); // documents, sentences, boilerplate
    if a.format == ScoreFormat::Csv {
        let mut header = vec![
            "doc",
            "sentence",
            "line",
            "label",
            "p_deterrence",
            "p_escalation_warning",
            "p_diplomacy",
            "p_neutral",
            "text",
            "top_terms",
        ];
        if a.raw_probs {
            header.extend(RAW_COLUMNS);
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(header)?;
        out.write_all(&w.into_inner()?)?;
    }
    let explain = a.explain.then_some(a.terms);
    let render = |d: ScoredDocument| -> anyhow::Result<(usize, usize, Vec<u8>)> {
        let mut buf = Vec::with_capacity(256 * d.sentences.len());
        match a.format {
            ScoreFormat::Jsonl => write_jsonl(&mut buf, &model, &d, explain, a.raw_probs)?,
            ScoreFormat::Csv => write_csv(&mut buf, &model, &d, explain, a.raw_probs, a.csv_raw)?,
            ScoreFormat::Table => write_table(&mut buf, &model, &d, explain, a.wide)?,
        }
        Ok((d.sentences.len(), d.boilerplate.len(), buf))
    };
    for_each_scored(&a.input, &model, None, render, |rendered| {
        let (sentences, boilerplate, bytes) = rendered?;
        totals.0 += 1;
        totals.1 += sentences;
        totals.2 += boilerplate;
        out.write_all(&bytes)?;
        Ok(())
    })?;
    out.flush()?;
    if !a.input.quiet {
        eprintln!(
            "stance: scored {} in {}; {} left out",
            count(totals.1, "sentence"),
            count(totals.0, "document"),
            count(totals.2, "boilerplate line")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// "1 sentence", "2 sentences".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Probabilities rounded to 4 decimals, in label order.
#[derive(Serialize)]
struct Probs {
    deterrence: f64,
    #[serde(rename = "escalation-warning")]
    escalation_warning: f64,
    diplomacy: f64,
    neutral: f64,
}

impl Probs {
    fn new(p: &[f32; Label::COUNT]) -> Probs {
        let r = |v: f32| (v as f64 * 1e4).round() / 1e4;
        Probs {
            deterrence: r(p[0]),
            escalation_warning: r(p[1]),
            diplomacy: r(p[2]),
            neutral: r(p[3]),
        }
    }
}

#[derive(Serialize)]
struct Term {
    term: String,
    contribution: f64,
}

/// One JSONL record, serialized straight from borrowed data.
#[derive(Serialize)]
struct Record<'a> {
    doc: &'a str,
    sentence: usize,
    line: usize,
    text: &'a str,
    label: Label,
    probs: Probs,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_probs: Option<Probs>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_terms: Option<Vec<Term>>,
}

fn write_jsonl(
    out: &mut impl Write,
    model: &StanceModel,
    d: &ScoredDocument,
    explain: Option<usize>,
    raw_probs: bool,
) -> anyhow::Result<()> {
    for s in &d.sentences {
        let top_terms = explain.map(|k| {
            model
                .explain(&s.text, s.prediction.label, k)
                .into_iter()
                .map(|t| Term {
                    term: t.term,
                    contribution: (t.contribution as f64 * 1e4).round() / 1e4,
                })
                .collect()
        });
        let rec = Record {
            doc: &d.doc.id,
            sentence: s.index,
            line: s.line,
            text: &s.text,
            label: s.prediction.label,
            probs: Probs::new(&s.prediction.probs),
            raw_probs: raw_probs.then(|| Probs::new(&s.prediction.raw_probs)),
            top_terms,
        };
        serde_json::to_writer(&mut *out, &rec)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn terms_text(model: &StanceModel, text: &str, label: Label, k: usize) -> String {
    model
        .explain(text, label, k)
        .iter()
        .map(|t| format!("{} (+{:.2})", t.term, t.contribution))
        .collect::<Vec<_>>()
        .join(", ")
}

/// CSV columns of the raw probabilities (with `--raw-probs`).
const RAW_COLUMNS: [&str; 4] = [
    "raw_p_deterrence",
    "raw_p_escalation_warning",
    "raw_p_diplomacy",
    "raw_p_neutral",
];

fn write_csv(
    out: &mut impl Write,
    model: &StanceModel,
    d: &ScoredDocument,
    explain: Option<usize>,
    raw_probs: bool,
    csv_raw: bool,
) -> anyhow::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(&mut *out);
    for s in &d.sentences {
        let p = &s.prediction.probs;
        let terms = explain
            .map(|k| terms_text(model, &s.text, s.prediction.label, k))
            .unwrap_or_default();
        let mut record = vec![
            csv_safe(&d.doc.id, csv_raw).into_owned(),
            s.index.to_string(),
            s.line.to_string(),
            s.prediction.label.as_str().to_string(),
        ];
        record.extend(p.iter().map(|v| format!("{v:.4}")));
        record.push(csv_safe(&s.text, csv_raw).into_owned());
        record.push(csv_safe(&terms, csv_raw).into_owned());
        if raw_probs {
            record.extend(s.prediction.raw_probs.iter().map(|v| format!("{v:.4}")));
        }
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}

fn write_table(
    out: &mut impl Write,
    model: &StanceModel,
    d: &ScoredDocument,
    explain: Option<usize>,
    wide: bool,
) -> anyhow::Result<()> {
    let n = d.sentences.len();
    let esc = d
        .sentences
        .iter()
        .filter(|s| s.prediction.label == Label::EscalationWarning)
        .count();
    match d.doc.part {
        // Input read in parts (one sentence per line): one header.
        Some(p) if p.index > 0 => {}
        Some(_) => {
            writeln!(
                out,
                "== {}  (one sentence per line)",
                terminal_safe(&d.doc.id)
            )?;
            writeln!(out, "{:>4}  {:<18}  {:>5}  sentence", "#", "label", "prob")?;
        }
        None => {
            writeln!(
                out,
                "== {}  ({}, {} left out)",
                terminal_safe(&d.doc.id),
                count(n, "sentence"),
                count(d.boilerplate.len(), "boilerplate line")
            )?;
            writeln!(out, "{:>4}  {:<18}  {:>5}  sentence", "#", "label", "prob")?;
        }
    }
    for s in &d.sentences {
        let text = if wide {
            s.text.clone()
        } else {
            truncate(&s.text, 100)
        };
        writeln!(
            out,
            "{:>4}  {:<18}  {:>5.2}  {}",
            s.index,
            s.prediction.label.as_str(),
            s.prediction.prob(s.prediction.label),
            terminal_safe(&text)
        )?;
        if let Some(k) = explain {
            let terms = terms_text(model, &s.text, s.prediction.label, k);
            if !terms.is_empty() {
                writeln!(out, "{:>33}{}", "↳ ", terminal_safe(&terms))?;
            }
        }
    }
    if n > 0 {
        let scope = match d.doc.part {
            Some(_) => format!(
                "lines {}-{}: ",
                d.sentences[0].line,
                d.sentences[n - 1].line
            ),
            None => String::new(),
        };
        writeln!(
            out,
            "   {scope}escalation ratio {esc}/{n} = {:.1}%\n",
            100.0 * esc as f64 / n as f64
        )?;
    }
    Ok(())
}
