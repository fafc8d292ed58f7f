//! `stance score`, and the streaming, parallel scoring loop that `report`
//! shares.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use stance::Label;
use stance::model::StanceModel;
use stance::pipeline::{ScoreInputs, Summary, score_inputs_with_progress};
use stance::records::{self, RecordOptions};
use stance::score::{ScoreOptions, ScoredDocument};

use super::output::{Progress, stdout_file_id, stdout_writer, terminal_safe};
use super::{InputArgs, ModelArg};
use stance::report::shorten;

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
/// Saved web pages (.html, .htm) are reduced to their article (navigation,
/// banners, share bars, related links and comments left out and counted);
/// Markdown (.md, .markdown) to its prose (code blocks and tables left out).
///
/// The model is English-only: documents detected as another language are
/// reported and not scored (--any-language scores them anyway).
///
/// JSONL records: {"doc", "sentence" (index), "line" (of the input file;
/// for a CSV or JSONL record, the line where the record starts),
/// "field_line" (for a collection record, the line inside its text field,
/// 0 for the title; else null), "text", "label",
/// "probs": {"deterrence", "escalation-warning", "diplomacy", "neutral"},
/// "language" (ISO 639-3 code such as "eng", null when not judged)}
/// plus "top_terms" with --explain.
///
/// Examples:
///
///   stance score article.txt
///   stance score page.html
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
    /// probabilities (`raw_probs`; CSV columns `raw_probs_*`). `probs` are
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

/// [`stance::pipeline::score_inputs`] on the command's inputs: warnings
/// go to stderr, progress to the progress line. `output` is the `-o` file,
/// if any: an input that is that file is refused before any work. An input
/// that is the file stdout goes to is skipped with a warning (`stance score
/// d/ > d/scored.jsonl` would otherwise read its own output, forever).
/// Documents not in English are left out unless `--any-language`; the
/// first few are named in a warning. `explain` is
/// [`ScoreOptions::explain`]: terms per sentence, 0 for none.
pub fn for_each_scored<T: Send>(
    input: &InputArgs,
    model: &StanceModel,
    output: Option<&Path>,
    explain: usize,
    map: impl Fn(ScoredDocument) -> T + Sync,
    sink: impl FnMut(T) -> anyhow::Result<()>,
) -> anyhow::Result<Summary> {
    let inputs = ScoreInputs {
        paths: input.paths(),
        format: input.format(),
        columns: input.columns(),
        skip_invalid: input.skip_invalid,
        on_skip: Some(|m| eprintln!("stance: warning: {}", super::output::stderr_safe(m))),
        options: ScoreOptions {
            any_language: input.any_language,
            explain,
        },
        never_read: stdout_file_id(),
        output: output.map(Path::to_path_buf),
        scan: stance::input::ScanFilter::new(&input.glob, &input.exclude)?,
    };
    let progress = Progress::new(input.quiet);
    // Printed once the progress line is gone.
    let mut warnings = Vec::new();
    let result = score_inputs_with_progress(
        &inputs,
        model,
        &mut |w| warnings.push(w.to_string()),
        &|n| progress.inc(n),
        map,
        sink,
    );
    progress.finish();
    let summary = result?;
    for w in &warnings {
        eprintln!("stance: warning: {}", super::output::stderr_safe(w));
    }
    warn_languages(&summary, input.any_language);
    Ok(summary)
}

/// Names the first few documents not in English; counts the rest.
fn warn_languages(summary: &Summary, any_language: bool) {
    const NAMED: usize = 5;
    let what = if !any_language {
        "left out (the model reads English; --any-language scores it anyway)"
    } else {
        "scored anyway (--any-language): the model reads English, its labels are unreliable"
    };
    for (id, language) in summary.not_english.iter().take(NAMED) {
        eprintln!(
            "stance: warning: {}: not in English ({language}): {what}",
            super::output::stderr_safe(id)
        );
    }
    if summary.not_english.len() > NAMED {
        eprintln!(
            "stance: warning: ... and {} more documents not in English",
            summary.not_english.len() - NAMED
        );
    }
}

pub fn run(a: ScoreArgs) -> anyhow::Result<ExitCode> {
    let (model, _) = a.model.load()?;
    let mut out = stdout_writer();
    let mut totals = (0usize, 0usize, 0usize); // documents, sentences, boilerplate
    // The CSV header is written with the first document, or at the end if
    // there is none: never before the inputs are checked, so that an error
    // (a missing file, a missing column) leaves stdout empty.
    let records = RecordOptions {
        raw_probs: a.raw_probs,
        explain: a.explain,
    };
    let mut header = None;
    if a.format == ScoreFormat::Csv {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(records::csv_header(records))?;
        header = Some(w.into_inner()?);
    }
    let render = |d: ScoredDocument| -> anyhow::Result<(usize, usize, Vec<u8>)> {
        let mut buf = Vec::with_capacity(256 * d.sentences.len());
        match a.format {
            ScoreFormat::Jsonl => records::write_jsonl(&mut buf, &d, records)?,
            ScoreFormat::Csv => records::write_csv(&mut buf, &d, records, a.csv_raw)?,
            ScoreFormat::Table => write_table(&mut buf, &d, a.explain, a.wide)?,
        }
        Ok((d.sentences.len(), d.boilerplate.len(), buf))
    };
    let explain = if a.explain { a.terms } else { 0 };
    let summary = for_each_scored(&a.input, &model, None, explain, render, |rendered| {
        let (sentences, boilerplate, bytes) = rendered?;
        totals.0 += 1;
        totals.1 += sentences;
        totals.2 += boilerplate;
        if let Some(h) = header.take() {
            out.write_all(&h)?;
        }
        out.write_all(&bytes)?;
        Ok(())
    })?;
    if let Some(h) = header.take() {
        out.write_all(&h)?;
    }
    out.flush()?;
    if !a.input.quiet {
        let foreign = match (summary.not_english.len(), summary.not_english_skipped) {
            (0, _) => String::new(),
            (n, 0) => format!("; {} not in English scored anyway", count(n, "document")),
            (_, n) => format!("; {} not in English left out", count(n, "document")),
        };
        eprintln!(
            "stance: scored {} in {}; {} left out{foreign}",
            count(totals.1, "sentence"),
            count(totals.0 - summary.not_english_skipped, "document"),
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

fn write_table(
    out: &mut impl Write,
    d: &ScoredDocument,
    explain: bool,
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
        None if d.skipped_language => {
            let name = d.language.map_or("?", |l| l.name);
            writeln!(
                out,
                "== {}  (not in English: {name}; not scored, --any-language scores it)\n",
                terminal_safe(&d.doc.id)
            )?;
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
            shorten(&s.text, 100)
        };
        writeln!(
            out,
            "{:>4}  {:<18}  {:>5.2}  {}",
            s.index,
            s.prediction.label.as_str(),
            s.prediction.prob(s.prediction.label),
            terminal_safe(&text)
        )?;
        if explain {
            let terms = records::terms_text(s);
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
