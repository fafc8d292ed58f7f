//! `stance eval`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use stance::data::read_labeled_csv_where;

use super::ModelArg;
use stance::eval::evaluate;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EvalFormat {
    Text,
    Json,
}

/// Evaluate a model on a labeled CSV file.
///
/// Prints accuracy, macro-F1, per-label precision/recall/F1/support, the
/// confusion matrix (rows: true label, columns: predicted), and the true
/// versus predicted share of each label: the bias a ratio report carries.
/// With a `doc` column, the mean absolute error of each document's label
/// shares too (meaningful where documents were labeled whole).
/// JSON keys: accuracy, macro_f1, per_class, confusion, shares, documents.
///
/// Example:
///
///   stance eval data/stance-test.csv --format json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct EvalArgs {
    /// Labeled CSV file (columns `text` and `label`).
    #[arg(value_name = "CSV")]
    csv: PathBuf,

    #[command(flatten)]
    model: ModelArg,

    /// Evaluate only the rows whose COLUMN equals VALUE, e.g.
    /// `--where selection=wire-whole` for the articles labeled whole.
    #[arg(long = "where", value_name = "COLUMN=VALUE", value_parser = parse_where)]
    filter: Option<(String, String)>,

    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: EvalFormat,
}

pub fn run(a: EvalArgs) -> anyhow::Result<ExitCode> {
    let (model, name) = a.model.load()?;
    let data = read_labeled_csv_where(
        &a.csv,
        a.filter.as_ref().map(|(c, v)| (c.as_str(), v.as_str())),
    )?;
    if !data.rejected.is_empty() {
        for r in &data.rejected {
            eprintln!("{}:{}: {}", a.csv.display(), r.line, r.reason);
        }
        bail!(
            "{}: {} row(s) rejected (listed above); fix them to evaluate",
            a.csv.display(),
            data.rejected.len()
        );
    }
    let m = evaluate(&model, &data.examples);
    match a.format {
        EvalFormat::Json => outln!("{}", serde_json::to_string_pretty(&m)?),
        EvalFormat::Text => {
            outln!("model      {name}");
            outln!("data       {}", a.csv.display());
            out!("{}", m.to_text());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_where(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((c, v)) if !c.trim().is_empty() => Ok((c.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("expected COLUMN=VALUE, got {s:?}")),
    }
}
