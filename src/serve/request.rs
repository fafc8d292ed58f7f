//! Reading request bodies: `{"documents": [{"id", "text", "title",
//! "source", "date"}], ...options}`, checked field by field so that an
//! error names the field at fault (`documents[3].text`).
//!
//! Each document is read by [`crate::input::record_document`], exactly as
//! `stance score` reads a record of a JSONL collection: `id`, `title`,
//! `source` and `date` may be strings or numbers (blank or `null` is
//! absent), `text` must be a string. A document's `line` in the answer's
//! records is its 1-based position in `documents` (the line it would have
//! in a JSONL file of the same documents), and a document without an id is
//! named `documents[I]` (0-based, like the error fields). Unknown fields
//! are rejected (400), at the top level and in documents: a misspelt
//! `"titel"` is an error, not a field silently ignored.

use serde_json::{Map, Value};

use super::error::ApiError;
use crate::input::{Document, RecordFields, record_document};
use crate::report::Grouping;

/// Most explaining terms a `/v1/score` request may ask for per sentence.
pub const MAX_TERMS: usize = 100;
/// Most top sentences a `/v1/report` request may ask for per group.
pub const MAX_TOP: usize = 1000;
/// Terms per sentence with `"explain": true` and no `"terms"`, as
/// `stance score --explain`.
pub const DEFAULT_TERMS: usize = 3;

/// The fields a document may have.
pub const DOCUMENT_FIELDS: [&str; 5] = ["id", "text", "title", "source", "date"];

/// One document of a request, read, with what is worth a warning (an
/// unreadable date, no text).
#[derive(Debug, Clone)]
pub struct RequestDocument {
    pub doc: Document,
    pub warnings: Vec<String>,
}

/// A `/v1/score` request.
#[derive(Debug, Clone)]
pub struct ScoreRequest {
    pub documents: Vec<RequestDocument>,
    /// Add `raw_probs` to each record (`stance score --raw-probs`).
    pub raw_probs: bool,
    /// Terms per sentence when `"explain": true` (`--explain --terms N`).
    pub explain: Option<usize>,
}

/// A `/v1/report` request.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub documents: Vec<RequestDocument>,
    /// `"by"`, default `doc` (as `stance report --by`).
    pub by: Grouping,
    /// `"top"`, default 0 (as `stance report --top`).
    pub top: usize,
}

/// Parses a `/v1/score` body.
pub fn score_request(body: &[u8], max_documents: usize) -> Result<ScoreRequest, ApiError> {
    let mut top = object(body, &["documents", "raw_probs", "explain", "terms"])?;
    let documents = documents(&mut top, max_documents)?;
    let raw_probs = boolean(&top, "raw_probs")?.unwrap_or(false);
    let explain = boolean(&top, "explain")?.unwrap_or(false);
    let terms = integer(&top, "terms", 1, MAX_TERMS)?.unwrap_or(DEFAULT_TERMS);
    Ok(ScoreRequest {
        documents,
        raw_probs,
        explain: explain.then_some(terms),
    })
}

/// Parses a `/v1/report` body.
pub fn report_request(body: &[u8], max_documents: usize) -> Result<ReportRequest, ApiError> {
    let mut top = object(body, &["documents", "by", "top"])?;
    let documents = documents(&mut top, max_documents)?;
    let by = match top.get("by") {
        None | Some(Value::Null) => default_grouping(),
        Some(Value::String(s)) => s
            .parse::<Grouping>()
            .map_err(|e| ApiError::field("by", e))?,
        Some(v) => {
            return Err(ApiError::field(
                "by",
                format!(
                    "must be a string such as \"source\" or \"source,month\", not {}",
                    kind(v)
                ),
            ));
        }
    };
    let top_n = integer(&top, "top", 0, MAX_TOP)?.unwrap_or(0);
    Ok(ReportRequest {
        documents,
        by,
        top: top_n,
    })
}

/// `doc`: what `stance report` groups by without `--by`.
fn default_grouping() -> Grouping {
    "doc".parse().expect("doc is a grouping")
}

/// The body as a JSON object with only the `allowed` fields.
fn object(body: &[u8], allowed: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(map) = v else {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            format!(
                "the body must be a JSON object such as {{\"documents\": [{{\"id\": \"a1\", \"text\": \"...\"}}]}}, not {}",
                kind(&v)
            ),
        ));
    };
    if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::field(
            k.clone(),
            format!("unknown field (the fields are {})", allowed.join(", ")),
        ));
    }
    Ok(map)
}

/// Takes `documents` out of the body and reads every document.
fn documents(
    top: &mut Map<String, Value>,
    max_documents: usize,
) -> Result<Vec<RequestDocument>, ApiError> {
    let list = match top.remove("documents") {
        None => {
            return Err(ApiError::field(
                "documents",
                "missing: the body needs a \"documents\" array",
            ));
        }
        Some(Value::Array(list)) => list,
        Some(v) => {
            return Err(ApiError::field(
                "documents",
                format!("must be an array of documents, not {}", kind(&v)),
            ));
        }
    };
    if list.len() > max_documents {
        return Err(ApiError {
            status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            message: format!(
                "{} documents, more than the {max_documents} a request may carry (--max-documents)",
                list.len()
            ),
            field: Some("documents".into()),
        });
    }
    list.into_iter()
        .enumerate()
        .map(|(i, v)| document(i, v))
        .collect()
}

/// Reads `documents[i]`.
fn document(i: usize, v: Value) -> Result<RequestDocument, ApiError> {
    let at = |f: &str| format!("documents[{i}].{f}");
    let Value::Object(mut map) = v else {
        return Err(ApiError::field(
            format!("documents[{i}]"),
            format!("must be an object with a \"text\" string, not {}", kind(&v)),
        ));
    };
    if let Some(k) = map.keys().find(|k| !DOCUMENT_FIELDS.contains(&k.as_str())) {
        return Err(ApiError::field(
            at(k),
            format!(
                "unknown field (a document's fields are {})",
                DOCUMENT_FIELDS.join(", ")
            ),
        ));
    }
    let text = match map.remove("text") {
        Some(Value::String(s)) => s,
        None => {
            return Err(ApiError::field(
                at("text"),
                "missing: every document needs a \"text\" string",
            ));
        }
        Some(v) => {
            return Err(ApiError::field(
                at("text"),
                format!("must be a string, not {}", kind(&v)),
            ));
        }
    };
    let mut optional = |f: &str| -> Result<Option<String>, ApiError> {
        match map.remove(f) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(v) => Err(ApiError::field(
                at(f),
                format!("must be a string or a number, not {}", kind(&v)),
            )),
        }
    };
    let fields = RecordFields {
        id: optional("id")?,
        text,
        title: optional("title")?,
        source: optional("source")?,
        date: optional("date")?,
    };
    let (doc, warnings) = record_document(fields, || format!("documents[{i}]"), Some(i + 1));
    Ok(RequestDocument { doc, warnings })
}

fn boolean(top: &Map<String, Value>, f: &str) -> Result<Option<bool>, ApiError> {
    match top.get(f) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(ApiError::field(
            f,
            format!("must be true or false, not {}", kind(v)),
        )),
    }
}

fn integer(
    top: &Map<String, Value>,
    f: &str,
    min: usize,
    max: usize,
) -> Result<Option<usize>, ApiError> {
    match top.get(f) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(n) if (min as u64..=max as u64).contains(&n) => Ok(Some(n as usize)),
            _ => Err(ApiError::field(
                f,
                format!("must be a whole number from {min} to {max}, not {n}"),
            )),
        },
        Some(v) => Err(ApiError::field(
            f,
            format!(
                "must be a whole number from {min} to {max}, not {}",
                kind(v)
            ),
        )),
    }
}

/// "a string", "an array": what a JSON value is, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: Result<ScoreRequest, ApiError>) -> (u16, Option<String>) {
        let e = r.unwrap_err();
        (e.status.as_u16(), e.field)
    }

    #[test]
    fn errors_name_the_field() {
        let cases: [(&str, u16, Option<&str>); 10] = [
            ("{", 400, None),
            ("[]", 400, None),
            ("{}", 400, Some("documents")),
            (r#"{"documents": {}}"#, 400, Some("documents")),
            (r#"{"documents": [1]}"#, 400, Some("documents[0]")),
            (
                r#"{"documents": [{"text": "a"}, {"id": "x"}]}"#,
                400,
                Some("documents[1].text"),
            ),
            (
                r#"{"documents": [{"text": 5}]}"#,
                400,
                Some("documents[0].text"),
            ),
            (
                r#"{"documents": [{"text": "a", "date": []}]}"#,
                400,
                Some("documents[0].date"),
            ),
            (
                r#"{"documents": [{"text": "a", "txt": "b"}]}"#,
                400,
                Some("documents[0].txt"),
            ),
            (r#"{"documents": [], "terms": 0}"#, 400, Some("terms")),
        ];
        for (body, status, field) in cases {
            let got = field_of(score_request(body.as_bytes(), 10));
            assert_eq!(got, (status, field.map(String::from)), "{body}");
        }
        let many = format!(
            r#"{{"documents": [{}]}}"#,
            [r#"{"text": "a"}"#; 11].join(",")
        );
        assert_eq!(
            field_of(score_request(many.as_bytes(), 10)),
            (413, Some("documents".into()))
        );
        let e = report_request(br#"{"documents": [], "by": "planet"}"#, 10).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("by"));
        assert!(e.message.contains("planet"), "{}", e.message);
    }

    #[test]
    fn documents_read_as_collection_records() {
        let r = score_request(
            br#"{"documents": [{"id": 7, "text": " Talks resumed. ", "title": "", "date": "2024-03-05", "source": null}, {"text": "x", "date": "soon"}], "explain": true}"#,
            10,
        )
        .unwrap();
        assert_eq!(r.explain, Some(DEFAULT_TERMS));
        let d0 = &r.documents[0].doc;
        assert_eq!(d0.id, "7");
        assert_eq!(d0.title, None);
        assert_eq!(d0.source, None);
        assert_eq!(d0.record_line, Some(1));
        assert_eq!(
            d0.date.map(|d| d.to_string()).as_deref(),
            Some("2024-03-05")
        );
        let d1 = &r.documents[1];
        assert_eq!(d1.doc.id, "documents[1]");
        assert_eq!(d1.doc.record_line, Some(2));
        assert!(d1.warnings[0].contains("soon"), "{:?}", d1.warnings);
    }
}
