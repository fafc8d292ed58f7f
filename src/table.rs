//! Reading CSV and TSV tables record by record, with the 1-based line of
//! every record and the problems a table can have (an unclosed quote, a
//! huge quoted field, bad UTF-8) found where they are: what both labeled
//! data ([`crate::data`]) and document collections ([`crate::input`]) read.

use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;

/// A table read record by record (see the module docs).
pub(crate) struct Table<R: Read> {
    rdr: csv::Reader<LineCounting<R>>,
    lines: Rc<RefCell<LineIndex>>,
    headers: csv::StringRecord,
}

/// Why [`Table::read`] could not read a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecordError {
    /// Bad UTF-8 in the record on this line: the parser has read past it,
    /// and the next record can be read.
    Utf8 { line: u64 },
    /// The table is broken from here on, at `line` (`None` when the
    /// problem says where itself, as a read error does).
    Broken { line: Option<u64>, problem: String },
}

impl RecordError {
    /// "line N: problem".
    pub(crate) fn message(&self) -> String {
        match self {
            RecordError::Utf8 { line } => format!("line {line}: invalid UTF-8 in a field"),
            RecordError::Broken {
                line: Some(line),
                problem,
            } => format!("line {line}: {problem}"),
            RecordError::Broken {
                line: None,
                problem,
            } => problem.clone(),
        }
    }

    /// "FILE:N: problem".
    pub(crate) fn located(&self, path: &std::path::Path) -> String {
        match self {
            RecordError::Utf8 { line } => {
                format!("{}:{line}: invalid UTF-8 in a field", path.display())
            }
            RecordError::Broken {
                line: Some(line),
                problem,
            } => format!("{}:{line}: {problem}", path.display()),
            RecordError::Broken {
                line: None,
                problem,
            } => format!("{}: {problem}", path.display()),
        }
    }
}

impl<R: Read> Table<R> {
    /// Starts reading `reader`, fields separated by `delimiter`, and reads
    /// its header line; `Err` is the parser's message.
    pub(crate) fn new(reader: R, delimiter: u8) -> Result<Table<R>, String> {
        let (counting, lines) = LineCounting::with_delimiter(reader, delimiter);
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(counting);
        let headers = rdr.headers().map_err(|e| broken(&e, 1).message())?.clone();
        Ok(Table {
            rdr,
            lines,
            headers,
        })
    }

    /// The header line's fields.
    pub(crate) fn headers(&self) -> &csv::StringRecord {
        &self.headers
    }

    /// The index of column `name` (see [`same_column`]). A name that
    /// more than one column has (which one holds the data?) is an error,
    /// with the columns' 1-based positions: `the header has 2 columns
    /// named "text" (columns 2 and 3): ...`.
    pub(crate) fn column(&self, name: &str) -> Result<Option<usize>, String> {
        let at: Vec<usize> = self
            .headers
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

    /// The header's fields as a list for messages: `a, b, c`.
    pub(crate) fn found(&self) -> String {
        self.headers.iter().collect::<Vec<_>>().join(", ")
    }

    /// Reads the next record into `rec`: its 1-based line, or `None` at
    /// the end of the table.
    pub(crate) fn read(&mut self, rec: &mut csv::StringRecord) -> Result<Option<u64>, RecordError> {
        let before = self.rdr.position().byte();
        match self.rdr.read_record(rec) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => {
                if let csv::ErrorKind::Utf8 { pos: Some(pos), .. } = e.kind() {
                    let line = self.lines.borrow_mut().line_of(pos.byte());
                    return Err(RecordError::Utf8 { line });
                }
                let line = self.lines.borrow_mut().line_of(before);
                return Err(broken(&e, line));
            }
        }
        if let Some(line) = self.lines.borrow().unclosed_quote() {
            return Err(RecordError::Broken {
                line: Some(line),
                problem: LineIndex::UNCLOSED_QUOTE.into(),
            });
        }
        let byte = rec.position().map(|p| p.byte()).unwrap_or(before);
        Ok(Some(self.lines.borrow_mut().line_of(byte)))
    }
}

/// A parser error at `line` (a read error already says where).
fn broken(e: &csv::Error, line: u64) -> RecordError {
    match e.kind() {
        csv::ErrorKind::Io(io) => RecordError::Broken {
            line: None,
            problem: io.to_string(),
        },
        csv::ErrorKind::Utf8 { .. } => RecordError::Utf8 { line },
        _ => RecordError::Broken {
            line: Some(line),
            problem: e.to_string(),
        },
    }
}

/// A reader that remembers where the newlines it passed on were, so that a
/// CSV record's byte offset can be turned into its 1-based line number. (The
/// `csv` crate's own line count is off by one per record on CRLF files.)
/// Memory is bounded by the parser's read-ahead.
///
/// It also follows the quoting as the `csv` parser does, so that a quote
/// that is never closed, which makes the parser read the rest of the file
/// as one field without a word, is found: see [`LineIndex::unclosed_quote`].
struct LineCounting<R> {
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

/// Newline offsets not yet consumed, and the count of those before them.
#[derive(Default)]
struct LineIndex {
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
    fn line_of(&mut self, offset: u64) -> u64 {
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
    fn unclosed_quote(&self) -> Option<u64> {
        (self.eof && self.quoting == Quoting::Quoted).then_some(self.quote_line)
    }

    /// What [`LineIndex::unclosed_quote`] means, for messages.
    const UNCLOSED_QUOTE: &str = "a quoted field opens on this line and is never closed, so the rest of the file would be read as one field; check the quotes (a quote inside a quoted field is written twice: \"\")";

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
    /// A reader of `inner`, whose fields are separated by `delimiter`.
    fn with_delimiter(
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

/// Whether a header field names column `name`: case and surrounding
/// spaces (and a byte-order mark) ignored.
fn same_column(header: &str, name: &str) -> bool {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .eq_ignore_ascii_case(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_field_over_the_limit_stops_the_read() {
        use std::io::Read;
        let text = format!("text,label\nok,neutral\n\"{}", "x\n".repeat(600));
        let (mut counting, index) = LineCounting::with_delimiter(text.as_bytes(), b',');
        index.borrow_mut().max_field = 1000;
        let mut out = Vec::new();
        let err = counting.read_to_end(&mut out).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 3: a quoted field longer than"),
            "{err}"
        );
        // Under the limit the same text reads through.
        let (mut counting, _) = LineCounting::with_delimiter(text.as_bytes(), b',');
        assert_eq!(counting.read_to_end(&mut Vec::new()).unwrap(), text.len());
    }

    #[test]
    fn records_carry_their_lines_and_a_bad_record_its_own() {
        let text = b"text,n\r\na,1\r\n\"two\r\nlines\",2\r\nbad \xff,3\nlast,4\n";
        let mut table = Table::new(&text[..], b',').unwrap();
        assert_eq!(table.column("N"), Ok(Some(1)));
        let mut rec = csv::StringRecord::new();
        assert_eq!(table.read(&mut rec), Ok(Some(2)));
        assert_eq!(table.read(&mut rec), Ok(Some(3)));
        assert_eq!(table.read(&mut rec), Err(RecordError::Utf8 { line: 5 }));
        assert_eq!(table.read(&mut rec), Ok(Some(6)));
        assert_eq!(table.read(&mut rec), Ok(None));
        let mut table = Table::new(&b"text\nok\n\"never closed\nmore\n"[..], b',').unwrap();
        assert_eq!(table.read(&mut rec), Ok(Some(2)));
        let e = table.read(&mut rec).unwrap_err();
        assert!(
            e.located(std::path::Path::new("x.csv"))
                .starts_with("x.csv:3: a quoted field opens"),
            "{e:?}"
        );
    }
}
