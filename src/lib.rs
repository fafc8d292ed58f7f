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
//! - [`atomic`]: files written whole or not at all.
//!
//! ```
//! let model = stance::model::StanceModel::embedded().unwrap();
//! let p = model.predict("Foreign ministers agreed to resume talks in Geneva next week.");
//! println!("{} {:?}", p.label, p.probs);
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
pub mod quantify;
pub mod report;
pub mod score;
pub mod train;

pub use label::Label;
