//! `stance explain` and `stance inspect`.

use std::process::ExitCode;

use clap::Args;
use stance::Label;

use super::ModelArg;
use super::output::terminal_safe;

/// Label one sentence and show the terms that drove the label.
///
/// Prints the four probabilities and the n-grams that pushed the sentence
/// toward its label, as readable words, with their contribution
/// (weight × tf-idf, relative to the other labels).
///
/// Example:
///
///   stance explain "Moscow warned the deployment could lead to a direct clash."
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ExplainArgs {
    /// The sentence.
    sentence: String,

    #[command(flatten)]
    model: ModelArg,

    /// Number of terms to show.
    #[arg(long, short = 'k', default_value_t = 5)]
    terms: usize,
}

pub fn explain(a: ExplainArgs) -> anyhow::Result<ExitCode> {
    let (model, _) = a.model.load()?;
    let (p, terms) = model.predict_explained(&a.sentence, a.terms);
    outln!("label  {}", p.label);
    for l in Label::ALL {
        outln!("  {:<20} {:.3}", l.as_str(), p.prob(l));
    }
    if terms.is_empty() {
        outln!("no known term pushes this sentence toward {}", p.label);
    } else {
        outln!("terms toward {}:", p.label);
        for t in terms {
            outln!("  {:<30} +{:.3}", terminal_safe(&t.term), t.contribution);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Show a model's card and its strongest terms per label.
///
/// Example:
///
///   stance inspect
///   stance inspect --model my.model --terms 20
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct InspectArgs {
    #[command(flatten)]
    model: ModelArg,

    /// Terms per label.
    #[arg(long, short = 'k', default_value_t = 12)]
    terms: usize,

    /// Print the whole card as JSON.
    #[arg(long)]
    json: bool,
}

pub fn inspect(a: InspectArgs) -> anyhow::Result<ExitCode> {
    let (model, name) = a.model.load()?;
    let c = &model.card;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(c)?);
        return Ok(ExitCode::SUCCESS);
    }
    // Everything the card says is the model file's text: escaped.
    let t = |s: &str| terminal_safe(s).into_owned();
    outln!("model            {}", t(&name));
    outln!(
        "format           v{} (stance {})",
        c.format_version,
        t(&c.stance_version)
    );
    outln!("trained on       {}", t(&c.trained_on));
    if c.training_files.is_empty() {
        outln!("training file    {}", t(&c.training_file));
    }
    for f in &c.training_files {
        let n: usize = f.rows_per_label.values().sum();
        let short: String = f.sha256.chars().take(12).collect();
        outln!(
            "training file    {}  ({n} rows, sha256 {})",
            t(&f.path),
            t(&short)
        );
    }
    outln!("training sha256  {}", t(&c.training_sha256));
    outln!("rows per label");
    for (l, n) in &c.training_rows_per_label {
        outln!("  {:<20} {n}", l.as_str());
    }
    outln!("vocabulary       {} terms", c.vocabulary_size);
    let h = &c.hyperparameters;
    outln!(
        "settings         alpha {}, features {}, class weight {}, {} iterations, min_df {}, max_df {}, n-grams 1-{}, stemming {}",
        h.alpha,
        h.features.map_or("all".into(), |f| f.to_string()),
        serde_json::to_value(h.class_weight)?
            .as_str()
            .unwrap_or_default(),
        h.max_iterations,
        h.tfidf.min_df,
        h.tfidf.max_df,
        h.analyzer.max_ngram,
        if h.analyzer.stem { "on" } else { "off" }
    );
    if h.class_weight == stance::train::ClassWeight::Balanced && h.balance_power != 1.0 {
        outln!("                 balance power {}", h.balance_power);
    }
    if let Some(p) = h.target_prior {
        let shares: Vec<String> = Label::ALL
            .iter()
            .map(|l| format!("{} {:.3}", l.as_str(), p[l.index()]))
            .collect();
        outln!(
            "                 intercepts corrected toward prior: {}",
            shares.join(", ")
        );
    }
    if c.held_out.is_empty() {
        outln!("held-out         not evaluated");
    }
    for m in &c.held_out {
        {
            outln!(
                "held-out         macro-F1 {:.3}, accuracy {:.3} on {} rows ({})",
                m.metrics.macro_f1,
                m.metrics.accuracy,
                m.rows,
                t(&m.method)
            );
            for pc in &m.metrics.per_class {
                outln!(
                    "  {:<20} P {:.3}  R {:.3}  F1 {:.3}  n {}",
                    pc.label.as_str(),
                    pc.precision,
                    pc.recall,
                    pc.f1,
                    pc.support
                );
            }
            if let Some(d) = &m.metrics.documents {
                outln!(
                    "  per document: escalation-ratio MAE {:.3} over {} documents (their labeled sentences)",
                    d.escalation_ratio_mae,
                    d.documents
                );
            }
        }
    }
    for l in Label::ALL {
        let terms: Vec<String> = model
            .top_terms(l, a.terms)
            .into_iter()
            .map(|term| t(&term.term))
            .collect();
        outln!("\nstrongest terms for {l}:\n  {}", terms.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
