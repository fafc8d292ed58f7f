//! Command-line spellings of library enums: the library's types carry no
//! `clap` derive, so a program using the library without the `cli` feature
//! does not build clap. Each enum here maps one to one onto its library type.

use clap::ValueEnum;
use stance::input::InputFormat;
use stance::train::ClassWeight;

/// `--input-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// Decide from the file extension (`.csv`/`.tsv`, `.jsonl`/`.ndjson`,
    /// `.html`/`.htm`, `.md`/`.markdown`, else text); on stdin, JSONL and
    /// HTML are recognised by their first bytes.
    Auto,
    /// One document per file.
    Text,
    /// One document per row, with a header.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// Every non-empty line is one sentence (no splitting).
    Lines,
    /// A web page: its article's text (title, headline, paragraphs).
    Html,
    /// Markdown: prose without markup, code, tables or front matter.
    Markdown,
}

impl From<InputFormatArg> for InputFormat {
    fn from(a: InputFormatArg) -> InputFormat {
        match a {
            InputFormatArg::Auto => InputFormat::Auto,
            InputFormatArg::Text => InputFormat::Text,
            InputFormatArg::Csv => InputFormat::Csv,
            InputFormatArg::Jsonl => InputFormat::Jsonl,
            InputFormatArg::Lines => InputFormat::Lines,
            InputFormatArg::Html => InputFormat::Html,
            InputFormatArg::Markdown => InputFormat::Markdown,
        }
    }
}

/// `--class-weight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassWeightArg {
    /// Every sentence counts once.
    None,
    /// Each label's rows are replicated toward equal weight (see
    /// --balance-power).
    Balanced,
    /// Every row once, then the intercepts corrected from the training
    /// label distribution to the target one (see --prior-from).
    Prior,
}

impl From<ClassWeightArg> for ClassWeight {
    fn from(a: ClassWeightArg) -> ClassWeight {
        match a {
            ClassWeightArg::None => ClassWeight::None,
            ClassWeightArg::Balanced => ClassWeight::Balanced,
            ClassWeightArg::Prior => ClassWeight::Prior,
        }
    }
}
