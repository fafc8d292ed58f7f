//! Reading labeled CSV files (`text` and `label` columns, others ignored).
//!
//! Every row that cannot be used is kept as a [`Rejection`] with its line
//! number and reason: nothing is dropped silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::label::Label;
use crate::model::ModelError;

/// One labeled sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The sentence.
    pub text: String,
    /// Its label.
    pub label: Label,
    /// 1-based line of the CSV file where the record starts.
    pub line: u64,
    /// The document the sentence comes from (the `doc` column, when the
    /// file has one): evaluation reports per-document ratios with it.
    pub doc: Option<String>,
}

/// How many examples carry each label (every label present, zero included).
pub fn label_counts(examples: &[Example]) -> BTreeMap<Label, usize> {
    let mut counts: BTreeMap<Label, usize> = Label::ALL.iter().map(|&l| (l, 0)).collect();
    for e in examples {
        *counts.entry(e.label).or_default() += 1;
    }
    counts
}

/// A row that could not be used, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// 1-based line of the CSV file.
    pub line: u64,
    /// What is wrong with it.
    pub reason: String,
}

/// The rows of a labeled CSV file.
#[derive(Debug, Clone)]
pub struct LabeledData {
    /// Where it was read from.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Usable rows, in file order.
    pub examples: Vec<Example>,
    /// Unusable rows, in file order.
    pub rejected: Vec<Rejection>,
}

impl LabeledData {
    /// Rows per label.
    pub fn label_counts(&self) -> BTreeMap<Label, usize> {
        let mut m: BTreeMap<Label, usize> = Label::ALL.iter().map(|&l| (l, 0)).collect();
        for e in &self.examples {
            *m.entry(e.label).or_default() += 1;
        }
        m
    }
}

/// Why a labeled file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error (shown in the message, not chained again).
        error: std::io::Error,
    },
    /// Bytes that are not UTF-8.
    #[error("{path}:{line}: invalid UTF-8 (byte offset {offset}); save the file as UTF-8")]
    InvalidUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// No header or no data rows.
    #[error("{path}: {problem}")]
    Empty {
        /// The file.
        path: PathBuf,
        /// What is missing.
        problem: String,
    },
    /// A required column is absent.
    #[error(
        "{path}:1: no {column:?} column in the header (found: {found}); the first line must name the columns: `text`, plus `label` for train, eval and calibrate (see \"Data format\" in the README)"
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: String,
        /// The columns that are there.
        found: String,
    },
    /// The CSV structure itself is broken.
    #[error("{path}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A model could not be loaded.
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// What a file that starts with a UTF-16 or UTF-32 byte-order mark is,
/// for a message: stance reads UTF-8 only, and such a file would otherwise
/// be called binary (its NUL bytes) or invalid UTF-8.
pub fn wide_unicode(head: &[u8]) -> Option<String> {
    let kind = if head.starts_with(b"\xff\xfe\0\0") {
        "UTF-32 (little-endian)"
    } else if head.starts_with(b"\0\0\xfe\xff") {
        "UTF-32 (big-endian)"
    } else if head.starts_with(b"\xff\xfe") {
        "UTF-16 (little-endian)"
    } else if head.starts_with(b"\xfe\xff") {
        "UTF-16 (big-endian)"
    } else {
        return None;
    };
    let from = kind.split(' ').next().unwrap_or(kind);
    Some(format!(
        "{kind} text (it starts with a {from} byte-order mark); stance reads UTF-8: convert it first, e.g. `iconv -f {from} -t UTF-8 FILE > FILE.utf8`"
    ))
}

/// Largest labeled CSV read, in bytes (the document limit of
/// [`crate::input::MAX_DOCUMENT_BYTES`]): the whole file is held in memory.
pub const MAX_LABELED_BYTES: usize = 256 << 20;

/// Reads a labeled file whole, refusing at once (before it is all read)
/// binary data (a NUL byte: `/dev/zero`, an image), UTF-16/32 text and a
/// file over [`MAX_LABELED_BYTES`].
fn read_labeled_bytes(path: &Path) -> Result<Vec<u8>, DataError> {
    use std::io::Read;
    let io = |error| DataError::Io {
        path: path.to_path_buf(),
        error,
    };
    let problem = |message: String| DataError::Csv {
        path: path.to_path_buf(),
        message,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut chunk).map_err(io)?;
        if n == 0 {
            return Ok(bytes);
        }
        let start = bytes.len();
        bytes.extend_from_slice(&chunk[..n]);
        if start == 0
            && let Some(what) = wide_unicode(&bytes)
        {
            return Err(problem(what));
        }
        if let Some(at) = bytes[start..].iter().position(|&b| b == 0) {
            let at = start + at;
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            return Err(problem(format!(
                "binary input: NUL byte at byte {at} (line {line}); stance reads UTF-8 text"
            )));
        }
        if bytes.len() > MAX_LABELED_BYTES {
            return Err(problem(format!(
                "larger than {} MiB, the most read as one labeled file; split it into smaller files",
                MAX_LABELED_BYTES >> 20
            )));
        }
    }
}

/// Checks that `bytes` are UTF-8 and returns them as text, or an error
/// naming the line of the first bad byte.
pub fn utf8_text<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, DataError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        DataError::InvalidUtf8 {
            path: path.to_path_buf(),
            line: 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count(),
            offset,
        }
    })
}

/// A reader that remembers where the newlines it passed on were, so that a
/// CSV record's byte offset can be turned into its 1-based line number. (The
/// `csv` crate's own line count is off by one per record on CRLF files.)
/// Memory is bounded by the parser's read-ahead.
///
/// It also follows the quoting as the `csv` parser does, so that a quote
/// that is never closed, which makes the parser read the rest of the file
/// as one field without a word, is found: see [`LineIndex::unclosed_quote`].
pub(crate) struct LineCounting<R> {
    inner: R,
    index: std::rc::Rc<std::cell::RefCell<LineIndex>>,
}

/// Where the parser is in the CSV grammar (quote `"`, doubled to escape).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// At the start of a field.
    #[default]
    FieldStart,
    /// In a field that does not start with a quote (quotes in it are text).
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// Just after a quote in a quoted field: its end, or the first half of `""`.
    QuoteInQuoted,
}

/// Line ends not yet consumed, and the count of those before them.
#[derive(Default)]
pub(crate) struct LineIndex {
    offset: u64,
    passed: u64,
    /// Each line end's first and last byte (the CR and the LF of a CRLF).
    pending: std::collections::VecDeque<(u64, u64)>,
    /// Newlines seen in all.
    newlines: u64,
    delimiter: u8,
    quoting: Quoting,
    /// 1-based line of the quote that opened the quoted field being read.
    quote_line: u64,
    /// The input has ended.
    eof: bool,
    /// Offset of a CR just read: a line end of its own (as the parser
    /// takes it) unless an LF follows.
    cr: Option<u64>,
    /// Offset of the quote that opened the quoted field being read.
    quote_offset: u64,
    /// Longest quoted field accepted, in bytes.
    max_field: u64,
}

/// Longest quoted CSV field read, in bytes (the document limit of
/// [`crate::input::MAX_DOCUMENT_BYTES`]): the parser holds a whole field in
/// memory, so a quote opened and never closed in a huge file must stop
/// before the rest of the file is buffered.
pub const MAX_FIELD_BYTES: u64 = 256 << 20;

impl LineIndex {
    /// 1-based line of the record the csv crate says starts at byte
    /// `offset`; offsets must not decrease. The crate's offset is where the
    /// previous record ended: a newline *at* `offset` counts as before it
    /// (a CRLF record is reported as starting at the `\n` of the line end),
    /// and the blank lines the parser skips before a record, line ends that
    /// follow one another from there, are before it too.
    pub(crate) fn line_of(&mut self, offset: u64) -> u64 {
        let mut next = offset;
        while let Some(&(start, end)) = self.pending.front() {
            if end > offset && start != next {
                break;
            }
            self.pending.pop_front();
            self.passed += 1;
            next = next.max(end + 1);
        }
        self.passed + 1
    }

    /// Once the input has ended inside a quoted field: the line where the
    /// quote that opened it is. The parser then returns everything from
    /// there to the end of the file as that field, so the record it is in
    /// is the last one read.
    pub(crate) fn unclosed_quote(&self) -> Option<u64> {
        (self.eof && self.quoting == Quoting::Quoted).then_some(self.quote_line)
    }

    /// What [`LineIndex::unclosed_quote`] means, for messages.
    pub(crate) const UNCLOSED_QUOTE: &str = "a quoted field opens on this line and is never closed, so the rest of the file would be read as one field; check the quotes (a quote inside a quoted field is written twice: \"\")";

    fn follow(&mut self, b: u8) {
        use Quoting::*;
        let end = b == self.delimiter || b == b'\n' || b == b'\r';
        self.quoting = match (self.quoting, b) {
            (FieldStart, b'"') => {
                self.quote_line = self.newlines + 1;
                self.quote_offset = self.offset;
                Quoted
            }
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted, b'"') => Quoted,
            (FieldStart | Unquoted | QuoteInQuoted, _) if end => FieldStart,
            (FieldStart | Unquoted | QuoteInQuoted, _) => Unquoted,
        };
    }
}

impl<R: std::io::Read> LineCounting<R> {
    /// A reader of comma-separated `inner`.
    pub(crate) fn new(inner: R) -> (Self, std::rc::Rc<std::cell::RefCell<LineIndex>>) {
        Self::with_delimiter(inner, b',')
    }

    /// A reader of `inner`, whose fields are separated by `delimiter`.
    pub(crate) fn with_delimiter(
        inner: R,
        delimiter: u8,
    ) -> (Self, std::rc::Rc<std::cell::RefCell<LineIndex>>) {
        let index = std::rc::Rc::new(std::cell::RefCell::new(LineIndex {
            delimiter,
            max_field: MAX_FIELD_BYTES,
            ..LineIndex::default()
        }));
        (
            LineCounting {
                inner,
                index: index.clone(),
            },
            index,
        )
    }
}

impl<R: std::io::Read> std::io::Read for LineCounting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut idx = self.index.borrow_mut();
        if n == 0 && !buf.is_empty() {
            idx.eof = true;
        }
        let base = idx.offset;
        for (i, &b) in buf[..n].iter().enumerate() {
            let at = base + i as u64;
            // The parser skips a UTF-8 byte-order mark.
            if at < 3 && b == b"\xef\xbb\xbf"[at as usize] {
                continue;
            }
            // A lone CR ends a line (old Mac files); CRLF is one line end.
            let cr = idx.cr.take();
            if let Some(cr) = cr
                && b != b'\n'
            {
                idx.pending.push_back((cr, cr));
                idx.newlines += 1;
            }
            // `follow` reads the offset of an opening quote from here.
            idx.offset = at;
            idx.follow(b);
            if idx.quoting == Quoting::Quoted && at - idx.quote_offset > idx.max_field {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "line {}: a quoted field longer than {} MiB opens here; is a quote never closed? (a quote inside a quoted field is written twice: \"\")",
                        idx.quote_line,
                        idx.max_field >> 20
                    ),
                ));
            }
            if b == b'\n' {
                idx.pending.push_back((cr.unwrap_or(at), at));
                idx.newlines += 1;
            } else if b == b'\r' {
                idx.cr = Some(at);
            }
        }
        idx.offset = base + n as u64;
        Ok(n)
    }
}

/// Finds a column by name, ignoring case and surrounding spaces.
pub fn find_column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| same_column(h, name))
}

fn same_column(header: &str, name: &str) -> bool {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .eq_ignore_ascii_case(name)
}

/// Like [`find_column`], but a name that more than one column has (which
/// one holds the data?) is an error, with the columns' 1-based positions:
/// `the header has 2 columns named "text" (columns 2 and 3): ...`.
pub fn find_unique_column(
    headers: &csv::StringRecord,
    name: &str,
) -> Result<Option<usize>, String> {
    let at: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| same_column(h, name))
        .map(|(i, _)| i)
        .collect();
    match at.as_slice() {
        [] => Ok(None),
        [i] => Ok(Some(*i)),
        many => {
            let list: Vec<String> = many.iter().map(|i| (i + 1).to_string()).collect();
            Err(format!(
                "the header has {} columns named {name:?} (columns {}): which one holds the data is ambiguous; rename or remove all but one",
                many.len(),
                list.join(" and ")
            ))
        }
    }
}

/// Reads a labeled CSV file with `text` and `label` columns.
///
/// Rows with empty text, an unknown label or the wrong number of fields are
/// returned in [`LabeledData::rejected`]. An unreadable file, invalid UTF-8,
/// a missing column or a file without data rows is an error.
pub fn read_labeled_csv(path: &Path) -> Result<LabeledData, DataError> {
    read_labeled_csv_where(path, None)
}

/// Like [`read_labeled_csv`], keeping only the rows whose column `filter.0`
/// equals `filter.1` (after trimming; other rows are neither used nor
/// rejected). A filter column the file lacks is an error.
pub fn read_labeled_csv_where(
    path: &Path,
    filter: Option<(&str, &str)>,
) -> Result<LabeledData, DataError> {
    let bytes = read_labeled_bytes(path)?;
    let text = utf8_text(path, &bytes)?;
    let sha256 = crate::model::sha256_hex(&bytes);
    let (counting, lines) = LineCounting::new(text.as_bytes());
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(counting);
    let headers = rdr
        .headers()
        .map_err(|e| DataError::Csv {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?
        .clone();
    if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            problem: "the file is empty (expected a header with \"text\" and \"label\" columns)"
                .into(),
        });
    }
    let unique = |name: &str| {
        find_unique_column(&headers, name).map_err(|message| DataError::Csv {
            path: path.to_path_buf(),
            message,
        })
    };
    let column = |name: &str| {
        unique(name)?.ok_or_else(|| DataError::MissingColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
            found: headers.iter().collect::<Vec<_>>().join(", "),
        })
    };
    let (ti, li) = (column("text")?, column("label")?);
    let di = unique("doc")?;
    let filter_spec = filter;
    let filter = filter
        .map(|(name, value)| column(name).map(|i| (i, value)))
        .transpose()?;
    let mut examples = Vec::new();
    let mut rejected = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let before = rdr.position().byte();
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = lines.borrow_mut().line_of(before);
                return Err(DataError::Csv {
                    path: path.to_path_buf(),
                    message: format!("line {line}: {e}"),
                });
            }
        }
        if let Some(line) = lines.borrow().unclosed_quote() {
            return Err(DataError::Csv {
                path: path.to_path_buf(),
                message: format!("line {line}: {}", LineIndex::UNCLOSED_QUOTE),
            });
        }
        let byte = record.position().map(|p| p.byte()).unwrap_or(before);
        let line = lines.borrow_mut().line_of(byte);
        if record.len() != headers.len() {
            rejected.push(Rejection {
                line,
                reason: format!(
                    "{} fields where the header has {}",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        if let Some((fi, value)) = filter
            && record[fi].trim() != value
        {
            continue;
        }
        let text = record[ti].trim();
        if text.is_empty() {
            rejected.push(Rejection {
                line,
                reason: "empty text".into(),
            });
            continue;
        }
        match record[li].parse::<Label>() {
            Ok(label) => examples.push(Example {
                text: text.to_string(),
                label,
                line,
                doc: di
                    .map(|i| record[i].trim().to_string())
                    .filter(|d| !d.is_empty()),
            }),
            Err(e) => rejected.push(Rejection {
                line,
                reason: e.to_string(),
            }),
        }
    }
    if examples.is_empty() && rejected.is_empty() {
        let problem = match filter_spec {
            Some((name, value)) => format!("no row has {name} = {value:?}"),
            None => "no data rows after the header".into(),
        };
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            problem,
        });
    }
    Ok(LabeledData {
        path: path.to_path_buf(),
        sha256,
        examples,
        rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, content: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("stance-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    #[test]
    fn reads_and_rejects_with_lines() {
        let p = write(
            "a.csv",
            b"id,text,label\n1,Talks resumed.,Diplomacy\n2,,neutral\n3,\"A quoted,\nmultiline\",escalation_warning\n4,Hmm.,hawkish\n",
        );
        let d = read_labeled_csv(&p).unwrap();
        assert_eq!(d.examples.len(), 2);
        assert_eq!(d.examples[1].label, Label::EscalationWarning);
        assert_eq!(d.examples[1].line, 4);
        assert_eq!(d.rejected.len(), 2);
        assert_eq!(d.rejected[0].line, 3);
        assert_eq!(d.rejected[0].reason, "empty text");
        assert_eq!(d.rejected[1].line, 6);
        assert!(d.rejected[1].reason.contains("hawkish"));
    }

    #[test]
    fn a_quoted_field_over_the_limit_stops_the_read() {
        use std::io::Read;
        let text = format!("text,label\nok,neutral\n\"{}", "x\n".repeat(600));
        let (mut counting, index) = LineCounting::new(text.as_bytes());
        index.borrow_mut().max_field = 1000;
        let mut out = Vec::new();
        let err = counting.read_to_end(&mut out).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 3: a quoted field longer than"),
            "{err}"
        );
        // Under the limit the same text reads through.
        let (mut counting, _) = LineCounting::new(text.as_bytes());
        assert_eq!(counting.read_to_end(&mut Vec::new()).unwrap(), text.len());
    }

    #[test]
    fn crlf_line_numbers() {
        let p = write(
            "crlf.csv",
            b"text,label\r\nok,neutral\r\n\"two\r\nlines\",neutral\r\nbad,hawkish\r\n",
        );
        let d = read_labeled_csv(&p).unwrap();
        assert_eq!(d.examples[0].line, 2);
        assert_eq!(d.examples[1].line, 3);
        assert_eq!(d.rejected[0].line, 5);
    }

    #[test]
    fn missing_column_and_utf8() {
        let p = write("b.csv", b"sentence,label\nx,neutral\n");
        let e = read_labeled_csv(&p).unwrap_err().to_string();
        assert!(
            e.contains("no \"text\" column") && e.contains("sentence, label"),
            "{e}"
        );
        let p = write("c.csv", b"text,label\nok,neutral\nbad \xff byte,neutral\n");
        let e = read_labeled_csv(&p).unwrap_err().to_string();
        assert!(e.contains(":3: invalid UTF-8"), "{e}");
    }
}
