//! `stance train`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use stance::Label;
use stance::analysis::AnalyzerConfig;
use stance::data::{LabeledData, read_labeled_csv};
use stance::features::TfidfParams;
use stance::train::{Evaluation, TrainParams, TrainingRun, smoothed_prior};

/// Train a model from one or more labeled CSV files.
///
/// Several files are read in order and used together (rows are reported per
/// file). Each CSV needs a header with `text` and `label` columns (others are
/// ignored). Labels: deterrence, escalation-warning, diplomacy, neutral (any
/// case; `_` or space for `-`). Every rejected row is listed with its line;
/// by default any rejected row stops training, with `--skip-invalid` they
/// are counted and left out.
///
/// Held-out figures: with `--test FILE` (repeatable) the model is evaluated
/// on each such file and the figures are stored in its card; otherwise a
/// stratified `--holdout` share is evaluated on a model fitted without it,
/// and the saved model is then refitted on all rows.
///
/// Calibration: with `--calibrate FILE` (held-out labeled sentences the
/// model is not trained on, e.g. the news dev split) the probabilities are
/// calibrated on that file and the share estimator used by `stance report`
/// for corrected shares is fitted on it; held-out files then also get
/// calibration figures (ECE, Brier score) before and after.
///
/// The model is written atomically: a failed run never replaces an existing
/// file.
///
/// Example (rebuilds the shipped model):
///
///   stance train data/stance-train.csv data/news-train.csv \
///     --class-weight balanced --balance-power 0.5 --features 30000 \
///     --prior-from data/news-train.csv --prior-power 0.25 \
///     --calibrate data/news-dev.csv \
///     --test data/news-test.csv --test data/stance-test.csv -o models/stance-default.model
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct TrainArgs {
    /// Labeled CSV files (columns `text` and `label`), used together.
    #[arg(value_name = "CSV", required = true, num_args = 1..)]
    csv: Vec<PathBuf>,

    /// Where to write the model.
    #[arg(short, long, default_value = "stance.model", value_name = "MODEL")]
    output: PathBuf,

    /// Labeled CSV for held-out evaluation (repeatable: each file is
    /// evaluated and reported on its own).
    #[arg(long, value_name = "CSV", conflicts_with = "holdout")]
    test: Vec<PathBuf>,

    /// Labeled CSV the probabilities are calibrated on and the share
    /// estimator fitted on (held out from training; its `doc` column, when
    /// present, groups sentences into documents).
    #[arg(long, value_name = "CSV")]
    calibrate: Option<PathBuf>,

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

    /// Class weighting: balanced (each label's rows replicated toward equal
    /// weight: see --balance-power), prior (every row once, then intercepts
    /// corrected from the training label distribution to the target one:
    /// see --prior-from) or none.
    #[arg(long, value_enum, default_value = "balanced")]
    class_weight: super::args::ClassWeightArg,

    /// With --class-weight balanced: label k gets n_k * (max/n_k)^POWER
    /// rows (1 = fully balanced; 0.5 = square-root balancing, far fewer
    /// rows).
    #[arg(long, default_value_t = 1.0, value_name = "POWER")]
    balance_power: f64,

    /// Correct the intercepts toward the label distribution of this
    /// labeled CSV (e.g. the news training split, when the model is meant
    /// for news), raised to --prior-power. Without it: uniform with
    /// --class-weight prior, no correction otherwise.
    #[arg(long, value_name = "CSV")]
    prior_from: Option<PathBuf>,

    /// Exponent applied to the --prior-from distribution before
    /// renormalising: 1 = that distribution, 0 = uniform, in between =
    /// partway (chosen on a dev split).
    #[arg(
        long,
        default_value_t = 1.0,
        value_name = "POWER",
        requires = "prior_from"
    )]
    prior_power: f64,

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
        class_weight: a.class_weight.into(),
        balance_power: a.balance_power,
        max_iterations: a.max_iterations,
        ..TrainParams::default()
    }
    .check()?;
    if !(0.0..0.9).contains(&a.holdout) {
        bail!("--holdout must be in [0, 0.9), got {}", a.holdout);
    }

    // Problems with -o are found before training, not after it.
    let inputs = a
        .csv
        .iter()
        .chain(&a.test)
        .chain(&a.prior_from)
        .chain(&a.calibrate);
    stance::atomic::check_not_an_input(&a.output, inputs.map(|p| p.as_path()))
        .and_then(|_| stance::atomic::check_output(&a.output))
        .map_err(|e| anyhow::anyhow!("{e} (nothing was trained)"))?;
    let read = |p: &PathBuf| -> anyhow::Result<LabeledData> {
        let d = read_labeled_csv(p)?;
        if !d.rejected.is_empty() {
            super::output::print_rejections(&d);
            if !a.skip_invalid {
                bail!(
                    "{}: {} row(s) rejected (listed above); fix them, or pass --skip-invalid to train without them. No model was written.",
                    p.display(),
                    d.rejected.len()
                );
            }
        }
        Ok(d)
    };
    let files: Vec<LabeledData> = a.csv.iter().map(read).collect::<anyhow::Result<_>>()?;
    let tests: Vec<LabeledData> = a.test.iter().map(read).collect::<anyhow::Result<_>>()?;
    let calibration = a.calibrate.as_ref().map(read).transpose()?;
    let mut params = params;
    if let Some(p) = &a.prior_from {
        if !(a.prior_power.is_finite() && (0.0..=4.0).contains(&a.prior_power)) {
            bail!("--prior-power must be in [0, 4], got {}", a.prior_power);
        }
        let prior = smoothed_prior(&read(p)?.examples, a.prior_power);
        params = params.params().clone().target_prior(Some(prior)).check()?;
    }
    let evaluation = if !tests.is_empty() {
        Evaluation::Files(&tests)
    } else if a.holdout > 0.0 {
        Evaluation::Holdout {
            fraction: a.holdout,
            seed: a.seed,
        }
    } else {
        Evaluation::None
    };
    let model = TrainingRun {
        params: &params,
        files: &files,
        evaluation,
        calibration: calibration.as_ref(),
    }
    .run()
    .map_err(|e| match e {
        // About the training rows as a whole: said with their files.
        stance::train::TrainError::OneClass(_)
        | stance::train::TrainError::Empty
        | stance::train::TrainError::EmptyVocabulary => {
            let names: Vec<String> = a.csv.iter().map(|p| p.display().to_string()).collect();
            anyhow::anyhow!("{}: {e} (nothing was trained)", names.join(", "))
        }
        e => e.into(),
    })?;
    model
        .save(&a.output)
        .with_context(|| format!("writing {}", a.output.display()))?;

    let card = &model.card;
    for (f, d) in card.training_files.iter().zip(&files) {
        outln!(
            "training file    {}  ({} rows, {} rejected)",
            f.path,
            d.examples.len(),
            d.rejected.len()
        );
    }
    outln!(
        "rows used        {}  (rejected: {})",
        files.iter().map(|d| d.examples.len()).sum::<usize>(),
        card.rows_rejected
    );
    for (label, n) in &card.training_rows_per_label {
        outln!("  {:<20} {n}", label.as_str());
    }
    outln!(
        "vocabulary       {} terms (after chi-square selection)",
        card.vocabulary_size
    );
    if card.held_out.is_empty() {
        outln!("held-out         not evaluated (--holdout 0)");
    }
    if let Some(c) = &card.calibration {
        outln!(
            "calibration      {} ({} rows, {} documents): {}; shares: {}",
            c.path,
            c.rows,
            c.documents,
            c.method,
            c.share_method
        );
    }
    for h in &card.held_out {
        outln!(
            "held-out         macro-F1 {:.3}, accuracy {:.3} on {} rows ({})",
            h.metrics.macro_f1,
            h.metrics.accuracy,
            h.rows,
            h.method
        );
        if let Some(c) = &h.calibration {
            let esc = |q: &stance::eval::ProbabilityQuality| {
                let l = &q.per_label[Label::EscalationWarning];
                format!("ECE {:.4}, Brier {:.4}", l.ece, l.brier)
            };
            outln!(
                "  escalation probabilities: raw {}; calibrated {}",
                esc(&c.raw),
                esc(&c.calibrated)
            );
        }
    }
    outln!("time             {:.1} s", start.elapsed().as_secs_f64());
    outln!("model written to {}", a.output.display());
    Ok(ExitCode::SUCCESS)
}
