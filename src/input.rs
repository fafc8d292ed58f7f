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
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::data::{DataError, utf8_text};

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

/// A place documents are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Source {
    /// Name used in messages and as document id.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "-".into(),
            Source::File(p) => p.display().to_string(),
        }
    }
}

/// Which files of a walked directory are read: `--glob` and `--exclude`
/// patterns ([`globset`] syntax: `*`, `?`, `[ab]`, `{a,b}`, `**`), matched
/// against the path relative to the directory named on the command line
/// (`*` also matches `/`, so `*.html` matches `2024/a.html`; `drafts/**`
/// is everything under `drafts`). A file is read when it is of a type
/// stance reads (see [`expand_inputs`]), matches at least one glob (if any
/// are given) and no exclude pattern. Files named on the command line are
/// read whatever the patterns.
#[derive(Debug, Clone, Default)]
pub struct ScanFilter {
    globs: Option<globset::GlobSet>,
    excludes: Option<globset::GlobSet>,
}

impl ScanFilter {
    /// A filter from `--glob` and `--exclude` patterns; an invalid pattern
    /// is an error that names it.
    pub fn new(globs: &[String], excludes: &[String]) -> Result<ScanFilter, InputError> {
        let set = |flag: &str, patterns: &[String]| -> Result<_, InputError> {
            if patterns.is_empty() {
                return Ok(None);
            }
            let mut b = globset::GlobSetBuilder::new();
            for p in patterns {
                let g = globset::Glob::new(p).map_err(|e| {
                    InputError::Invalid(format!("{flag} {p:?}: invalid pattern: {}", e.kind()))
                })?;
                b.add(g);
            }
            b.build()
                .map(Some)
                .map_err(|e| InputError::Invalid(format!("{flag}: {e}")))
        };
        Ok(ScanFilter {
            globs: set("--glob", globs)?,
            excludes: set("--exclude", excludes)?,
        })
    }

    /// Why a file at `rel` (relative to the scanned directory) is not read,
    /// or `None` when it is.
    fn skip_reason(&self, rel: &Path) -> Option<&'static str> {
        if !is_input_file(rel) {
            return Some("of a type stance does not read");
        }
        if self.globs.as_ref().is_some_and(|g| !g.is_match(rel)) {
            return Some("not matched by --glob");
        }
        if self.excludes.as_ref().is_some_and(|g| g.is_match(rel)) {
            return Some("matched by --exclude");
        }
        None
    }
}

/// Files of one walked directory left out, by reason: how many, and the
/// first few paths.
#[derive(Default)]
struct Skipped(std::collections::BTreeMap<&'static str, (usize, Vec<String>)>);

impl Skipped {
    /// Paths named per reason.
    const NAMED: usize = 3;

    fn add(&mut self, reason: &'static str, rel: &Path) {
        let (n, named) = self.0.entry(reason).or_default();
        *n += 1;
        if named.len() < Self::NAMED {
            named.push(rel.display().to_string());
        }
    }

    /// "3 files skipped: 2 not matched by --glob (a.txt, b.md), 1 ...".
    fn message(&self) -> Option<String> {
        let total: usize = self.0.values().map(|(n, _)| n).sum();
        if total == 0 {
            return None;
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(why, (n, named))| {
                let more = if *n > named.len() { ", ..." } else { "" };
                format!("{n} {why} ({}{more})", named.join(", "))
            })
            .collect();
        let files = if total == 1 { "file" } else { "files" };
        Some(format!("{total} {files} skipped: {}", parts.join("; ")))
    }
}

/// Expands paths into sources: directories are walked recursively (sorted)
/// for `.txt`, `.md`, `.markdown`, `.html`, `.htm`, `.csv`, `.tsv`, `.jsonl`
/// and `.ndjson` files (any
/// case, optionally `.gz`); `-` is stdin. In a walked directory, symbolic
/// links to directories are not followed, and entries that are not regular
/// files (FIFOs, sockets, devices, broken links) are skipped with a warning:
/// reading a FIFO would wait forever. A path named on the command line is
/// read whatever it is (`<(command)` is a pipe).
pub fn expand_inputs(
    paths: &[PathBuf],
    warnings: &mut ReadWarnings,
) -> Result<Vec<Source>, DataError> {
    expand_inputs_with(paths, &ScanFilter::default(), warnings)
}

/// [`expand_inputs`], reading only the files of walked directories that
/// `filter` lets through. The files of each directory left out are counted
/// by reason in one warning (the first few named).
pub fn expand_inputs_with(
    paths: &[PathBuf],
    filter: &ScanFilter,
    warnings: &mut ReadWarnings,
) -> Result<Vec<Source>, DataError> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Source::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let before = out.len();
                let mut skipped = Skipped::default();
                walk(p, p, filter, &mut out, &mut skipped, warnings)?;
                let message = skipped.message();
                if out.len() == before {
                    return Err(DataError::Empty {
                        path: p.clone(),
                        problem: match message {
                            Some(m) => format!("directory holds no file to read: {m}"),
                            None => {
                                "directory holds no .txt, .md, .html, .csv or .jsonl files".into()
                            }
                        },
                    });
                }
                if let Some(m) = message {
                    warnings.push(format!("{}: {m}", p.display()));
                }
            }
            Ok(_) => out.push(Source::File(p.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let problem = if std::fs::symlink_metadata(p).is_ok() {
                    "a symbolic link to a file that does not exist"
                } else {
                    "no such file or directory"
                };
                return Err(DataError::Io {
                    path: p.clone(),
                    error: std::io::Error::new(std::io::ErrorKind::NotFound, problem),
                });
            }
            // A symbolic link loop, a directory that may not be searched:
            // said as such.
            Err(error) => {
                return Err(DataError::Io {
                    path: p.clone(),
                    error,
                });
            }
        }
    }
    Ok(out)
}

/// The file name, lower-cased, without a `.gz` suffix (any case), and
/// whether it had one: what decides how a file is read.
fn collection_name(p: &Path) -> (String, bool) {
    let name = p.to_string_lossy().to_lowercase();
    match name.strip_suffix(".gz") {
        Some(stem) => (stem.to_string(), true),
        None => (name, false),
    }
}

fn is_input_file(p: &Path) -> bool {
    let (name, _) = collection_name(p);
    [
        ".txt",
        ".md",
        ".markdown",
        ".html",
        ".htm",
        ".csv",
        ".tsv",
        ".jsonl",
        ".ndjson",
    ]
    .iter()
    .any(|e| name.ends_with(e))
}

/// What a file that is not a regular file is, for messages.
fn file_kind(m: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    filter: &ScanFilter,
    out: &mut Vec<Source>,
    skipped: &mut Skipped,
    warnings: &mut ReadWarnings,
) -> Result<(), DataError> {
    let io = |error| DataError::Io {
        path: dir.to_path_buf(),
        error,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for p in entries {
        // Symbolic links to directories are not followed (no loops): only
        // a real directory is entered.
        let Ok(own) = std::fs::symlink_metadata(&p) else {
            // Removed since the directory was listed.
            continue;
        };
        if own.is_dir() {
            walk(root, &p, filter, out, skipped, warnings)?;
            continue;
        }
        let rel = p.strip_prefix(root).unwrap_or(&p);
        if own.file_type().is_symlink() && std::fs::metadata(&p).is_ok_and(|m| m.is_dir()) {
            skipped.add("symbolic links to directories, not followed", rel);
            continue;
        }
        if let Some(why) = filter.skip_reason(rel) {
            skipped.add(why, rel);
            continue;
        }
        match std::fs::metadata(&p) {
            Ok(m) if m.is_file() => out.push(Source::File(p)),
            Ok(m) if m.is_dir() => {}
            Ok(m) => warnings.push(format!(
                "{}: skipped: {} (only regular files are read from a directory)",
                p.display(),
                file_kind(&m)
            )),
            Err(e) => {
                let why = if e.kind() == std::io::ErrorKind::NotFound {
                    "a symbolic link to a file that does not exist".to_string()
                } else {
                    e.to_string()
                };
                warnings.push(format!("{}: skipped: {why}", p.display()));
            }
        }
    }
    Ok(())
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
/// byte offset and line, instead of being read as text.
struct NulGuard<R> {
    inner: R,
    /// Bytes at the start of the inner buffer already checked.
    checked: usize,
    /// Bytes consumed before the inner buffer, and newlines among them.
    offset: u64,
    line: u64,
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
    let inner = open_raw(source)?;
    Ok(Box::new(NulGuard {
        inner,
        checked: 0,
        offset: 0,
        line: 0,
    }))
}

fn open_raw(source: &Source) -> Result<Box<dyn BufRead>, DataError> {
    match source {
        Source::Stdin => Ok(Box::new(std::io::BufReader::new(std::io::stdin()))),
        Source::File(p) => {
            let f = std::fs::File::open(p).map_err(|error| DataError::Io {
                path: p.clone(),
                error,
            })?;
            if collection_name(p).1 {
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
            Source::File(p) => {
                let (name, _) = collection_name(p);
                if name.ends_with(".csv") || name.ends_with(".tsv") {
                    InputFormat::Csv
                } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
                    InputFormat::Jsonl
                } else if name.ends_with(".html") || name.ends_with(".htm") {
                    InputFormat::Html
                } else if name.ends_with(".md") || name.ends_with(".markdown") {
                    InputFormat::Markdown
                } else {
                    InputFormat::Text
                }
            }
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

/// One sentence per line, streamed in parts of [`LINES_PER_PART`] lines.
fn read_lines<E: From<InputError>>(
    name: &str,
    mut reader: impl BufRead,
    mut f: impl FnMut(Document) -> Result<(), E>,
) -> Result<(), E> {
    let mut line = Vec::new();
    let mut text = String::new();
    let (mut lineno, mut sentences) = (0usize, 0usize);
    let mut part = Part::default();
    let mut in_part = 0usize;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_DOCUMENT_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| invalid!("{name}: {e}"))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        if n > MAX_DOCUMENT_BYTES {
            return Err(invalid!(
                "{name}:{lineno}: line longer than {} MiB; this is not one sentence per line",
                MAX_DOCUMENT_BYTES >> 20
            ));
        }
        let l = std::str::from_utf8(&line)
            .map_err(|_| invalid!("{name}:{lineno}: invalid UTF-8; save the file as UTF-8"))?;
        // A lone CR ends a line too (old Mac files), as in the other
        // readers: each piece is a line of its own, ended with LF here.
        let body = l.strip_suffix('\n').unwrap_or(l);
        let body = body.strip_suffix('\r').unwrap_or(body);
        if body.contains('\r') {
            let pieces: Vec<&str> = body.split('\r').collect();
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    lineno += 1;
                }
                text.push_str(piece);
                text.push('\n');
                if !piece.trim().is_empty() {
                    sentences += 1;
                }
            }
            in_part += pieces.len();
        } else {
            text.push_str(l);
            in_part += 1;
            if !l.trim().is_empty() {
                sentences += 1;
            }
        }
        if in_part >= LINES_PER_PART || text.len() >= PART_BYTES {
            let next = Part {
                index: part.index + 1,
                line_offset: lineno,
                sentence_offset: sentences,
            };
            f(Document {
                id: name.to_string(),
                text: std::mem::take(&mut text),
                part: Some(part),
                ..Document::default()
            })?;
            part = next;
            in_part = 0;
        }
    }
    if sentences == 0 {
        return Err(invalid!("{name}: empty input: nothing to score"));
    }
    if in_part > 0 || part.index == 0 {
        f(Document {
            id: name.to_string(),
            text,
            part: Some(part),
            ..Document::default()
        })?;
    }
    Ok(())
}

/// A date field read as collections read it: the date, or what is wrong
/// with it ("unrecognised date \"soon\" (document kept without a date)"),
/// for the caller to report with the record's place. See [`parse_date`].
pub fn read_date(raw: &str) -> Result<NaiveDate, String> {
    if raw.len() > MAX_DATE_LEN {
        return Err(format!(
            "date field of {} bytes is too long to be a date (document kept without a date)",
            raw.len()
        ));
    }
    parse_date(raw)
        .ok_or_else(|| format!("unrecognised date {raw:?} (document kept without a date)"))
}

/// The fields of one collection record as a front end receives them: a CSV
/// row, a JSONL object, a document sent to the HTTP service or passed from
/// Python. Read into a [`Document`] by [`record_document`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFields {
    pub id: Option<String>,
    pub text: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub date: Option<String>,
}

/// The document of one collection record, read exactly as `stance score`
/// reads a CSV or JSONL row: blank fields are absent (others trimmed), a
/// missing id is `default_id()`, text that looks like HTML is reduced to its
/// article, character references are decoded, and the date is parsed.
/// Returns the document and what is worth a warning (an unreadable date:
/// the document is kept undated; no text and no title), without the
/// record's place, which the caller adds.
pub fn record_document(
    fields: RecordFields,
    default_id: impl FnOnce() -> String,
    record_line: Option<usize>,
) -> (Document, Vec<String>) {
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut warnings = Vec::new();
    let date = clean(fields.date)
        .and_then(|d| read_date(&d).map_err(|problem| warnings.push(problem)).ok());
    let title = clean(fields.title);
    if fields.text.trim().is_empty() && title.is_none() {
        warnings.push("empty text (document kept, with no sentence to score)".to_string());
    }
    let doc = collection_document(Document {
        id: clean(fields.id).unwrap_or_else(default_id),
        title: title.map(decode_entities),
        source: clean(fields.source),
        date,
        text: fields.text,
        record_line,
        ..Document::default()
    });
    (doc, warnings)
}

/// Longest text read as a date (bytes, after trimming): the longest form
/// read, "Wednesday, September 25, 2024 10:00:00 +0000"-like, is well under.
pub const MAX_DATE_LEN: usize = 64;

fn read_csv<E: From<InputError>>(
    path: &Path,
    reader: impl Read,
    columns: &Columns,
    warnings: &mut ReadWarnings,
    mut f: impl FnMut(Document) -> Result<(), E>,
) -> Result<(), E> {
    let tsv = collection_name(path).0.ends_with(".tsv");
    let (counting, lines) =
        crate::data::LineCounting::with_delimiter(reader, if tsv { b'\t' } else { b',' });
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(if tsv { b'\t' } else { b',' })
        .from_reader(counting);
    let headers = rdr
        .headers()
        .map_err(|e| invalid!("{}: {}", path.display(), csv_message(&e)))?
        .clone();
    if !tsv && headers.len() == 1 && headers[0].contains('\t') {
        return Err(invalid!(
            "{}: the header has tabs but no commas: this looks like tab-separated data; name the file .tsv",
            path.display()
        ));
    }
    let col = |name: &str| {
        crate::data::find_unique_column(&headers, name)
            .map_err(|problem| invalid!("{}: {problem}", path.display()))
    };
    let ti = col(&columns.text)?.ok_or_else(|| {
        E::from(InputError::from(DataError::MissingColumn {
            path: path.to_path_buf(),
            column: columns.text.clone(),
            found: headers.iter().collect::<Vec<_>>().join(", "),
        }))
    })?;
    let (ii, tti, si, di) = (
        col(&columns.id)?,
        col(&columns.title)?,
        col(&columns.source)?,
        col(&columns.date)?,
    );
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            // Bad UTF-8 in one record: the parser has read past it.
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { pos: Some(_), .. }) => {
                let csv::ErrorKind::Utf8 { pos: Some(pos), .. } = e.kind() else {
                    unreachable!("matched above")
                };
                let line = lines.borrow_mut().line_of(pos.byte());
                warnings.invalid_record(format!(
                    "{}:{line}: invalid UTF-8 in a field",
                    path.display()
                ))?;
                continue;
            }
            Err(e) => return Err(invalid!("{}: {}", path.display(), csv_message(&e))),
        }
        if let Some(line) = lines.borrow().unclosed_quote() {
            return Err(invalid!(
                "{}:{line}: {}",
                path.display(),
                crate::data::LineIndex::UNCLOSED_QUOTE
            ));
        }
        let line = lines
            .borrow_mut()
            .line_of(rec.position().map(|p| p.byte()).unwrap_or(0));
        if rec.len() != headers.len() {
            warnings.invalid_record(format!(
                "{}:{line}: {} fields where the header has {}",
                path.display(),
                rec.len(),
                headers.len()
            ))?;
            continue;
        }
        let get = |i: Option<usize>| i.map(|i| rec[i].to_string());
        let fields = RecordFields {
            id: get(ii),
            text: rec[ti].to_string(),
            title: get(tti),
            source: get(si),
            date: get(di),
        };
        let default_id = || format!("{}:{line}", path.display());
        let (doc, problems) = record_document(fields, default_id, Some(line as usize));
        for p in problems {
            warnings.push(format!("{}:{line}: {p}", path.display()));
        }
        f(doc)?;
    }
    Ok(())
}

/// Replaces a document's marked-up text with the text extracted from it;
/// the extracted title is used when the document has none.
fn from_markup(doc: &mut Document, extract: fn(&str) -> crate::extract::Extracted) {
    let e = extract(&doc.text);
    doc.text = e.text;
    doc.left_out = e.left_out;
    if doc.title.is_none() {
        doc.title = e.title;
    }
}

/// A collection record's text: HTML (by [`crate::extract::looks_like_html`])
/// is read as a web page; other text has its character references decoded.
fn collection_document(mut doc: Document) -> Document {
    if crate::extract::looks_like_html(&doc.text) {
        from_markup(&mut doc, crate::extract::html::extract);
    } else {
        doc.text = decode_entities(std::mem::take(&mut doc.text));
    }
    doc
}

/// Decodes HTML character references (`&#039;`, `&amp;`, `&eacute;`) in a
/// collection field: scraped feeds carry them in titles and text, and to
/// the tokenizer `&#039;` is noise. Plain text without `&` is not copied.
fn decode_entities(s: String) -> String {
    if !s.contains('&') {
        return s;
    }
    match html_escape::decode_html_entities(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(d) => d,
    }
}

/// A csv error as "line N: problem".
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { pos: Some(pos), .. } => {
            format!("{}: invalid UTF-8 in a field", pos.line())
        }
        _ => e.to_string(),
    }
}

/// A JSONL record: an object whose keys each appear once. serde_json
/// keeps the last of two equal keys without a word; which value holds the
/// text would be a guess, so a repeated key is an error.
struct JsonRecord(serde_json::Map<String, serde_json::Value>);

impl<'de> serde::Deserialize<'de> for JsonRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = JsonRecord;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<JsonRecord, A::Error> {
                let mut map = serde_json::Map::new();
                while let Some(k) = m.next_key::<String>()? {
                    let v: serde_json::Value = m.next_value()?;
                    if map.contains_key(&k) {
                        return Err(serde::de::Error::custom(format!(
                            "the key {k:?} appears twice (which value holds the data is ambiguous)"
                        )));
                    }
                    map.insert(k, v);
                }
                Ok(JsonRecord(map))
            }
        }
        d.deserialize_map(Keys)
    }
}

fn read_jsonl<E: From<InputError>>(
    path: &Path,
    mut reader: impl BufRead,
    columns: &Columns,
    warnings: &mut ReadWarnings,
    mut f: impl FnMut(Document) -> Result<(), E>,
) -> Result<(), E> {
    let mut buf = Vec::new();
    let mut lineno = 0u64;
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_DOCUMENT_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| invalid!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        if n > MAX_DOCUMENT_BYTES {
            return Err(invalid!(
                "{}:{lineno}: line longer than {} MiB, the most read as one record",
                path.display(),
                MAX_DOCUMENT_BYTES >> 20
            ));
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            warnings.invalid_record(format!("{}:{lineno}: invalid UTF-8", path.display()))?;
            continue;
        };
        // A UTF-8 byte-order mark is not JSON.
        let line = match lineno {
            1 => line.strip_prefix('\u{feff}').unwrap_or(line),
            _ => line,
        };
        if line.trim().is_empty() {
            continue;
        }
        let v = match serde_json::from_str::<JsonRecord>(line) {
            Ok(JsonRecord(map)) => serde_json::Value::Object(map),
            Err(e) => {
                warnings
                    .invalid_record(format!("{}:{lineno}: invalid JSON: {e}", path.display()))?;
                continue;
            }
        };
        let get = |k: &str| match v.get(k) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let text = match v.get(&columns.text) {
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => {
                warnings.invalid_record(format!(
                    "{}:{lineno}: no string field {:?}",
                    path.display(),
                    columns.text
                ))?;
                continue;
            }
        };
        let fields = RecordFields {
            id: get(&columns.id),
            text,
            title: get(&columns.title),
            source: get(&columns.source),
            date: get(&columns.date),
        };
        let default_id = || format!("{}:{lineno}", path.display());
        let (doc, problems) = record_document(fields, default_id, Some(lineno as usize));
        for p in problems {
            warnings.push(format!("{}:{lineno}: {p}", path.display()));
        }
        f(doc)?;
    }
    Ok(())
}

/// Parses the date formats news data carries: ISO 8601 dates and
/// date-times (`2024-03-05`, `2024-03-05T10:00:00Z`), RFC 2822
/// (`Tue, 5 Mar 2024 10:00:00 +0000`), `2024/03/05`, `5 March 2024`,
/// `March 5, 2024`, `Mar 5, 2024` and `5 Mar 2024`. Anything else is `None`:
/// ambiguous forms such as `03/05/2024` are not guessed. Text longer than
/// [`MAX_DATE_LEN`] bytes is not a date: `None`, at once. Years outside
/// 1–9999 (year 0000, a negative year: no publication date) are `None`;
/// impossible days (`2023-02-29`, `31 April`) are `None` too.
///
/// ```
/// use stance::input::parse_date;
/// let d = chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
/// assert_eq!(parse_date("2024-03-05T10:00:00Z"), Some(d));
/// assert_eq!(parse_date("March 5, 2024"), Some(d));
/// assert_eq!(parse_date("03/05/2024"), None);
/// ```
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    use chrono::Datelike;
    parse_date_any_year(s).filter(|d| (1..=9999).contains(&d.year()))
}

fn parse_date_any_year(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() > MAX_DATE_LEN {
        return None;
    }
    // "Tuesday, March 5, 2024" -> "March 5, 2024".
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let s = match s.split_once(", ") {
        Some((first, rest)) if DAYS.contains(&first.to_lowercase().as_str()) => rest,
        _ => s,
    };
    // "Sept. 5" -> "Sep 5".
    let s = s.replacen("Sept.", "Sep", 1).replacen("Sept ", "Sep ", 1);
    // "Mar. 5, 2024" -> "Mar 5, 2024".
    if let Some((month, rest)) = s.split_once(". ")
        && month.len() == 3
        && month.chars().all(|c| c.is_ascii_alphabetic())
        && let Some(d) = parse_date_plain(&format!("{month} {rest}"))
    {
        return Some(d);
    }
    parse_date_plain(&s)
}

/// The formats of [`parse_date`], without the rewriting of day and month
/// names.
fn parse_date_plain(s: &str) -> Option<NaiveDate> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(d.date_naive());
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(s) {
        return Some(d.date_naive());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return Some(d.date());
        }
    }
    for fmt in [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%d %B %Y",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %b %Y",
        "%B %d %Y",
        "%b. %d, %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        for s in [
            "2024-03-05",
            "2024/03/05",
            "2024-03-05 08:00:00",
            "Tue, 5 Mar 2024 10:00:00 +0000",
            "5 March 2024",
            "Mar 5, 2024",
            "5 Mar 2024",
            "2024-03-05T23:30:00+01:00",
            "Tuesday, March 5, 2024",
            "Mar. 5, 2024",
            "2024-03-05T10:00:00.123Z",
        ] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        assert_eq!(
            parse_date("Sept. 5, 2024"),
            NaiveDate::from_ymd_opt(2024, 9, 5)
        );
        for s in ["yesterday", "03/05/2024", "2024-13-01", ""] {
            assert_eq!(parse_date(s), None, "{s}");
        }
        assert_eq!(
            parse_date("Wednesday, Sept. 25, 2024"),
            NaiveDate::from_ymd_opt(2024, 9, 25)
        );
        // Each "Sept." was one more level of recursion: 240 KB of them
        // overflowed the stack.
        assert_eq!(parse_date(&"Sept. ".repeat(40_000)), None);
    }
}
