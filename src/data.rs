//! Reading labeled CSV files (`text` and `label` columns, others ignored).
//!
//! Every row that cannot be used is kept as a [`Rejection`] with its line
//! number and reason: nothing is dropped silently.

use crate::label::LabelMap;
use std::path::{Path, PathBuf};

use crate::label::Label;
use crate::model::ModelError;
use crate::table::Table;

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
pub fn label_counts(examples: &[Example]) -> LabelMap<usize> {
    let mut counts = LabelMap::<usize>::default();
    for e in examples {
        counts[e.label] += 1;
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
    pub fn label_counts(&self) -> LabelMap<usize> {
        let mut m = LabelMap::<usize>::default();
        for e in &self.examples {
            m[e.label] += 1;
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
    let file = std::fs::File::open(path).map_err(io)?;
    let reader = crate::input::NulGuard::new(std::io::BufReader::with_capacity(1 << 20, file));
    let mut bytes = Vec::new();
    reader
        .take(MAX_LABELED_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| match e.kind() {
            // What the guard found: binary data, UTF-16/32.
            std::io::ErrorKind::InvalidData => problem(e.to_string()),
            _ => io(e),
        })?;
    if bytes.len() > MAX_LABELED_BYTES {
        return Err(problem(format!(
            "larger than {} MiB, the most read as one labeled file; split it into smaller files",
            MAX_LABELED_BYTES >> 20
        )));
    }
    Ok(bytes)
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
    let csv_error = |message: String| DataError::Csv {
        path: path.to_path_buf(),
        message,
    };
    let mut table = Table::new(text.as_bytes(), b',').map_err(csv_error)?;
    let headers = table.headers().clone();
    if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            problem: "the file is empty (expected a header with \"text\" and \"label\" columns)"
                .into(),
        });
    }
    let unique = |name: &str| table.column(name).map_err(csv_error);
    let column = |name: &str| {
        unique(name)?.ok_or_else(|| DataError::MissingColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
            found: table.found(),
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
        let line = match table.read(&mut record) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            // (The whole file was checked as UTF-8 above.)
            Err(e) => return Err(csv_error(e.message())),
        };
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
