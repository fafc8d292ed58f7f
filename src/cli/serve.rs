//! `stance serve`: the HTTP service of [`stance::serve`].

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use stance::serve::{
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_DOCUMENTS, DEFAULT_MAX_IN_FLIGHT,
    DEFAULT_TIMEOUT, ServeConfig,
};

use super::ModelArg;

/// Score and report over HTTP: JSON in, the records and reports of `score
/// --format jsonl` and `report --format json` out.
///
/// Endpoints:
///
///   POST /v1/score   {"documents": [{"id", "text", "title"?, "source"?, "date"?}],
///                     "raw_probs"?, "explain"?, "terms"?}
///                    -> {"sentences": [records], "warnings": [...]}
///   POST /v1/report  {"documents": [...], "by"? ("doc"), "top"? (0)}
///                    -> the report JSON
///   GET  /v1/model   the model card
///   GET  /healthz    {"status": "ok"}
///
/// Requests must be `Content-Type: application/json` (else 415). Malformed
/// input is answered 400 with {"error": {"message", "field"}} naming the
/// field (e.g. "documents[3].text"); a body or document count over the
/// limits 413; a request over --timeout-secs 503. Unknown fields are
/// rejected. A document without an id is named "documents[I]" (0-based).
///
/// The bound address is printed on stderr ("listening on http://ADDR");
/// `--addr 127.0.0.1:0` picks a free port. SIGTERM or Ctrl-C stops
/// accepting, finishes the requests in flight and exits 0.
///
/// Example:
///
///   stance serve --addr 127.0.0.1:8080
///   curl -s localhost:8080/v1/score -H 'Content-Type: application/json' \
///     -d '{"documents": [{"id": "a1", "text": "Both sides called for restraint."}]}'
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ServeArgs {
    /// Address to listen on. Anything but a loopback address exposes the
    /// service to the network: it has no authentication.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    addr: SocketAddr,

    #[command(flatten)]
    model: ModelArg,

    /// Largest request body, in bytes (larger: 413).
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES, value_name = "BYTES",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_body_bytes: usize,

    /// Most documents in one request (more: 413).
    #[arg(long, default_value_t = DEFAULT_MAX_DOCUMENTS, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_documents: usize,

    /// Longest a scoring request may take, waiting and reading its body
    /// included (longer: 503, and its scoring stops).
    #[arg(long, default_value_t = DEFAULT_TIMEOUT.as_secs(), value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout_secs: u64,

    /// Most scoring requests read and scored at once; others wait their
    /// turn within their timeout.
    #[arg(long, default_value_t = DEFAULT_MAX_IN_FLIGHT, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    max_in_flight: usize,

    /// Most connections open at once; others wait to be accepted.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    max_connections: usize,

    /// Also score documents that are not in English (by default they are
    /// left out, with a warning in the answer).
    #[arg(long)]
    any_language: bool,
}

pub fn run(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let (model, model_name) = a.model.load()?;
    let config = ServeConfig {
        max_body_bytes: a.max_body_bytes,
        max_documents: a.max_documents,
        timeout: Duration::from_secs(a.timeout_secs),
        max_in_flight: a.max_in_flight,
        max_connections: a.max_connections,
        any_language: a.any_language,
    };
    // The runtime only moves bytes: scoring runs on rayon's pool.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.addr)
            .await
            .with_context(|| format!("listening on {}", a.addr))?;
        let addr = listener.local_addr().context("the bound address")?;
        say(&format!(
            "stance: listening on http://{addr} (model {model_name}; {} documents, {} bytes, {} s per request)",
            config.max_documents,
            config.max_body_bytes,
            config.timeout.as_secs()
        ));
        let shutdown = async {
            stance::serve::shutdown_signal().await;
            say("stance: shutting down: finishing the requests in flight");
        };
        stance::serve::serve(listener, Arc::new(model), config, shutdown)
            .await
            .context("serving")
    })?;
    say("stance: stopped");
    Ok(ExitCode::SUCCESS)
}

/// A line on stderr; a stderr that cannot be written (full, closed) does
/// not stop the service, where `eprintln!` would panic.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}
