//! `stance calibrate`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use stance::Label;
use stance::data::read_labeled_csv;
use stance::train::{calibrate, held_out_files};

use super::ModelArg;

/// Calibrate a model's probabilities and corrected shares on your own
/// labeled sentences, without retraining.
///
/// The shipped model is calibrated on held-out news (data/news-dev.csv);
/// its corrected shares are measured on news and are wrong for text unlike
/// it (on the speech test split the escalation share is off by 0.27). For
/// another genre, label a few thousand sentences of it (whole documents,
/// with a `doc` column, at least 10 of each label; never sentences you
/// later evaluate on), calibrate on them, and score with the new model.
/// The classifier and its labels are unchanged; `probs` and the report's
/// corrected shares change. Each `--test FILE` is evaluated again and
/// replaces the card's held-out figures.
///
/// Example:
///
///   stance calibrate my-dev.csv -o my.model --test my-test.csv
///   stance report my-articles/ --by month -m my.model
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CalibrateArgs {
    /// Labeled CSV (columns `text`, `label`, and `doc` when sentences come
    /// from documents) the model was not trained on.
    #[arg(value_name = "CSV")]
    csv: PathBuf,

    #[command(flatten)]
    model: ModelArg,

    /// Where to write the calibrated model.
    #[arg(short, long, value_name = "MODEL")]
    output: PathBuf,

    /// Labeled CSV to evaluate the calibrated model on (repeatable).
    #[arg(long, value_name = "CSV")]
    test: Vec<PathBuf>,
}

pub fn run(a: CalibrateArgs) -> anyhow::Result<ExitCode> {
    let inputs = std::iter::once(&a.csv)
        .chain(&a.test)
        .chain(a.model.model.as_ref());
    stance::atomic::check_not_an_input(&a.output, inputs.map(|p| p.as_path()))
        .and_then(|_| stance::atomic::check_output(&a.output))
        .map_err(anyhow::Error::msg)?;
    let (mut model, name) = a.model.load()?;
    let read = |p: &PathBuf| -> anyhow::Result<stance::data::LabeledData> {
        let d = read_labeled_csv(p)?;
        if let Some(r) = d.rejected.first() {
            bail!(
                "{}:{}: {} ({} row(s) rejected in all); fix them to calibrate. No model was written.",
                p.display(),
                r.line,
                r.reason,
                d.rejected.len()
            );
        }
        Ok(d)
    };
    let data = read(&a.csv)?;
    let tests: Vec<_> = a.test.iter().map(read).collect::<anyhow::Result<_>>()?;
    calibrate(
        &mut model,
        &data.examples,
        &a.csv.display().to_string(),
        &data.sha256,
    )
    .with_context(|| format!("calibrating on {}", a.csv.display()))?;
    if !tests.is_empty() {
        model.card.held_out = held_out_files(&model, &tests);
    }
    model
        .save(&a.output)
        .with_context(|| format!("writing {}", a.output.display()))?;
    let c = model.card.calibration.as_ref().expect("just calibrated");
    outln!("model            {name}");
    outln!(
        "calibrated on    {} ({} rows, {} documents)",
        c.path,
        c.rows,
        c.documents
    );
    for h in &model.card.held_out {
        if let Some(q) = &h.calibration {
            let esc =
                |p: &stance::eval::ProbabilityQuality| p.per_label[Label::EscalationWarning].ece;
            outln!(
                "held-out         {}: escalation ECE raw {:.4}, calibrated {:.4}",
                h.method,
                esc(&q.raw),
                esc(&q.calibrated)
            );
        }
    }
    outln!("model written to {}", a.output.display());
    Ok(ExitCode::SUCCESS)
}
