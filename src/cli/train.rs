//! `stance train`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use stance::analysis::AnalyzerConfig;
use stance::data::{Example, LabeledData, read_labeled_csv};
use stance::eval::Metrics;
use stance::features::TfidfParams;
use stance::model::{HeldOutMetrics, StanceModel};
use stance::train::{ClassWeight, TrainParams, stratified_split};

/// Train a model from a labeled CSV file.
///
/// The CSV needs a header with `text` and `label` columns (others are
/// ignored). Labels: deterrence, escalation-warning, diplomacy, neutral (any
/// case; `_` or space for `-`). Every rejected row is listed with its line;
/// by default any rejected row stops training, with `--skip-invalid` they
/// are counted and left out.
///
/// Held-out figures: with `--test FILE` the model is evaluated on that file;
/// otherwise a stratified `--holdout` share is evaluated on a model fitted
/// without it, and the saved model is then refitted on all rows.
///
/// The model is written atomically: a failed run never replaces an existing
/// file.
///
/// Example (rebuilds the shipped model):
///
///   stance train data/stance-train.csv --test data/stance-test.csv -o models/stance-default.model
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct TrainArgs {
    /// Labeled CSV file (columns `text` and `label`).
    #[arg(value_name = "CSV")]
    csv: PathBuf,

    /// Where to write the model.
    #[arg(short, long, default_value = "stance.model", value_name = "MODEL")]
    output: PathBuf,

    /// Labeled CSV for held-out evaluation.
    #[arg(long, value_name = "CSV", conflicts_with = "holdout")]
    test: Option<PathBuf>,

    /// Share of rows held out for evaluation when no --test file is given
    /// (0 disables evaluation).
    #[arg(long, default_value_t = 0.2, value_name = "FRACTION")]
    holdout: f64,

    /// Train without the rows that cannot be used (they are still counted
    /// and listed).
    #[arg(long)]
    skip_invalid: bool,

    /// L2 regularisation strength.
    #[arg(long, default_value_t = TrainParams::default().alpha)]
    alpha: f32,

    /// Terms kept by chi-square feature selection (0 = all).
    #[arg(long, default_value_t = TrainParams::default().features.unwrap_or(0))]
    features: usize,

    /// Class weighting: balanced (each label's rows replicated so every
    /// label weighs the same; better macro-F1 and less biased label shares on
    /// our data) or none.
    #[arg(long, value_enum, default_value = "balanced")]
    class_weight: ClassWeight,

    /// Minimum number of sentences a term must occur in.
    #[arg(long, default_value_t = TfidfParams::default().min_df)]
    min_df: usize,

    /// Maximum share of sentences a term may occur in.
    #[arg(long, default_value_t = TfidfParams::default().max_df)]
    max_df: f64,

    /// Vocabulary cap before feature selection (most frequent terms).
    #[arg(long, default_value_t = TfidfParams::default().max_features.unwrap_or(0))]
    max_vocab: usize,

    /// Use raw term counts instead of 1 + ln(count).
    #[arg(long)]
    no_sublinear_tf: bool,

    /// Do not L2-normalise feature vectors.
    #[arg(long)]
    no_norm: bool,

    /// Longest n-gram (1-3).
    #[arg(long, default_value_t = 2)]
    ngram: usize,

    /// Do not stem tokens.
    #[arg(long)]
    no_stem: bool,

    /// L-BFGS iteration cap.
    #[arg(long, default_value_t = TrainParams::default().max_iterations)]
    max_iterations: u64,

    /// Seed of the held-out split.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

fn report_rejections(data: &LabeledData) {
    let n = data.rejected.len();
    for r in data.rejected.iter().take(20) {
        eprintln!("{}:{}: {}", data.path.display(), r.line, r.reason);
    }
    if n > 20 {
        eprintln!("... and {} more rejected rows", n - 20);
    }
}

pub fn run(a: TrainArgs) -> anyhow::Result<ExitCode> {
    let start = Instant::now();
    let params = TrainParams {
        analyzer: AnalyzerConfig {
            stem: !a.no_stem,
            max_ngram: a.ngram,
        },
        tfidf: TfidfParams {
            min_df: a.min_df,
            max_df: a.max_df,
            max_features: (a.max_vocab > 0).then_some(a.max_vocab),
            sublinear_tf: !a.no_sublinear_tf,
            l2_norm: !a.no_norm,
        },
        features: (a.features > 0).then_some(a.features),
        alpha: a.alpha,
        class_weight: a.class_weight,
        max_iterations: a.max_iterations,
        ..TrainParams::default()
    }
    .check()?;
    if !(0.0..0.9).contains(&a.holdout) {
        bail!("--holdout must be in [0, 0.9), got {}", a.holdout);
    }

    stance::atomic::check_parent_dir(&a.output)
        .map_err(|e| anyhow::anyhow!("{e} (nothing was trained)"))?;
    let data = read_labeled_csv(&a.csv)?;
    if !data.rejected.is_empty() {
        report_rejections(&data);
        if !a.skip_invalid {
            bail!(
                "{}: {} row(s) rejected (listed above); fix them, or pass --skip-invalid to train without them. No model was written.",
                a.csv.display(),
                data.rejected.len()
            );
        }
    }
    let test = a.test.as_ref().map(|p| read_labeled_csv(p)).transpose()?;
    if let Some(t) = &test {
        if !t.rejected.is_empty() {
            report_rejections(t);
            if !a.skip_invalid {
                bail!(
                    "{}: {} row(s) rejected (listed above). No model was written.",
                    t.path.display(),
                    t.rejected.len()
                );
            }
        }
    }

    let name = a.csv.display().to_string();
    let (mut model, held_out) = match &test {
        Some(t) => {
            let model = params.fit(&data.examples, &name, &data.sha256)?;
            let m = evaluate(&model, &t.examples);
            let method = format!("held-out file {}", t.path.display());
            (model, Some((method, t.examples.len(), m)))
        }
        None if a.holdout > 0.0 => {
            let (tr, te) = stratified_split(&data.examples, a.holdout, a.seed);
            let pick = |idx: &[usize]| -> Vec<Example> {
                idx.iter().map(|&i| data.examples[i].clone()).collect()
            };
            let (train, held) = (pick(&tr), pick(&te));
            let m = evaluate(&params.fit(&train, &name, &data.sha256)?, &held);
            let model = params.fit(&data.examples, &name, &data.sha256)?;
            let method = format!(
                "stratified {:.0}% hold-out (seed {}), model refitted on all rows",
                100.0 * a.holdout,
                a.seed
            );
            (model, Some((method, held.len(), m)))
        }
        None => (params.fit(&data.examples, &name, &data.sha256)?, None),
    };
    model.card.rows_rejected = data.rejected.len();
    model.card.held_out = held_out.map(|(method, rows, metrics)| HeldOutMetrics {
        method,
        rows,
        metrics,
    });
    model
        .save(&a.output)
        .with_context(|| format!("writing {}", a.output.display()))?;

    let card = &model.card;
    println!("training file    {}", a.csv.display());
    println!(
        "rows used        {}  (rejected: {})",
        data.examples.len(),
        data.rejected.len()
    );
    for (label, n) in &card.training_rows_per_label {
        println!("  {:<20} {n}", label.as_str());
    }
    println!(
        "vocabulary       {} terms (after chi-square selection)",
        card.vocabulary_size
    );
    match &card.held_out {
        Some(h) => println!(
            "held-out         macro-F1 {:.3}, accuracy {:.3} on {} rows ({})",
            h.metrics.macro_f1, h.metrics.accuracy, h.rows, h.method
        ),
        None => println!("held-out         not evaluated (--holdout 0)"),
    }
    println!("time             {:.1} s", start.elapsed().as_secs_f64());
    println!("model written to {}", a.output.display());
    Ok(ExitCode::SUCCESS)
}

/// Predicts every example and compares with its label.
pub fn evaluate(model: &StanceModel, examples: &[Example]) -> Metrics {
    use rayon::prelude::*;
    let predicted: Vec<_> = examples
        .par_iter()
        .map(|e| model.predict(&e.text).label)
        .collect();
    let truth: Vec<_> = examples.iter().map(|e| e.label).collect();
    Metrics::compute(&truth, &predicted)
}
