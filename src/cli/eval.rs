//! `stance eval`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use stance::data::read_labeled_csv_where;

use super::ModelArg;
use stance::Label;
use stance::eval::{
    CalibrationMetrics, Metrics, ShareStudy, calibration_metrics, evaluate, share_study_of,
};

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
/// For a calibrated model, the expected calibration error (10 bins) and
/// Brier score of each label's probabilities, raw and calibrated.
/// With `--shares N`: N collections of --collection-size whole documents
/// of each kind (random; mostly neutral; escalation-heavy), and for each
/// label the mean absolute error of the counted share and of the corrected
/// share, and how often the corrected share's 95 % interval holds the true
/// share (the rows of one `doc` must be a whole document).
/// JSON keys: accuracy, macro_f1, per_class, confusion, shares, documents,
/// calibration, share_study.
///
/// Examples:
///
///   stance eval data/stance-test.csv --format json
///   stance eval data/news-test.csv --where selection=wire-whole --shares 300
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

    /// Also measure corrected shares on N collections of whole documents
    /// per kind (random, mostly neutral, escalation-heavy).
    #[arg(long, value_name = "N")]
    shares: Option<usize>,

    /// Documents per collection with --shares.
    #[arg(long, default_value_t = 20, value_name = "K", requires = "shares")]
    collection_size: usize,

    /// Seed of the collection draws with --shares.
    #[arg(long, default_value_t = 1, requires = "shares")]
    seed: u64,

    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: EvalFormat,
}

#[derive(serde::Serialize)]
struct Evaluation {
    #[serde(flatten)]
    metrics: Metrics,
    #[serde(skip_serializing_if = "Option::is_none")]
    calibration: Option<CalibrationMetrics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    share_study: Option<ShareStudy>,
}

pub fn run(a: EvalArgs) -> anyhow::Result<ExitCode> {
    let (model, name) = a.model.load()?;
    let data = read_labeled_csv_where(
        &a.csv,
        a.filter.as_ref().map(|(c, v)| (c.as_str(), v.as_str())),
    )?;
    if !data.rejected.is_empty() {
        super::output::print_rejections(&data);
        bail!(
            "{}: {} row(s) rejected (listed above); fix them to evaluate",
            a.csv.display(),
            data.rejected.len()
        );
    }
    if a.shares == Some(0) || a.collection_size == 0 {
        bail!("--shares and --collection-size must be at least 1");
    }
    let e = Evaluation {
        metrics: evaluate(&model, &data.examples),
        calibration: model
            .calibration()
            .is_some()
            .then(|| calibration_metrics(&model, &data.examples)),
        share_study: match a.shares {
            Some(n) => Some(
                share_study_of(&model, &data.examples, n, a.collection_size, a.seed)
                    .map_err(|e| anyhow::anyhow!("{}: --shares: {e}", a.csv.display()))?,
            ),
            None => None,
        },
    };
    match a.format {
        EvalFormat::Json => outln!("{}", serde_json::to_string_pretty(&e)?),
        EvalFormat::Text => {
            outln!("model      {name}");
            outln!("data       {}", a.csv.display());
            out!("{}", e.metrics.to_text());
            if let Some(c) = &e.calibration {
                outln!();
                outln!("calibration (ECE: 10 bins)      raw ECE  raw Brier   cal. ECE  cal. Brier");
                for l in Label::ALL {
                    let (r, k) = (&c.raw.per_label[l], &c.calibrated.per_label[l]);
                    outln!(
                        "  {:<28} {:>8.4} {:>10.4} {:>10.4} {:>11.4}",
                        l.as_str(),
                        r.ece,
                        r.brier,
                        k.ece,
                        k.brier
                    );
                }
                outln!(
                    "  {:<28} {:>8.4} {:>21.4}",
                    "log loss",
                    c.raw.log_loss,
                    c.calibrated.log_loss
                );
            }
            if let Some(s) = &e.share_study {
                outln!();
                out!("{}", s.to_text());
            }
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
