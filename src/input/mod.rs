//! Documents to score: `.txt` files, saved web pages (`.html`/`.htm`: the
//! article is extracted), Markdown (`.md`/`.markdown`: markup stripped),
//! directories (recursive), stdin, and collections in CSV or JSONL with a
//! `text` column and optional `id`, `title`, `source` and `date` columns (a
//! text field that holds HTML is read as a page: see
//! [`crate::extract::looks_like_html`]).
//!
//! Sources are listed first ([`expand_inputs`]) and read one at a time
//! ([`read_source`]), so memory stays flat however many documents there are.

use std::io::{BufRead, Read};
use std::path::Path;

use chrono::NaiveDate;

use crate::data::{DataError, utf8_text};

pub use collections::{RecordFields, record_document};
pub use dates::{MAX_DATE_LEN, parse_date, read_date};
pub use sources::{FileType, ScanFilter, Source, expand_inputs, expand_inputs_with, file_type};

use collections::{from_markup, read_csv, read_jsonl};
use lines::read_lines;

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A file that cannot be opened, decoded or parsed (with its path).
    #[error(transparent)]
    Data(#[from] DataError),
    /// A file or record that is not valid input, with where and why
    /// (`FILE:LINE: problem`).
    #[error("{0}")]
    Invalid(String),
}

/// An [`InputError::Invalid`] with a formatted message, converted into the
/// caller's error type `E`.
macro_rules! invalid {
    ($($t:tt)*) => {
        E::from(InputError::Invalid(format!($($t)*)))
    };
}

// After the macro, which they use.
mod collections;
mod dates;
mod lines;
mod sources;

/// One document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Identifier: the file path, `-` for stdin, or the collection's `id`
    /// (else `FILE:LINE`).
    pub id: String,
    /// Title or headline; scored as the first sentence.
    pub title: Option<String>,
    /// Outlet or source name.
    pub source: Option<String>,
    /// Publication date.
    pub date: Option<NaiveDate>,
    /// Body text.
    pub text: String,
    /// Set when a large input is read in parts (one-sentence-per-line input
    /// is cut every [`LINES_PER_PART`] lines so it streams and scores in
    /// parallel); all parts carry the document's id.
    pub part: Option<Part>,
    /// What extraction from markup left out (a page's navigation, banners,
    /// share bars, related links, comments; Markdown's code, tables, HTML
    /// blocks): counted with the boilerplate lines.
    pub left_out: Vec<String>,
    /// For a record of a CSV or JSONL collection: the 1-based line of the
    /// input file where the record starts (so that a sentence can be traced
    /// to its source row). Sentence lines ([`crate::score::ScoredSentence::line`])
    /// are lines inside the record's text field.
    pub record_line: Option<usize>,
}

/// Where a part of a document sits in the whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Part {
    /// 0 for the first part.
    pub index: usize,
    /// Lines of the document before this part.
    pub line_offset: usize,
    /// Sentences of the document before this part.
    pub sentence_offset: usize,
}

/// Lines per part of one-sentence-per-line input.
pub const LINES_PER_PART: usize = 8192;

/// How an input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
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

/// Column names of collections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Body text column (required).
    pub text: String,
    /// Identifier column.
    pub id: String,
    /// Title column.
    pub title: String,
    /// Source column.
    pub source: String,
    /// Date column.
    pub date: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            text: "text".into(),
            id: "id".into(),
            title: "title".into(),
            source: "source".into(),
            date: "date".into(),
        }
    }
}

/// Problems found while reading that did not stop reading: the document
/// is kept, and the problem is reported with its file and line.
///
/// By default an invalid record of a collection (a CSV row with the wrong
/// number of fields or bad UTF-8, a JSONL line that is not JSON or has no
/// text field) stops reading with an error naming its file and line. With
/// [`skip_invalid`](Self::skip_invalid) such a record is skipped instead:
/// counted in [`skipped`](Self::skipped), handed to
/// [`on_skip`](Self::on_skip) (every one of them, as it is met) and kept
/// among the messages like any other warning. Problems that leave nothing
/// to read after them (an unclosed quote, a read error) always stop.
#[derive(Debug, Clone, Default)]
pub struct ReadWarnings {
    /// The first [`ReadWarnings::KEEP`] messages, `FILE:LINE: problem`.
    pub messages: Vec<String>,
    /// How many problems there were in all.
    pub count: usize,
    /// Skip invalid records (see above) instead of stopping.
    pub skip_invalid: bool,
    /// Records skipped.
    pub skipped: usize,
    /// Called with the message of each skipped record.
    pub on_skip: Option<fn(&str)>,
}

/// Equal when they hold the same problems and setting (`on_skip` is not
/// compared: function addresses are not meaningful).
impl PartialEq for ReadWarnings {
    fn eq(&self, other: &Self) -> bool {
        (&self.messages, self.count, self.skip_invalid, self.skipped)
            == (
                &other.messages,
                other.count,
                other.skip_invalid,
                other.skipped,
            )
    }
}

impl ReadWarnings {
    /// Messages kept in memory; the rest are only counted.
    pub const KEEP: usize = 50;

    /// Records one problem.
    pub fn push(&mut self, message: String) {
        self.count += 1;
        if self.messages.len() < Self::KEEP {
            self.messages.push(message);
        }
    }

    /// An invalid record, `FILE:LINE: problem`: an error, or with
    /// [`skip_invalid`](Self::skip_invalid) a warning and `Ok`.
    pub fn invalid_record(&mut self, message: String) -> Result<(), InputError> {
        if !self.skip_invalid {
            return Err(InputError::Invalid(message));
        }
        let message = format!("{message} (record skipped)");
        self.skipped += 1;
        if let Some(f) = self.on_skip {
            f(&message);
        }
        self.push(message);
        Ok(())
    }
}

/// Largest document read, in bytes: a text file, a JSONL line, a line of
/// one-sentence-per-line input. Larger ones are refused with a message
/// rather than read until memory runs out (`stance score /dev/urandom`,
/// `yes | stance score`); split such a file first.
pub const MAX_DOCUMENT_BYTES: usize = 256 << 20;

/// Bytes of one-sentence-per-line input per part (see [`LINES_PER_PART`]).
const PART_BYTES: usize = 4 << 20;

/// A reader that fails at the first NUL byte: text never holds one, and
/// binary input (`/dev/zero`, an image, a zip) is refused at once, with the
/// byte offset and line, instead of being read as text. UTF-16 and UTF-32
/// text is named for what it is ([`crate::data::wide_unicode`]).
pub(crate) struct NulGuard<R> {
    inner: R,
    /// Bytes at the start of the inner buffer already checked.
    checked: usize,
    /// Bytes consumed before the inner buffer, and newlines among them.
    offset: u64,
    line: u64,
}

impl<R: BufRead> NulGuard<R> {
    pub(crate) fn new(inner: R) -> NulGuard<R> {
        NulGuard {
            inner,
            checked: 0,
            offset: 0,
            line: 0,
        }
    }
}

impl<R: BufRead> Read for NulGuard<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for NulGuard<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let buf = self.inner.fill_buf()?;
        // A PDF holds NUL bytes: left to `read_source`, which says what to
        // do with a PDF.
        if self.offset == 0 && buf.starts_with(b"%PDF-") {
            return Ok(buf);
        }
        // UTF-16 and UTF-32 hold NUL bytes too: said for what they are.
        if self.offset == 0
            && let Some(what) = crate::data::wide_unicode(buf)
        {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, what));
        }
        if let Some(at) = buf[self.checked..].iter().position(|&b| b == 0) {
            let at = self.checked + at;
            let line = self.line + 1 + buf[..at].iter().filter(|&&b| b == b'\n').count() as u64;
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "binary input: NUL byte at byte {} (line {line}); stance reads UTF-8 text",
                    self.offset + at as u64
                ),
            ));
        }
        self.checked = buf.len();
        Ok(buf)
    }

    fn consume(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        // The bytes consumed are those of the buffer returned last.
        if let Ok(buf) = self.inner.fill_buf() {
            let n = n.min(buf.len());
            self.line += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
        self.offset += n as u64;
        self.checked = self.checked.saturating_sub(n);
        self.inner.consume(n);
    }
}

/// Opens a source as a buffered reader that refuses binary data (see
/// [`NulGuard`]); `.gz` files are decompressed on the fly.
fn open(source: &Source) -> Result<Box<dyn BufRead>, DataError> {
    Ok(Box::new(NulGuard::new(open_raw(source)?)))
}

fn open_raw(source: &Source) -> Result<Box<dyn BufRead>, DataError> {
    match source {
        Source::Stdin => Ok(Box::new(std::io::BufReader::new(std::io::stdin()))),
        Source::File(p) => {
            let f = std::fs::File::open(p).map_err(|error| DataError::Io {
                path: p.clone(),
                error,
            })?;
            if file_type(p).gzip {
                Ok(Box::new(std::io::BufReader::new(
                    flate2::read::MultiGzDecoder::new(f),
                )))
            } else {
                Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, f)))
            }
        }
    }
}

/// The format a source will be read as.
pub fn resolve_format(source: &Source, format: InputFormat) -> InputFormat {
    match format {
        InputFormat::Auto => match source {
            Source::File(p) => file_type(p).format.unwrap_or(InputFormat::Text),
            Source::Stdin => InputFormat::Text,
        },
        other => other,
    }
}

/// Reads one source and hands each document to `f`, in order. Collections
/// are streamed record by record; a text file is one document.
pub fn read_source<E: From<InputError>>(
    source: &Source,
    format: InputFormat,
    columns: &Columns,
    warnings: &mut ReadWarnings,
    mut f: impl FnMut(Document) -> Result<(), E>,
) -> Result<(), E> {
    let name = source.name();
    let path = Path::new(&name);
    let mut reader = open(source).map_err(|e| E::from(e.into()))?;
    let head = reader.fill_buf().map_err(|e| invalid!("{name}: {e}"))?;
    if head.starts_with(b"%PDF-") {
        return Err(invalid!(
            "{name}: PDF is not supported; extract the text first, e.g. with `pdftotext {name} out.txt`"
        ));
    }
    // JSONL piped to stdin is read as JSONL, never as prose: the first
    // non-space byte of a JSONL stream is `{`, which prose does not start with.
    let format = match (source, format) {
        (Source::Stdin, InputFormat::Auto)
            if head
                .strip_prefix(b"\xef\xbb\xbf")
                .unwrap_or(head)
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                == Some(&b'{') =>
        {
            InputFormat::Jsonl
        }
        // A web page piped in: the same rule as for a collection's field.
        (Source::Stdin, InputFormat::Auto)
            if crate::extract::looks_like_html(&String::from_utf8_lossy(
                &head[..head.len().min(64 << 10)],
            )) =>
        {
            InputFormat::Html
        }
        _ => format,
    };
    let format = resolve_format(source, format);
    match format {
        InputFormat::Lines => read_lines(&name, reader, f),
        InputFormat::Text | InputFormat::Auto | InputFormat::Html | InputFormat::Markdown => {
            let mut bytes = Vec::new();
            reader
                .take(MAX_DOCUMENT_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| invalid!("{name}: {e}"))?;
            if bytes.len() > MAX_DOCUMENT_BYTES {
                return Err(invalid!(
                    "{name}: larger than {} MiB, the most read as one document; split it into smaller files (or read it one sentence per line with --sentences)",
                    MAX_DOCUMENT_BYTES >> 20
                ));
            }
            // Taken as it is, not copied: memory stays near the input's size.
            let mut text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => return Err(E::from(utf8_text(path, e.as_bytes()).unwrap_err().into())),
            };
            // A UTF-8 byte-order mark is not text; old-Mac files end lines
            // with a lone CR, which is read as LF (CRLF is handled as is).
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            let text = if text.contains('\r') && !text.contains('\n') {
                text.replace('\r', "\n")
            } else {
                text
            };
            if text.trim().is_empty() {
                return Err(invalid!("{name}: empty input: nothing to score"));
            }
            let mut doc = Document {
                id: name.clone(),
                text,
                ..Document::default()
            };
            match format {
                InputFormat::Html => from_markup(&mut doc, crate::extract::html::extract),
                InputFormat::Markdown => from_markup(&mut doc, crate::extract::markdown::extract),
                _ => {}
            }
            if doc.text.trim().is_empty() && doc.title.is_none() {
                let what = if format == InputFormat::Html {
                    "no article text found in the HTML page"
                } else {
                    "no text outside code blocks, tables and markup"
                };
                return Err(invalid!(
                    "{name}: {what} ({} lines left out); read it with --input-format text to score all of it",
                    doc.left_out.len()
                ));
            }
            f(doc)
        }
        InputFormat::Csv => read_csv(path, reader, columns, warnings, f),
        InputFormat::Jsonl => read_jsonl(path, reader, columns, warnings, f),
    }
}
