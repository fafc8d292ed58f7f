//! `stance serve`: the real binary on a free loopback port, called with a
//! real HTTP client (ureq, blocking: a test needs no async runtime), and
//! raw TCP where the exact bytes matter. Answers are compared with what the
//! CLI writes for the same documents written as a JSONL collection.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{jsonl, repo, stance};
use serde_json::{Value, json};

/// A running `stance serve`; killed when dropped (if still running).
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn stance serve");
        let mut lines = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        lines.read_line(&mut first).expect("read stderr");
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .parse()
            .expect("an address");
        let stderr = Arc::new(Mutex::new(first));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        Server {
            child,
            addr,
            stderr,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn wait_for_stderr(&self, what: &str) {
        let start = Instant::now();
        while !self.stderr().contains(what) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no {what:?} on stderr: {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// Status and body of a GET.
fn get(s: &Server, path: &str) -> (u16, String) {
    let mut r = agent().get(s.url(path)).call().expect("GET");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("body"))
}

/// Status and body of a JSON POST.
fn post(s: &Server, path: &str, body: &Value) -> (u16, String) {
    post_raw(s, path, "application/json", &body.to_string())
}

fn post_raw(s: &Server, path: &str, content_type: &str, body: &str) -> (u16, String) {
    let mut r = agent()
        .post(s.url(path))
        .header("Content-Type", content_type)
        .send(body)
        .expect("POST");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("body"))
}

fn parse(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// `(message, field)` of an error answer.
fn error_of(body: &str) -> (String, Value) {
    let v = parse(body);
    let e = &v["error"];
    (
        e["message"].as_str().expect("a message").to_string(),
        e["field"].clone(),
    )
}

/// Sends `request` as raw bytes and returns the whole answer (the request
/// should say `Connection: close`).
fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    c.write_all(request).unwrap();
    let mut out = String::new();
    c.read_to_string(&mut out).unwrap();
    out
}

/// The first `n` documents of examples/news-collection.csv, as request
/// documents.
fn news_documents(n: usize) -> Vec<Value> {
    let mut rdr = csv::Reader::from_path(repo("examples/news-collection.csv")).unwrap();
    rdr.records()
        .take(n)
        .map(|r| {
            let r = r.unwrap();
            json!({"id": &r[0], "title": &r[1], "source": &r[2], "date": &r[3], "text": &r[4]})
        })
        .collect()
}

/// The documents written as a JSONL collection (one per line, so that
/// document `i` is on line `i + 1`, as the service numbers them).
fn jsonl_file(dir: &tempfile::TempDir, docs: &[Value]) -> String {
    let path = dir.path().join("docs.jsonl");
    let text: String = docs.iter().map(|d| format!("{d}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn seed_document() -> Value {
    let text = std::fs::read_to_string(repo("examples/seed-article.txt")).unwrap();
    json!({"id": "seed-article", "text": text})
}

#[test]
fn healthz_and_model_card() {
    let s = Server::start(&[]);
    let (status, body) = get(&s, "/healthz");
    assert_eq!((status, parse(&body)), (200, json!({"status": "ok"})));
    let (status, body) = get(&s, "/v1/model");
    assert_eq!(status, 200);
    let cli = parse(&stance(&["inspect", "--json"]).ok());
    assert_eq!(parse(&body), cli);
}

#[test]
fn score_answers_the_clis_records() {
    let s = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let mut docs = news_documents(40);
    docs.push(seed_document());
    let file = jsonl_file(&dir, &docs);

    let (status, body) = post(&s, "/v1/score", &json!({ "documents": docs }));
    assert_eq!(status, 200, "{body}");
    let answer = parse(&body);
    let cli = jsonl(&stance(&["score", &file, "--format", "jsonl", "-q"]).ok());
    assert!(cli.len() > 300, "{} sentences", cli.len());
    assert_eq!(answer["sentences"].as_array().unwrap(), &cli);
    assert_eq!(answer["warnings"], json!([]));

    // With explanations and raw probabilities, as --explain --terms 2 --raw-probs.
    let (status, body) = post(
        &s,
        "/v1/score",
        &json!({"documents": docs, "explain": true, "terms": 2, "raw_probs": true}),
    );
    assert_eq!(status, 200, "{body}");
    let cli = jsonl(
        &stance(&[
            "score",
            &file,
            "--format",
            "jsonl",
            "-q",
            "--explain",
            "--terms",
            "2",
            "--raw-probs",
        ])
        .ok(),
    );
    assert!(cli[0]["top_terms"].is_array() && cli[0]["raw_probs"].is_object());
    assert_eq!(parse(&body)["sentences"].as_array().unwrap(), &cli);
}

#[test]
fn seed_article_scores_as_the_text_file_does() {
    // The same text as `stance score examples/seed-article.txt`: the same
    // sentences, labels and probabilities; a request document is a record,
    // so its sentence lines are `field_line` and `line` is its position.
    let s = Server::start(&[]);
    let (status, body) = post(&s, "/v1/score", &json!({"documents": [seed_document()]}));
    assert_eq!(status, 200, "{body}");
    let served = parse(&body)["sentences"].as_array().unwrap().clone();
    let cli = common::score_jsonl("examples/seed-article.txt");
    assert_eq!(served.len(), cli.len());
    for (a, b) in served.iter().zip(&cli) {
        for f in ["sentence", "text", "label", "probs", "language"] {
            assert_eq!(a[f], b[f], "{f}");
        }
        assert_eq!(a["field_line"], b["line"]);
        assert_eq!(a["line"], 1);
        assert_eq!(a["doc"], "seed-article");
    }
}

#[test]
fn report_answers_the_clis_report_byte_for_byte() {
    let s = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let docs = news_documents(60);
    let file = jsonl_file(&dir, &docs);
    let (status, body) = post(
        &s,
        "/v1/report",
        &json!({"documents": docs, "by": "source,month", "top": 2}),
    );
    assert_eq!(status, 200, "{body}");
    let cli = stance(&[
        "report",
        &file,
        "--format",
        "json",
        "--by",
        "source,month",
        "--top",
        "2",
        "-q",
    ])
    .ok();
    assert!(parse(&cli)["rows"].as_array().unwrap().len() > 3);
    assert_eq!(body, cli);
    // The CLI's defaults: by document, no top sentences.
    let (status, body) = post(&s, "/v1/report", &json!({"documents": docs}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        stance(&["report", &file, "--format", "json", "-q"]).ok()
    );
}

#[test]
fn documents_without_id_and_with_warnings() {
    let s = Server::start(&[]);
    let docs = json!([
        {"id": "a", "text": "Both sides called for restraint.", "date": "soon"},
        {"text": "Pyongyang threatened a pre-emptive nuclear strike if the drills go ahead."},
        {"id": "fr", "text": "Les deux parties ont appelé à la retenue et à la reprise des négociations dès lundi prochain."},
        {"id": "long", "text": format!("Talks went on\n{}", "and on ".repeat(300))},
    ]);
    let (status, body) = post(&s, "/v1/score", &json!({ "documents": docs }));
    assert_eq!(status, 200, "{body}");
    let v = parse(&body);
    let docs_seen: Vec<&str> = v["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["doc"].as_str().unwrap())
        .collect();
    // The French document is left out (no --any-language).
    assert_eq!(&docs_seen[..2], ["a", "documents[1]"]);
    assert!(docs_seen[2..].iter().all(|&d| d == "long"));
    assert!(docs_seen.len() > 3, "the long run is cut into pieces");
    assert_eq!(v["sentences"][1]["line"], 2);
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert_eq!(warnings[0]["document"], 0);
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"soon\"")
    );
    assert_eq!(warnings[1]["doc"], "fr");
    assert!(
        warnings[1]["message"]
            .as_str()
            .unwrap()
            .contains("not in English")
    );
}

#[test]
fn malformed_input_is_400_naming_the_field() {
    let s = Server::start(&[]);
    let cases: Vec<(&str, &str, Value)> = vec![
        ("/v1/score", "{\"documents\": [", Value::Null),
        ("/v1/score", "[1, 2]", Value::Null),
        ("/v1/score", "{}", json!("documents")),
        ("/v1/score", r#"{"documents": "text"}"#, json!("documents")),
        (
            "/v1/score",
            r#"{"documents": [{"text": "a"}, {"text": "b"}, {"text": "c"}, {"id": "d"}]}"#,
            json!("documents[3].text"),
        ),
        (
            "/v1/score",
            r#"{"documents": [{"text": ["a"]}]}"#,
            json!("documents[0].text"),
        ),
        (
            "/v1/score",
            r#"{"documents": [{"text": "a", "source": {"x": 1}}]}"#,
            json!("documents[0].source"),
        ),
        (
            "/v1/score",
            r#"{"documents": [{"text": "a", "url": "http://x"}]}"#,
            json!("documents[0].url"),
        ),
        (
            "/v1/score",
            r#"{"documents": [], "explain": "yes"}"#,
            json!("explain"),
        ),
        (
            "/v1/score",
            r#"{"documents": [], "terms": -1}"#,
            json!("terms"),
        ),
        ("/v1/score", r#"{"docs": []}"#, json!("docs")),
        (
            "/v1/report",
            r#"{"documents": [], "by": "planet"}"#,
            json!("by"),
        ),
        (
            "/v1/report",
            r#"{"documents": [], "top": 1.5}"#,
            json!("top"),
        ),
        (
            "/v1/report",
            r#"{"documents": [{"text": "a"}], "explain": true}"#,
            json!("explain"),
        ),
    ];
    for (path, body, field) in cases {
        let (status, answer) = post_raw(&s, path, "application/json", body);
        assert_eq!(status, 400, "{path} {body}: {answer}");
        let (message, got) = error_of(&answer);
        assert_eq!(got, field, "{path} {body}: {message}");
        assert!(!message.is_empty());
    }
    // Hostile nesting is refused by the JSON parser's depth bound, not a
    // stack overflow; invalid UTF-8 is an error too.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(post_raw(&s, "/v1/score", "application/json", &deep).0, 400);
    let bad_utf8 = raw(
        s.addr,
        b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 28\r\nConnection: close\r\n\r\n{\"documents\":[{\"text\":\"\xff\"}]}",
    );
    assert!(bad_utf8.starts_with("HTTP/1.1 400"), "{bad_utf8}");
    // The server is still up.
    assert_eq!(get(&s, "/healthz").0, 200);
}

#[test]
fn limits_content_type_and_routes() {
    let s = Server::start(&["--max-body-bytes", "2000", "--max-documents", "3"]);
    let doc = json!({"text": "Both sides called for restraint."});
    // Document count.
    let (status, body) = post(&s, "/v1/score", &json!({"documents": [doc, doc, doc, doc]}));
    assert_eq!(status, 413, "{body}");
    let (message, field) = error_of(&body);
    assert_eq!(field, json!("documents"));
    assert!(message.contains("--max-documents"), "{message}");
    assert_eq!(
        post(&s, "/v1/report", &json!({"documents": [doc, doc, doc]})).0,
        200
    );
    // Body size, announced by Content-Length or sent chunked.
    let big = json!({"documents": [{"text": "word ".repeat(1000)}]});
    let (status, body) = post(&s, "/v1/score", &big);
    assert_eq!(status, 413, "{body}");
    assert!(error_of(&body).0.contains("--max-body-bytes"));
    let chunk = big.to_string();
    let chunked = format!(
        "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    let answer = raw(s.addr, chunked.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Content type: another one, or none.
    let (status, body) = post_raw(
        &s,
        "/v1/score",
        "text/plain",
        &json!({"documents": []}).to_string(),
    );
    assert_eq!(status, 415, "{body}");
    assert!(error_of(&body).0.contains("application/json"));
    let none = raw(
        s.addr,
        b"POST /v1/report HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\nConnection: close\r\n\r\n{\"documents\":[]}",
    );
    assert!(none.starts_with("HTTP/1.1 415"), "{none}");
    // With a charset parameter it is JSON.
    assert_eq!(
        post_raw(
            &s,
            "/v1/score",
            "application/json; charset=utf-8",
            r#"{"documents": []}"#
        )
        .0,
        200
    );
    // Routes and methods.
    let (status, body) = get(&s, "/v2/score");
    assert_eq!(status, 404);
    assert!(error_of(&body).0.contains("/v1/score"));
    let (status, body) = get(&s, "/v1/score");
    assert_eq!(status, 405);
    assert!(error_of(&body).0.contains("POST"));
    assert_eq!(post(&s, "/healthz", &json!({})).0, 405);
}

#[test]
fn a_request_slower_than_the_timeout_is_503() {
    let s = Server::start(&["--timeout-secs", "1"]);
    // Headers and half the body, then nothing: the timeout covers reading
    // the body.
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"documents\": [")
        .unwrap();
    let start = Instant::now();
    let mut answer = vec![0u8; 4096];
    let n = c.read(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("--timeout-secs"), "{answer}");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(get(&s, "/healthz").0, 200);
}

#[test]
fn requests_over_max_in_flight_wait_their_turn() {
    let s = Server::start(&["--max-in-flight", "1", "--timeout-secs", "2"]);
    // The one turn, held by a request whose body never comes (until its
    // timeout, 2 s).
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.write_all(b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{")
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Health checks do not wait for a turn.
    let start = Instant::now();
    assert_eq!(get(&s, "/healthz").0, 200);
    assert!(start.elapsed() < Duration::from_millis(500));
    // A scoring request waits until the turn is free, then is answered.
    let start = Instant::now();
    let (status, body) = post(
        &s,
        "/v1/score",
        &json!({"documents": [{"text": "Talks resume on Monday."}]}),
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        start.elapsed() > Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
    let mut answer = String::new();
    c.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
}

#[test]
fn sigterm_finishes_the_request_in_flight_then_exits_0() {
    let mut s = Server::start(&[]);
    let docs = json!({"documents": news_documents(20)}).to_string();
    let (head, tail) = docs.split_at(docs.len() / 2);
    // A request in flight: its body half sent.
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        c,
        "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
        docs.len()
    )
    .unwrap();
    c.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let kill = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    s.wait_for_stderr("shutting down");
    // No new connection is taken once shutting down.
    let start = Instant::now();
    while TcpStream::connect(s.addr).is_ok() {
        assert!(start.elapsed() < Duration::from_secs(10), "still accepting");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The rest of the body: the request is answered in full.
    c.write_all(tail.as_bytes()).unwrap();
    let mut answer = String::new();
    c.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    assert!(parse(body)["sentences"].as_array().unwrap().len() > 100);
    let start = Instant::now();
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{}", s.stderr());
}

#[test]
fn help_names_the_endpoints_and_has_an_example() {
    let out = stance(&["serve", "--help"]).ok();
    for what in [
        "POST /v1/score",
        "POST /v1/report",
        "GET  /v1/model",
        "GET  /healthz",
        "Example",
        "--max-body-bytes",
    ] {
        assert!(out.contains(what), "no {what:?} in --help");
    }
}

#[test]
fn bad_options_are_refused_before_listening() {
    let err = stance(&["serve", "--addr", "127.0.0.1:0", "--max-documents", "0"]).err();
    assert!(err.contains("--max-documents"), "{err}");
    let err = stance(&["serve", "--addr", "127.0.0.1:0", "--model", "no-such.model"]).err();
    assert!(err.contains("no-such.model"), "{err}");
}
