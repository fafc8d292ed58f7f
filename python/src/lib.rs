//! `stance._stance`: the compiled core of the `stance` Python package.
//!
//! A thin layer over the `stance` library: the pure-Python package
//! (`python/stance/__init__.py`) turns lists and DataFrames into the plain
//! arguments taken here and wraps the results (NumPy arrays, DataFrames,
//! Python warnings). Every batch is scored in parallel with rayon (all
//! cores) with the GIL released; records, reports and the model card cross
//! into Python through the same `Serialize` impls that write the command
//! line's JSON (as JSON text, parsed by `json.loads`), so they cannot
//! differ from it.

use std::path::PathBuf;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use rayon::prelude::*;
use stance::Label;
use stance::input::{MAX_DOCUMENT_BYTES, RecordFields, record_document};
use stance::model::{EMBEDDED_MODEL_NAME, ModelError, StanceModel};
use stance::records::{RecordOptions, records};
use stance::report::{Grouping, ReportBuilder};
use stance::score::{ScoreOptions, ScoredDocument, Segmentation, score_document_with};

/// One document's fields as the Python layer passes them:
/// `(text, id, title, source, date, default_id)`. Blank or absent fields are
/// `None` or blank strings; `default_id` names a document without an id.
type Fields = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// A loaded stance model.
#[pyclass(frozen, module = "stance._stance", name = "NativeModel")]
struct NativeModel {
    model: StanceModel,
    name: String,
}

/// The model error as the CLI words it (`PATH: problem`): an unreadable
/// file is an `OSError`, a file that is not a valid model a `ValueError`.
fn model_error(name: &str, e: ModelError) -> PyErr {
    let msg = format!("{name}: {e}");
    match e {
        ModelError::Io(_) => PyOSError::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}

/// Loads a model: the shipped one (embedded in the module) when `path` is
/// `None`, else the model file at `path`.
#[pyfunction]
#[pyo3(signature = (path=None))]
fn load(py: Python<'_>, path: Option<PathBuf>) -> PyResult<NativeModel> {
    let (model, name) = py.detach(|| match &path {
        None => (StanceModel::embedded(), EMBEDDED_MODEL_NAME.to_string()),
        Some(p) => (StanceModel::load(p), p.display().to_string()),
    });
    let model = model.map_err(|e| model_error(&name, e))?;
    Ok(NativeModel { model, name })
}

/// How a document is named in messages: its position and id.
fn place(i: usize, id: &str) -> String {
    format!("document {i} ({id:?})")
}

/// Reads and scores `docs` in parallel, in input order, with what is worth
/// a warning (an unreadable date, empty text, a document left out as not
/// English, text cut into pieces), each naming its document.
fn score_all(
    model: &StanceModel,
    docs: Vec<Fields>,
    opts: ScoreOptions,
) -> Result<(Vec<ScoredDocument>, Vec<String>), String> {
    if let Some((i, (text, id, .., default_id))) = docs
        .iter()
        .enumerate()
        .find(|(_, d)| d.0.len() > MAX_DOCUMENT_BYTES)
    {
        return Err(format!(
            "{}: text of {} bytes is larger than {} MiB, the most read as one document; split it into smaller documents",
            place(i, id.as_deref().unwrap_or(default_id)),
            text.len(),
            MAX_DOCUMENT_BYTES >> 20
        ));
    }
    let scored: Vec<(ScoredDocument, Vec<String>)> = docs
        .into_par_iter()
        .enumerate()
        .map(|(i, (text, id, title, source, date, default_id))| {
            let fields = RecordFields {
                id,
                text,
                title,
                source,
                date,
            };
            let (doc, problems) = record_document(fields, || default_id, None);
            let d = score_document_with(model, doc, Segmentation::Split, opts);
            let at = place(i, &d.doc.id);
            let mut warnings: Vec<String> = problems.iter().map(|p| format!("{at}: {p}")).collect();
            if let Some(l) = d.language.filter(|_| d.skipped_language) {
                warnings.push(format!(
                    "{at}: detected as {}, not English: left out (the model reads English; any_language=True scores it)",
                    l.name
                ));
            }
            if let Some(w) = d.cut_warning() {
                let line = match d.cut[0] {
                    0 => "title".to_string(),
                    l => format!("line {l}"),
                };
                warnings.push(format!("{at}, {line}: {w}"));
            }
            (d, warnings)
        })
        .collect();
    let mut warnings = Vec::new();
    let docs = scored
        .into_iter()
        .map(|(d, w)| {
            warnings.extend(w);
            d
        })
        .collect();
    Ok((docs, warnings))
}

#[pymethods]
impl NativeModel {
    /// Where the model came from: its path, or the embedded model's name.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The labels, in the column order of every probability array.
    #[getter]
    fn labels(&self) -> Vec<&'static str> {
        Label::ALL.iter().map(|l| l.as_str()).collect()
    }

    /// The model card as `stance inspect --json` prints it (JSON text:
    /// its f32 figures are written as serde_json writes them).
    #[getter]
    fn card_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.model.card).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The classifier's label of each sentence.
    fn predict(&self, py: Python<'_>, texts: Vec<String>) -> Vec<&'static str> {
        let m = &self.model;
        py.detach(|| {
            texts
                .par_iter()
                .map(|t| m.predict(t).label.as_str())
                .collect()
        })
    }

    /// The probabilities of each sentence (calibrated, or the classifier's
    /// own with `raw`), as native-endian float32 bytes, 4 per sentence in
    /// label order (`numpy.frombuffer(b, numpy.float32).reshape(-1, 4)`).
    #[pyo3(signature = (texts, raw=false))]
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        raw: bool,
    ) -> Bound<'py, PyBytes> {
        let m = &self.model;
        let bytes: Vec<u8> = py.detach(|| {
            let probs: Vec<[f32; Label::COUNT]> = texts
                .par_iter()
                .map(|t| {
                    let p = m.predict(t);
                    if raw { p.raw_probs } else { p.probs }
                })
                .collect();
            probs
                .iter()
                .flatten()
                .flat_map(|v| v.to_ne_bytes())
                .collect()
        });
        PyBytes::new(py, &bytes)
    }

    /// One sentence's label, calibrated probabilities and the `k` terms that
    /// pushed it most toward `label` (default: its predicted label), as
    /// `stance explain` shows them.
    #[pyo3(signature = (text, label=None, k=5))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        label: Option<&str>,
        k: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let toward = label
            .map(|l| l.parse::<Label>())
            .transpose()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let (p, terms) = match toward {
            None => self.model.predict_explained(text, k),
            Some(l) => (self.model.predict(text), self.model.explain(text, l, k)),
        };
        let toward = toward.unwrap_or(p.label);
        let out = PyDict::new(py);
        out.set_item("label", p.label.as_str())?;
        let probs = PyDict::new(py);
        for l in Label::ALL {
            probs.set_item(l.as_str(), p.prob(l) as f64)?;
        }
        out.set_item("probs", probs)?;
        out.set_item("toward", toward.as_str())?;
        let list = PyList::empty(py);
        for t in &terms {
            let d = PyDict::new(py);
            d.set_item("term", &t.term)?;
            d.set_item("stem", &t.stem)?;
            d.set_item("contribution", t.contribution as f64)?;
            list.append(d)?;
        }
        out.set_item("terms", list)?;
        Ok(out)
    }

    /// Splits and scores documents; returns one record per sentence, the
    /// lines of `stance score --format jsonl` as one JSON array (written by
    /// the same `SentenceRecord` serialization, in parallel with the GIL
    /// released; `json.loads` makes the dicts), and the warnings.
    #[pyo3(signature = (docs, explain=0, raw_probs=false, any_language=false))]
    fn score_documents<'py>(
        &self,
        py: Python<'py>,
        docs: Vec<Fields>,
        explain: usize,
        raw_probs: bool,
        any_language: bool,
    ) -> PyResult<(Bound<'py, PyBytes>, Vec<String>)> {
        let m = &self.model;
        let opts = ScoreOptions {
            any_language,
            explain,
        };
        let ropts = RecordOptions {
            raw_probs,
            explain: explain > 0,
        };
        let (json, warnings) = py
            .detach(|| {
                let (scored, warnings) = score_all(m, docs, opts)?;
                let parts: Vec<Vec<u8>> = scored
                    .par_iter()
                    .map(|d| {
                        let mut buf = Vec::with_capacity(256 * d.sentences.len());
                        for r in records(d, ropts) {
                            buf.push(b',');
                            serde_json::to_writer(&mut buf, &r).map_err(|e| e.to_string())?;
                        }
                        Ok::<_, String>(buf)
                    })
                    .collect::<Result<_, _>>()?;
                let mut json = Vec::with_capacity(parts.iter().map(Vec::len).sum::<usize>() + 2);
                json.push(b'[');
                for p in &parts {
                    // Each part starts with a comma; the first one's is dropped.
                    json.extend_from_slice(if json.len() == 1 {
                        &p[1.min(p.len())..]
                    } else {
                        p
                    });
                }
                json.push(b']');
                Ok::<_, String>((json, warnings))
            })
            .map_err(PyValueError::new_err)?;
        Ok((PyBytes::new(py, &json), warnings))
    }

    /// Scores documents and groups them (`by`: doc, source, date, week,
    /// month, year or a comma-separated combination), as `stance report`
    /// does; returns the report as `--format json` writes it (JSON text), as
    /// `--format csv` writes it (bytes; group keys as they are unless
    /// `csv_safe`) and the warnings.
    #[pyo3(signature = (docs, by="doc", top=0, any_language=false, csv_safe=false))]
    fn report<'py>(
        &self,
        py: Python<'py>,
        docs: Vec<Fields>,
        by: &str,
        top: usize,
        any_language: bool,
        csv_safe: bool,
    ) -> PyResult<(String, Bound<'py, PyBytes>, Vec<String>)> {
        let grouping: Grouping = by.parse().map_err(PyValueError::new_err)?;
        let m = &self.model;
        let opts = ScoreOptions {
            any_language,
            explain: 0,
        };
        let (report, csv, warnings) = py
            .detach(|| {
                let (scored, mut warnings) = score_all(m, docs, opts)?;
                let mut builder = ReportBuilder::new(grouping, top)
                    .with_share_estimator(m.share_estimator().cloned());
                for d in &scored {
                    builder.add(d);
                }
                warnings.extend(builder.duplicate_warning());
                let report = builder.finish();
                let csv = report.to_csv(!csv_safe).map_err(|e| e.to_string())?;
                let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
                Ok::<_, String>((json, csv, warnings))
            })
            .map_err(PyValueError::new_err)?;
        Ok((report, PyBytes::new(py, &csv), warnings))
    }

    fn __repr__(&self) -> String {
        format!("<stance model {}>", self.name)
    }
}

/// The compiled core of the `stance` package.
#[pymodule]
fn _stance(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_class::<NativeModel>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("MAX_DOCUMENT_BYTES", MAX_DOCUMENT_BYTES)?;
    Ok(())
}
