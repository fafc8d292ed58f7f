//! Command-line arguments and dispatch.

/// `writeln!` to stdout that returns the write error (`?`) instead of
/// panicking as `println!` does: a full disk or a closed pipe ends the
/// command with a message (or quietly, for a broken pipe: see `main.rs`).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($t)*)?
    }};
}

/// `write!` to stdout, returning the error like [`outln!`].
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($t)*)?
    }};
}

mod args;
mod calibrate;
mod eval;
mod inspect;
mod output;
pub use output::stderr_safe;
mod report;
mod score;
mod serve;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use stance::input::{Columns, InputFormat};
use stance::model::{EMBEDDED_MODEL_NAME, StanceModel};

/// Sentence-level stance framing of news and political text.
///
/// Every sentence is labeled deterrence, escalation-warning, diplomacy or
/// neutral, with the probability of each label. A model trained on the
/// project's labeled corpus is built into the binary.
#[derive(Debug, Parser)]
#[command(name = "stance", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Train(train::TrainArgs),
    Calibrate(calibrate::CalibrateArgs),
    Score(score::ScoreArgs),
    Eval(eval::EvalArgs),
    Report(report::ReportArgs),
    Explain(inspect::ExplainArgs),
    Inspect(inspect::InspectArgs),
    Serve(serve::ServeArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Train(a) => train::run(a),
        Command::Calibrate(a) => calibrate::run(a),
        Command::Score(a) => score::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Report(a) => report::run(a),
        Command::Explain(a) => inspect::explain(a),
        Command::Inspect(a) => inspect::inspect(a),
        Command::Serve(a) => serve::run(a),
    }
}

/// `--model`, shared by every command that scores.
#[derive(Debug, Args)]
struct ModelArg {
    /// Model file to use instead of the built-in one.
    #[arg(long, short = 'm', value_name = "MODEL")]
    model: Option<PathBuf>,
}

impl ModelArg {
    fn load(&self) -> anyhow::Result<(StanceModel, String)> {
        match &self.model {
            Some(p) => {
                let m = StanceModel::load(p).with_context(|| format!("{}", p.display()))?;
                Ok((m, p.display().to_string()))
            }
            None => Ok((
                StanceModel::embedded().context(EMBEDDED_MODEL_NAME)?,
                EMBEDDED_MODEL_NAME.to_string(),
            )),
        }
    }
}

/// Input options shared by `score` and `report`.
#[derive(Debug, Args)]
struct InputArgs {
    /// Files or directories to read (recursively: .txt, .md, .markdown,
    /// .html, .htm, .csv, .tsv, .jsonl, optionally .gz); `-` reads stdin.
    /// Default: stdin.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// How to read inputs: auto (by extension), text (one document per
    /// file), csv or jsonl (one document per record), lines (every
    /// non-empty line is one sentence), html (a saved web page: its
    /// article), markdown (prose without markup, code or tables). A CSV or
    /// JSONL text field that starts with `<` and contains `<p` or `<html`
    /// is read as a web page.
    #[arg(long, value_enum, default_value = "auto")]
    input_format: args::InputFormatArg,

    /// Every non-empty input line is one sentence: no splitting, no
    /// boilerplate detection. Same as `--input-format lines`.
    #[arg(long)]
    sentences: bool,

    /// Collection column (CSV) or field (JSONL) holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_column: String,
    /// Column holding the document id.
    #[arg(long, default_value = "id", value_name = "NAME")]
    id_column: String,
    /// Column holding the title or headline (scored as a sentence).
    #[arg(long, default_value = "title", value_name = "NAME")]
    title_column: String,
    /// Column holding the source or outlet.
    #[arg(long, default_value = "source", value_name = "NAME")]
    source_column: String,
    /// Column holding the publication date.
    #[arg(long, default_value = "date", value_name = "NAME")]
    date_column: String,

    /// Also score documents that are not in English. The model is trained
    /// on English news and speeches only: by default a document detected
    /// as another language is reported and left out (documents under 20
    /// letters are not judged).
    #[arg(long)]
    any_language: bool,

    /// Skip invalid records of CSV and JSONL collections (a row with the
    /// wrong number of fields or bad UTF-8, a line that is not JSON or has
    /// no text field), naming each one with its file and line on stderr, and
    /// go on. Default: the first invalid record stops the command with an
    /// error (what was read before it is still written by `score`).
    #[arg(long)]
    skip_invalid: bool,

    /// Directories: read only files whose path relative to the directory
    /// matches PATTERN (repeatable; `*`, `?`, `[ab]`, `{a,b}`, `**`; `*`
    /// also matches `/`), e.g. `--glob '*.html'`. Files named on the command
    /// line are always read.
    #[arg(long, value_name = "PATTERN")]
    glob: Vec<String>,

    /// Directories: leave out files whose relative path matches PATTERN
    /// (repeatable), e.g. `--exclude 'drafts/**'`. Files left out are counted
    /// by reason in a warning, the first few named.
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,

    /// No progress bar on stderr.
    #[arg(long, short = 'q')]
    quiet: bool,
}

impl InputArgs {
    fn columns(&self) -> Columns {
        Columns {
            text: self.text_column.clone(),
            id: self.id_column.clone(),
            title: self.title_column.clone(),
            source: self.source_column.clone(),
            date: self.date_column.clone(),
        }
    }

    fn format(&self) -> InputFormat {
        if self.sentences {
            InputFormat::Lines
        } else {
            self.input_format.into()
        }
    }

    fn paths(&self) -> Vec<PathBuf> {
        if self.paths.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            self.paths.clone()
        }
    }
}
