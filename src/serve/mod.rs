//! The HTTP service behind `stance serve` (feature `serve`): JSON over
//! HTTP/1.1, with the same records and reports as the command line.
//!
//! - `POST /v1/score`: `{"documents": [{"id", "text", "title"?, "source"?,
//!   "date"?}], "raw_probs"?, "explain"?, "terms"?}` →
//!   `{"sentences": [...], "warnings": [...]}`; each sentence is the record
//!   `stance score --format jsonl` writes ([`crate::records::SentenceRecord`]).
//! - `POST /v1/report`: `{"documents": [...], "by"?, "top"?}` → the report
//!   `stance report --format json` writes, byte for byte.
//! - `GET /v1/model`: the model card (`stance inspect --json`).
//! - `GET /healthz`: `{"status": "ok"}`.
//!
//! How documents are read and which fields are accepted: [`request`].
//! Errors are `{"error": {"message", "field"}}` ([`error::ApiError`]): 400
//! for malformed input (naming the field), 413 for a body over
//! [`ServeConfig::max_body_bytes`] or more than
//! [`ServeConfig::max_documents`] documents, 415 for a content type other
//! than `application/json`, 404 and 405, 503 when a request takes longer
//! than [`ServeConfig::timeout`] (its scoring is abandoned), 500 if scoring
//! failed unexpectedly (the server goes on).
//!
//! Scoring runs on rayon's pool, documents of a request in parallel and
//! requests side by side, so that the async runtime's threads only move
//! bytes. At most [`ServeConfig::max_in_flight`] scoring requests are read
//! and scored at once (others wait, within their timeout), and at most
//! [`ServeConfig::max_connections`] connections are open
//! ([`listener::BoundedListener`]), so memory is bounded by about
//! `max_in_flight` × a few times `max_body_bytes`.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use std::sync::Arc;
//! use stance::serve::{ServeConfig, serve};
//!
//! let model = Arc::new(stance::model::StanceModel::embedded().unwrap());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! serve(listener, model, ServeConfig::default(), std::future::pending()).await
//! # }
//! ```

pub mod error;
pub mod listener;
pub mod request;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rayon::prelude::*;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::model::StanceModel;
use crate::records::{RecordOptions, SentenceRecord, records};
use crate::report::ReportBuilder;
use crate::score::{ScoreOptions, ScoredDocument, Segmentation, score_document_with};
use error::{ApiError, json_response};
use request::{RequestDocument, report_request, score_request};

/// Default [`ServeConfig::max_body_bytes`]: 4 MiB (several hundred news
/// articles).
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 << 20;
/// Default [`ServeConfig::max_documents`].
pub const DEFAULT_MAX_DOCUMENTS: usize = 1000;
/// Default [`ServeConfig::timeout`]: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`ServeConfig::max_in_flight`].
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;
/// Default [`ServeConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// The service's limits and choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// Largest request body read; a larger one is answered 413.
    pub max_body_bytes: usize,
    /// Most documents in one request; more is answered 413.
    pub max_documents: usize,
    /// Longest a scoring request may take, from its arrival (waiting for
    /// its turn and reading its body included) to its answer; past it the
    /// answer is 503 and its scoring stops at the next document.
    pub timeout: Duration,
    /// Most scoring requests read and scored at once.
    pub max_in_flight: usize,
    /// Most connections open at once. A connection on which nothing
    /// moves for `timeout` + 5 s is closed.
    pub max_connections: usize,
    /// Score documents detected as not English too (as `stance score
    /// --any-language`); by default they are left out, with a warning.
    pub any_language: bool,
}

impl Default for ServeConfig {
    fn default() -> ServeConfig {
        ServeConfig {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_documents: DEFAULT_MAX_DOCUMENTS,
            timeout: DEFAULT_TIMEOUT,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            any_language: false,
        }
    }
}

impl ServeConfig {
    /// How long a connection may stay silent: longer than any request may
    /// take, so that only a stalled or idle connection is closed.
    pub fn idle_timeout(&self) -> Duration {
        self.timeout + Duration::from_secs(5)
    }
}

struct Service {
    model: Arc<StanceModel>,
    config: ServeConfig,
    in_flight: Semaphore,
}

/// The service's routes (see the module docs).
pub fn router(model: Arc<StanceModel>, config: ServeConfig) -> Router {
    let body_limit = config.max_body_bytes;
    let service = Arc::new(Service {
        in_flight: Semaphore::new(config.max_in_flight.max(1)),
        model,
        config,
    });
    let scoring = Router::new()
        .route("/v1/score", post(score))
        .route("/v1/report", post(report))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&service), limits))
        .layer(DefaultBodyLimit::max(body_limit));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/model", get(model_card))
        .merge(scoring)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(service)
}

/// Serves `router(model, config)` on `listener` until `shutdown` completes,
/// then stops accepting, lets the requests in flight finish and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    model: Arc<StanceModel>,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener =
        listener::BoundedListener::new(listener, config.max_connections, config.idle_timeout());
    axum::serve(listener, router(model, config))
        .with_graceful_shutdown(shutdown)
        .await
}

/// A future that completes on SIGTERM or SIGINT (Ctrl-C), for
/// [`serve`]'s `shutdown`.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            // No signal handling: serve until killed.
            _ => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await
        }
    }
}

/// The timeout and the in-flight bound around the scoring routes: both
/// cover waiting for a turn, reading the body and scoring.
async fn limits(State(s): State<Arc<Service>>, req: Request, next: Next) -> Response {
    let timeout = s.config.timeout;
    let work = async {
        let _turn = s
            .in_flight
            .acquire()
            .await
            .expect("the semaphore is never closed");
        next.run(req).await
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than the {} s limit (--timeout-secs); send fewer or shorter documents",
                timeout.as_secs_f64()
            ),
        )
        .into_response(),
    }
}

/// Checks the content type, then reads the body within the body limit.
async fn json_body(req: Request) -> Result<Bytes, ApiError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("?").to_string());
    let is_json = ct.as_deref().is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    });
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            match ct {
                Some(ct) => {
                    format!("content type {ct:?}: send JSON with Content-Type: application/json")
                }
                None => "no content type: send JSON with Content-Type: application/json".into(),
            },
        ));
    }
    Bytes::from_request(req, &()).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the body is larger than the limit (--max-body-bytes)",
            )
        } else {
            ApiError::new(r.status(), format!("reading the body: {}", r.body_text()))
        }
    })
}

/// Set when the request's handler is dropped (its timeout passed, or the
/// client went away): the scoring stops at its next document.
struct Cancel(Arc<AtomicBool>);

impl Drop for Cancel {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `work` on rayon's pool; `None` if it panicked (a bug: the answer is
/// 500 and the server goes on) or was cancelled.
async fn on_pool<T: Send + 'static>(
    work: impl FnOnce(&AtomicBool) -> Option<T> + Send + 'static,
) -> Result<T, ApiError> {
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel = Cancel(Arc::clone(&cancelled));
    let (tx, rx) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        let r = std::panic::catch_unwind(AssertUnwindSafe(|| work(&cancelled)));
        let _ = tx.send(r);
    });
    match rx.await {
        Ok(Ok(Some(v))) => Ok(v),
        // Cancelled: nobody is waiting for this answer any more.
        Ok(Ok(None)) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the request was cancelled",
        )),
        Ok(Err(_)) | Err(_) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "scoring failed unexpectedly (a bug: please report it with the request)",
        )),
    }
}

/// Scores the documents in parallel, in order; `None` once cancelled.
fn score_all(
    model: &StanceModel,
    docs: Vec<RequestDocument>,
    opts: ScoreOptions,
    cancelled: &AtomicBool,
) -> Option<Vec<(ScoredDocument, Vec<String>)>> {
    docs.into_par_iter()
        .map(|d| {
            if cancelled.load(Ordering::Relaxed) {
                return None;
            }
            let scored = score_document_with(model, d.doc, Segmentation::Split, opts);
            Some((scored, d.warnings))
        })
        .collect()
}

/// A warning about one document of a request.
#[derive(Debug, Serialize)]
struct Warning<'a> {
    /// 0-based position in `documents`.
    document: usize,
    /// The document's id.
    doc: &'a str,
    message: String,
}

/// The warning `stance score` gives for text cut into pieces, with the
/// line in the document's text (0: the title).
fn cut_warning(d: &ScoredDocument) -> Option<String> {
    let w = d.cut_warning()?;
    Some(match d.cut[0] {
        0 => format!("title: {w}"),
        l => format!("text line {l}: {w}"),
    })
}

fn language_warning(d: &ScoredDocument, any_language: bool) -> Option<String> {
    let l = d.language.filter(|l| !l.is_english())?;
    Some(if d.skipped_language {
        format!(
            "not in English ({}): left out (the model reads English; the server runs without --any-language)",
            l.name
        )
    } else if any_language {
        format!(
            "not in English ({}): scored anyway (--any-language): the model reads English, its labels are unreliable",
            l.name
        )
    } else {
        return None;
    })
}

async fn score(State(s): State<Arc<Service>>, req: Request) -> Result<Response, ApiError> {
    let body = json_body(req).await?;
    let max_documents = s.config.max_documents;
    let any_language = s.config.any_language;
    let model = Arc::clone(&s.model);
    on_pool(move |cancelled| {
        let r = match score_request(&body, max_documents) {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        drop(body);
        let opts = ScoreOptions {
            any_language,
            explain: r.explain.unwrap_or(0),
        };
        let records_opts = RecordOptions {
            raw_probs: r.raw_probs,
            explain: r.explain.is_some(),
        };
        let scored = score_all(&model, r.documents, opts, cancelled)?;
        #[derive(Serialize)]
        struct Answer<'a> {
            sentences: Vec<SentenceRecord<'a>>,
            warnings: Vec<Warning<'a>>,
        }
        let mut answer = Answer {
            sentences: Vec::new(),
            warnings: Vec::new(),
        };
        for (i, (d, warnings)) in scored.iter().enumerate() {
            answer.sentences.extend(records(d, records_opts));
            let id = d.doc.id.as_str();
            answer.warnings.extend(
                warnings
                    .iter()
                    .cloned()
                    .chain(language_warning(d, any_language))
                    .chain(cut_warning(d))
                    .map(|message| Warning {
                        document: i,
                        doc: id,
                        message,
                    }),
            );
        }
        Some(serialize(&answer, false))
    })
    .await?
}

async fn report(State(s): State<Arc<Service>>, req: Request) -> Result<Response, ApiError> {
    let body = json_body(req).await?;
    let max_documents = s.config.max_documents;
    let any_language = s.config.any_language;
    let model = Arc::clone(&s.model);
    on_pool(move |cancelled| {
        let r = match report_request(&body, max_documents) {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        drop(body);
        let opts = ScoreOptions {
            any_language,
            explain: 0,
        };
        let mut builder =
            ReportBuilder::new(r.by, r.top).with_share_estimator(model.share_estimator().cloned());
        for (d, _) in score_all(&model, r.documents, opts, cancelled)? {
            builder.add(&d);
        }
        Some(serialize(&builder.finish(), true))
    })
    .await?
}

/// `value` as a JSON answer; `pretty` as `stance report --format json`
/// writes it (with its closing newline).
fn serialize(value: &impl Serialize, pretty: bool) -> Result<Response, ApiError> {
    let bytes = if pretty {
        serde_json::to_vec_pretty(value)
    } else {
        serde_json::to_vec(value)
    };
    match bytes {
        Ok(mut b) => {
            b.push(b'\n');
            Ok(json_response(b))
        }
        Err(e) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("writing the answer: {e}"),
        )),
    }
}

async fn healthz() -> Response {
    json_response(b"{\"status\":\"ok\"}\n".to_vec())
}

async fn model_card(State(s): State<Arc<Service>>) -> Result<Response, ApiError> {
    serialize(&s.model.card, true)
}

async fn not_found(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no such endpoint: {} (the endpoints are POST /v1/score, POST /v1/report, GET /v1/model, GET /healthz)",
            req.uri().path()
        ),
    )
}

async fn method_not_allowed(req: Request) -> impl IntoResponse {
    let allowed = match req.uri().path() {
        "/v1/score" | "/v1/report" => "POST",
        _ => "GET",
    };
    let e = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{} is not answered on {}: use {allowed}",
            req.method(),
            req.uri().path()
        ),
    );
    ([(header::ALLOW, allowed)], e)
}
