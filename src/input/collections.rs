//! Collections: CSV/TSV and JSONL files of documents, one record each,
//! with a `text` column and optional `id`, `title`, `source` and `date`.

use std::io::{BufRead, Read};
use std::path::Path;

use super::{
    Columns, Document, InputError, MAX_DOCUMENT_BYTES, ReadWarnings, file_type, read_date,
};
use crate::data::DataError;
use crate::table::{RecordError, Table};

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

pub(super) fn read_csv<E: From<InputError>>(
    path: &Path,
    reader: impl Read,
    columns: &Columns,
    warnings: &mut ReadWarnings,
    mut f: impl FnMut(Document) -> Result<(), E>,
) -> Result<(), E> {
    let tsv = file_type(path).tsv;
    let mut table = Table::new(reader, if tsv { b'\t' } else { b',' })
        .map_err(|e| invalid!("{}: {e}", path.display()))?;
    let headers = table.headers().clone();
    if !tsv && headers.len() == 1 && headers[0].contains('\t') {
        return Err(invalid!(
            "{}: the header has tabs but no commas: this looks like tab-separated data; name the file .tsv",
            path.display()
        ));
    }
    let col = |name: &str| {
        table
            .column(name)
            .map_err(|problem| invalid!("{}: {problem}", path.display()))
    };
    let ti = col(&columns.text)?.ok_or_else(|| {
        E::from(InputError::from(DataError::MissingColumn {
            path: path.to_path_buf(),
            column: columns.text.clone(),
            found: table.found(),
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
        let line = match table.read(&mut rec) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            // Bad UTF-8 in one record: the parser has read past it.
            Err(e @ RecordError::Utf8 { .. }) => {
                warnings.invalid_record(e.located(path))?;
                continue;
            }
            Err(e) => return Err(invalid!("{}", e.located(path))),
        };
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
pub(super) fn from_markup(doc: &mut Document, extract: fn(&str) -> crate::extract::Extracted) {
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

pub(super) fn read_jsonl<E: From<InputError>>(
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
