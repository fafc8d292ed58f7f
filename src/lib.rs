//! # stance
//!
//! Sentence-level stance framing for news and political text: each sentence
//! is labeled `deterrence`, `escalation-warning`, `diplomacy` or `neutral`
//! (see the annotation guide in the repository's `data/README.md`).
//!
//! The crate is organised as the pipeline it implements:
//!
//! - [`analysis`]: sentence splitting, boilerplate detection, tokenizing,
//!   stemming and n-grams, behind one [`analysis::Analyzer`].
//! - [`features`]: the TF-IDF vectorizer, fitted and applied.
//! - [`model`]: the fitted [`model::StanceModel`] (analyzer settings +
//!   vectorizer + classifier + model card) and its file format.
//! - [`train`]: hyperparameters, validated once, and fitting.
//! - [`data`]: reading labeled CSV files, with every rejected row reported.
//! - [`eval`]: accuracy, macro-F1, confusion matrix, label shares.
//! - [`input`]: documents to score (files, directories, stdin).
//! - [`extract`]: the article of a web page, the prose of a Markdown file.
//! - [`language`]: which language a document is in (the model reads English).
//! - [`quantify`]: label shares of collections, corrected for the
//!   classifier's errors, with 95 % intervals.
//! - [`report`]: escalation-language ratios over documents, and the HTML report.
//! - [`score`]: one document split and scored, shared by every command.
//! - [`records`]: the per-sentence records (JSONL, CSV) every front end writes.
//! - [`pipeline`]: files, directories and collections scored in parallel,
//!   streaming, in input order (what `stance score` and `report` run).
//! - [`atomic`]: files written whole or not at all.
//!
//! The library builds without the command-line tool's dependencies:
//! `stance = { version = "0.1", default-features = false }` (add
//! `features = ["html"]` for `report::html`).
//!
//! Score sentences with the shipped model (embedded in the crate); `probs`
//! are calibrated, `label` is the classifier's decision:
//!
//! ```
//! use stance::{Label, model::StanceModel};
//!
//! let model = StanceModel::embedded().unwrap();
//! let p = model.predict("Pyongyang threatened a pre-emptive nuclear strike if the drills go ahead.");
//! assert_eq!(p.label, Label::EscalationWarning);
//! assert!((p.probs.iter().sum::<f32>() - 1.0).abs() < 1e-4);
//! ```
//!
//! Score documents in parallel and report corrected shares by source:
//!
//! ```
//! use stance::pipeline::{ScoreInputs, score_inputs};
//! use stance::report::{GroupBy, Grouping, ReportBuilder};
//!
//! let model = stance::model::StanceModel::embedded().unwrap();
//! let mut report = ReportBuilder::new("source".parse::<Grouping>().unwrap(), 0)
//!     .with_share_estimator(model.share_estimator().cloned());
//! let inputs = ScoreInputs::new(vec!["examples/news-collection.csv".into()]);
//! score_inputs::<_, stance::input::InputError>(&inputs, &model, &mut |_| {}, |d| d, |d| {
//!     report.add(&d);
//!     Ok(())
//! })
//! .unwrap();
//! let report = report.finish();
//! let reuters = report.rows.iter().find(|r| r.key.value(GroupBy::Source) == Some("reuters.com")).unwrap();
//! let esc = reuters.corrected.get(Label::EscalationWarning).unwrap();
//! assert!(esc.low <= esc.share && esc.share <= esc.high);
//! # use stance::Label;
//! ```
//!
//! Train on labeled examples and evaluate:
//!
//! ```
//! use stance::{data::read_labeled_csv, eval::evaluate, train::TrainParams};
//!
//! let data = read_labeled_csv("examples/seed-article.labels.csv".as_ref()).unwrap();
//! let params = TrainParams::default().features(None).check().unwrap();
//! let model = params.fit(&data.examples, "seed-article.labels.csv", &data.sha256).unwrap();
//! let metrics = evaluate(&model, &data.examples);
//! assert!(metrics.accuracy > 0.5);
//! ```

pub mod analysis;
pub mod atomic;
pub mod data;
pub mod eval;
pub mod extract;
pub mod features;
pub mod input;
pub mod label;
pub mod language;
pub mod model;
pub mod pipeline;
pub mod quantify;
pub mod records;
pub mod report;
mod rng;
pub mod score;
pub(crate) mod table;
pub mod train;

pub use label::{Label, LabelMap};
