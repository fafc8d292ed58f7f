//! `stance report`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use stance::Label;
use stance::report::html::{DEFAULT_DETAIL_DOCS, DetailDocs, HtmlMeta};
use stance::report::{Grouping, Report, ReportBuilder};

use super::output::{terminal_safe, write_output};
use super::score::for_each_scored;
use super::{InputArgs, ModelArg};
use stance::report::shorten;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    /// Aligned columns for a terminal.
    Table,
    /// One row per group (loads into pandas with `pd.read_csv`).
    Csv,
    /// `{"group_by": [...], "rows": [...]}` (`pd.json_normalize(d["rows"])`).
    Json,
    /// One self-contained page: charts, the summary table, and every
    /// sentence coloured by its label (up to --html-docs documents).
    Html,
}

/// Escalation-language ratios over collections of documents.
///
/// Groups documents (--by doc, source, date, week, month, year, or a
/// combination such as source,month) and gives per group: documents, scored
/// sentences, boilerplate lines left out, documents_not_english (detected
/// as another language: left out of every other figure unless
/// --any-language; the model reads English), count and share of each label
/// (JSON counts.<label>, shares.<label>; CSV counts_<label>, shares_<label>),
/// escalation_ratio (escalation-warning / scored sentences, counted) with
/// its 95 % Wilson interval; escalation_share (corrected for the
/// classifier's errors) with escalation_share_low/_high, a 95 % interval
/// that includes the classifier's error, and likewise deterrence_share,
/// diplomacy_share, neutral_share (method: share_method, "pacc":
/// probabilistic adjusted classify-and-count on calibrated probabilities);
/// mean_escalation_prob (mean calibrated probability), and
/// escalation_diplomacy_balance = (esc - dip) / (esc + dip).
///
/// Which to quote: escalation_share for how much escalation language a
/// collection carries (it is measured to be within 2 points on held-out
/// news collections of 20 articles, and its interval to cover the truth);
/// escalation_ratio only for what the per-sentence labels say.
///
/// Collections (CSV or JSONL) carry `text` and optional `id`, `title`,
/// `source`, `date` columns; dates that cannot be read are reported with
/// their line, never guessed.
///
/// Examples:
///
///   stance report article.txt
///   stance report articles.csv --by source,month --format csv -o report.csv
///   stance report articles.jsonl --by month --top 3
///   stance report articles.csv --by source --format html -o report.html
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ReportArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    model: ModelArg,

    /// Grouping: doc, source, date, week, month, year, or a comma-separated
    /// combination.
    #[arg(long, default_value = "doc", value_name = "GROUPING")]
    by: Grouping,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    format: ReportFormat,

    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Also list the N sentences with the highest escalation probability per
    /// group.
    #[arg(long, default_value_t = 0, value_name = "N")]
    top: usize,

    /// HTML format: show at most N documents sentence by sentence (the
    /// charts and summary always cover every document; the page says how
    /// many were left out).
    #[arg(long, default_value_t = DEFAULT_DETAIL_DOCS, value_name = "N")]
    html_docs: usize,

    /// HTML format: top terms shown per sentence.
    #[arg(long, default_value_t = 3, value_name = "N")]
    html_terms: usize,

    /// CSV format: write group keys exactly as they are. By default a key
    /// (a source name, a document id) that starts with =, +, -, @, a tab or
    /// a carriage return gets a leading ' so that a spreadsheet shows it
    /// instead of running it as a formula (CSV injection).
    #[arg(long)]
    csv_raw: bool,
}

pub fn run(a: ReportArgs) -> anyhow::Result<ExitCode> {
    if let Some(out) = &a.output {
        // Before any work; the inputs are checked once listed.
        stance::atomic::check_not_an_input(out, a.model.model.as_deref())
            .and_then(|_| stance::atomic::check_output(out))
            .map_err(anyhow::Error::msg)?;
    }
    let (model, model_name) = a.model.load()?;
    let mut builder = ReportBuilder::new(a.by.clone(), a.top)
        .with_share_estimator(model.share_estimator().cloned());
    // Only the HTML page shows documents; the others keep none.
    let mut details = DetailDocs::new(if a.format == ReportFormat::Html {
        a.html_docs
    } else {
        0
    });
    for_each_scored(
        &a.input,
        &model,
        a.output.as_deref(),
        0,
        |d| d,
        |mut d| {
            builder.add(&d);
            if !d.skipped_language && details.has_room() {
                // Explained here, for the few documents the page shows:
                // the renderer only draws.
                stance::score::explain_document(&model, &mut d, a.html_terms);
            }
            if !d.skipped_language {
                details.push(d);
            }
            Ok(())
        },
    )?;
    if let Some(w) = builder.duplicate_warning() {
        eprintln!("stance: warning: {}", super::output::stderr_safe(&w));
    }
    let report = builder.finish();
    let bytes = match a.format {
        ReportFormat::Html => {
            let meta = HtmlMeta {
                inputs: a
                    .input
                    .paths()
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect(),
                model: model_name,
            };
            stance::report::html::render(&report, &details, &model, &meta)
                .map_err(|e| anyhow::anyhow!("drawing the HTML report's charts: {e}"))?
                .into_bytes()
        }
        ReportFormat::Table => table(&report).into_bytes(),
        ReportFormat::Csv => report.to_csv(a.csv_raw)?,
        ReportFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&report)?;
            v.push(b'\n');
            v
        }
    };
    write_output(a.output.as_deref(), &bytes)?;
    if let Some(path) = &a.output
        && !a.input.quiet
    {
        eprintln!(
            "stance: wrote {} ({} groups, {} bytes)",
            path.display(),
            report.rows.len(),
            bytes.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn table(report: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let key_names: Vec<&str> = report.group_by.iter().map(|g| g.name()).collect();
    let key_width = report
        .rows
        .iter()
        .map(|r| r.key_values(&report.group_by).join(" / ").chars().count())
        .chain([key_names.join(" / ").len()])
        .max()
        .unwrap_or(8)
        .min(48);
    let _ = writeln!(
        s,
        "{:<kw$}  {:>5} {:>6} {:>5} {:>5}  {:>6} {:>6} {:>6} {:>6}  {:>17}  {:>18}  {:>18}  {:>6} {:>7}",
        key_names.join(" / "),
        "docs",
        "sents",
        "boil",
        "!eng",
        "deter",
        "escal",
        "diplo",
        "neutr",
        "counted esc (95%)",
        "esc share (95%)",
        "dip share (95%)",
        "p(esc)",
        "balance",
        kw = key_width
    );
    let interval = |e: Option<stance::quantify::ShareEstimate>| match e {
        Some(e) => format!(
            "{:>5.1}% [{:>4.1}-{:>4.1}]",
            100.0 * e.share,
            100.0 * e.low,
            100.0 * e.high
        ),
        None => "-".into(),
    };
    for r in &report.rows {
        let key = shorten(&r.key_values(&report.group_by).join(" / "), 48);
        let key = terminal_safe(&key);
        let pct = |l: Label| format!("{:.1}%", 100.0 * r.shares[l]);
        let _ = writeln!(
            s,
            "{:<kw$}  {:>5} {:>6} {:>5} {:>5}  {:>6} {:>6} {:>6} {:>6}  {:>17}  {:>18}  {:>18}  {:>6} {:>7}",
            key,
            r.documents,
            r.sentences,
            r.boilerplate,
            r.documents_not_english,
            pct(Label::Deterrence),
            pct(Label::EscalationWarning),
            pct(Label::Diplomacy),
            pct(Label::Neutral),
            match (
                r.escalation_ratio,
                r.escalation_ratio_low,
                r.escalation_ratio_high
            ) {
                (Some(p), Some(lo), Some(hi)) => format!(
                    "{:>5.1}% [{:>4.1}-{:>4.1}]",
                    100.0 * p,
                    100.0 * lo,
                    100.0 * hi
                ),
                _ => "-".into(),
            },
            interval(r.corrected.get(Label::EscalationWarning)),
            interval(r.corrected.get(Label::Diplomacy)),
            r.mean_escalation_prob
                .map_or_else(|| "-".into(), |m| format!("{m:.3}")),
            r.escalation_diplomacy_balance
                .map(|b| format!("{b:+.2}"))
                .unwrap_or_else(|| "-".into()),
            kw = key_width
        );
        for t in &r.top {
            let _ = writeln!(
                s,
                "    {:.2}  {}  [{}#{}]",
                t.escalation_prob,
                terminal_safe(&shorten(&t.text, 90)),
                terminal_safe(&t.doc),
                t.sentence
            );
        }
    }
    let _ = writeln!(
        s,
        "{}",
        match &report.share_method {
            Some(m) => format!(
                "counted: top labels counted (Wilson interval); share: corrected for the classifier's errors ({m}: adjusted classify-and-count on calibrated probabilities), 95% interval with the classifier's error"
            ),
            None => "counted: top labels counted (Wilson interval); no corrected shares: the model has no calibration".into(),
        }
    );
    s
}
