//! Load test for `stance serve` on the loopback interface.
//!
//! Builds `--requests` requests of 1 to `--max-sentences` consecutive
//! sentences of real news text (the `text` column of the news splits),
//! each one document, seeded; sends them from `--clients` threads, each
//! with its own keep-alive connection, to `POST /v1/score`; checks every
//! answer (status 200, JSON, sentence records or a warning saying why there
//! is none) and reports
//! throughput, latency percentiles, errors and the server's resident memory
//! (from /proc/PID/status with `--server-pid`) after a warm-up and after
//! each quarter of the measured requests. Bounded in count (`--requests`) and time (`--time-limit-secs`: no
//! request is started after it), and it refuses any address that is not a
//! loopback one.
//!
//! `--write-jsonl FILE` also writes the requests' documents as a JSONL
//! collection, for `stance score` on the same text.
//!
//! Usage: loadtest --addr 127.0.0.1:PORT [--requests 20000] [--clients 32]
//!   [--max-sentences 50] [--warmup 1000] [--seed 1] [--server-pid PID]
//!   [--time-limit-secs 600] [--write-jsonl FILE] [--data a.csv,b.csv]

use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Opts {
    addr: SocketAddr,
    requests: usize,
    clients: usize,
    max_sentences: usize,
    warmup: usize,
    seed: u64,
    server_pid: Option<u32>,
    time_limit: Duration,
    write_jsonl: Option<String>,
    data: Vec<String>,
}

fn opts() -> Result<Opts, String> {
    let mut o = Opts {
        addr: "127.0.0.1:8080".parse().unwrap(),
        requests: 20_000,
        clients: 32,
        max_sentences: 50,
        warmup: 1000,
        seed: 1,
        server_pid: None,
        time_limit: Duration::from_secs(600),
        write_jsonl: None,
        data: vec![
            "data/news-train.csv".into(),
            "data/news-dev.csv".into(),
            "data/news-test.csv".into(),
        ],
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut v = || args.next().ok_or(format!("{a} needs a value"));
        let num = |s: String| s.parse::<u64>().map_err(|e| format!("{a}: {e}"));
        match a.as_str() {
            "--addr" => o.addr = v()?.parse().map_err(|e| format!("--addr: {e}"))?,
            "--requests" => o.requests = num(v()?)? as usize,
            "--clients" => o.clients = num(v()?)?.max(1) as usize,
            "--max-sentences" => o.max_sentences = num(v()?)?.max(1) as usize,
            "--warmup" => o.warmup = num(v()?)? as usize,
            "--seed" => o.seed = num(v()?)?,
            "--server-pid" => o.server_pid = Some(num(v()?)? as u32),
            "--time-limit-secs" => o.time_limit = Duration::from_secs(num(v()?)?),
            "--write-jsonl" => o.write_jsonl = Some(v()?),
            "--data" => o.data = v()?.split(',').map(String::from).collect(),
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if !o.addr.ip().is_loopback() {
        return Err(format!(
            "{}: not a loopback address; this load test only targets this machine",
            o.addr
        ));
    }
    Ok(o)
}

/// SplitMix64: a seeded stream, enough to draw lengths and offsets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn sentences(paths: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for p in paths {
        let mut r = csv::Reader::from_path(p).map_err(|e| format!("{p}: {e}"))?;
        let col = r
            .headers()
            .map_err(|e| format!("{p}: {e}"))?
            .iter()
            .position(|h| h == "text")
            .ok_or(format!("{p}: no text column"))?;
        for rec in r.records() {
            let rec = rec.map_err(|e| format!("{p}: {e}"))?;
            let t = rec[col].trim();
            if !t.is_empty() {
                out.push(t.to_string());
            }
        }
    }
    if out.is_empty() {
        return Err("no sentences".into());
    }
    Ok(out)
}

/// Resident memory of `pid` now and at its peak (VmRSS, VmHWM), in KiB.
fn rss(pid: Option<u32>) -> Option<(u64, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// CPU seconds (user + system) used so far by `pid` ("self" for this
/// process), from /proc/PID/stat (in clock ticks of 1/100 s, Linux's
/// USER_HZ).
fn cpu_secs(pid: &str) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

#[derive(Default)]
struct Outcome {
    latencies_us: Vec<u64>,
    sentences: usize,
    /// Answers with no sentence (and a warning saying why).
    empty: usize,
    errors: Vec<String>,
}

/// Sends `bodies` from `clients` threads; stops starting requests at
/// `deadline`.
/// `offset`: the position of `bodies[0]` among the measured requests, for
/// error messages.
fn run(o: &Opts, bodies: &[String], offset: usize, deadline: Instant) -> (Outcome, Duration) {
    let next = AtomicUsize::new(0);
    let all = Mutex::new(Outcome::default());
    let url = format!("http://{}/v1/score", o.addr);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..o.clients {
            scope.spawn(|| {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(60)))
                    .build()
                    .into();
                let mut mine = Outcome::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= bodies.len() || Instant::now() >= deadline {
                        break;
                    }
                    let t = Instant::now();
                    let r = agent
                        .post(&url)
                        .header("Content-Type", "application/json")
                        .send(bodies[i].as_str());
                    let result = r.map_err(|e| e.to_string()).and_then(|mut r| {
                        let status = r.status().as_u16();
                        let body = r
                            .body_mut()
                            .read_to_vec()
                            .map_err(|e| format!("reading: {e}"))?;
                        if status != 200 {
                            return Err(format!(
                                "status {status}: {}",
                                String::from_utf8_lossy(&body)
                            ));
                        }
                        let v: serde_json::Value =
                            serde_json::from_slice(&body).map_err(|e| format!("JSON: {e}"))?;
                        // An answer may rightly hold no sentence: a
                        // one-sentence document detected as another
                        // language is left out, with a warning, as
                        // `stance score` leaves it out.
                        match (v["sentences"].as_array(), v["warnings"].as_array()) {
                            (Some(s), _) if !s.is_empty() => Ok(s.len()),
                            (Some(_), Some(w)) if !w.is_empty() => Ok(0),
                            _ => Err("no sentence record and no warning".into()),
                        }
                    });
                    let us = t.elapsed().as_micros() as u64;
                    match result {
                        Ok(n) => {
                            mine.latencies_us.push(us);
                            mine.sentences += n;
                            mine.empty += usize::from(n == 0);
                        }
                        Err(e) => mine.errors.push(format!("request {}: {e}", offset + i)),
                    }
                }
                let mut all = all.lock().unwrap();
                all.latencies_us.extend(mine.latencies_us);
                all.sentences += mine.sentences;
                all.empty += mine.empty;
                all.errors.extend(mine.errors);
            });
        }
    });
    (all.into_inner().unwrap(), start.elapsed())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn main() {
    let o = match opts() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("loadtest: {e}");
            std::process::exit(2);
        }
    };
    let pool = match sentences(&o.data) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("loadtest: {e}");
            std::process::exit(2);
        }
    };
    let mut rng = Rng(o.seed);
    let total = o.warmup + o.requests;
    let mut docs = Vec::with_capacity(total);
    let mut requested_sentences = 0usize;
    for i in 0..total {
        let k = 1 + rng.below(o.max_sentences);
        let start = rng.below(pool.len());
        let text: Vec<&str> = (0..k)
            .map(|j| pool[(start + j) % pool.len()].as_str())
            .collect();
        if i >= o.warmup {
            requested_sentences += k;
        }
        docs.push(serde_json::json!({"id": format!("r{i}"), "text": text.join(" ")}));
    }
    let bodies: Vec<String> = docs
        .iter()
        .map(|d| serde_json::json!({ "documents": [d] }).to_string())
        .collect();
    if let Some(path) = &o.write_jsonl {
        let text: String = docs[o.warmup..].iter().map(|d| format!("{d}\n")).collect();
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("loadtest: {path}: {e}");
            std::process::exit(2);
        }
    }
    let deadline = Instant::now() + o.time_limit;
    let rss_idle = rss(o.server_pid);
    let (warm, _) = run(&o, &bodies[..o.warmup], 0, deadline);
    let rss_warm = rss(o.server_pid);
    // The measured requests in four rounds, with the server's memory after
    // each: flat, or growing with the requests served.
    let measured = &bodies[o.warmup..];
    let mut out = Outcome::default();
    let mut wall = Duration::ZERO;
    let mut rss_rounds = Vec::new();
    let server_pid = o.server_pid.map(|p| p.to_string());
    let server_cpu0 = server_pid.as_deref().and_then(cpu_secs);
    let client_cpu0 = cpu_secs("self");
    let quarter = measured.len().div_ceil(4).max(1);
    for (r, round) in measured.chunks(quarter).enumerate() {
        let (o_round, w) = run(&o, round, r * quarter, deadline);
        wall += w;
        out.latencies_us.extend(o_round.latencies_us);
        out.sentences += o_round.sentences;
        out.empty += o_round.empty;
        out.errors.extend(o_round.errors);
        rss_rounds.push(rss(o.server_pid).map(|r| r.0));
    }
    let rss_end = rss(o.server_pid);
    let used = |before: Option<f64>, pid: Option<&str>| {
        Some((pid.and_then(cpu_secs)? - before?) * 100.0).map(|v| v.round() / 100.0)
    };
    let server_cpu = used(server_cpu0, server_pid.as_deref());
    let client_cpu = used(client_cpu0, Some("self"));
    out.latencies_us.sort_unstable();
    let ok = out.latencies_us.len();
    let body_bytes: usize = bodies[o.warmup..].iter().map(String::len).sum();
    let secs = wall.as_secs_f64();
    let report = serde_json::json!({
        "addr": o.addr.to_string(),
        "clients": o.clients,
        "requests": o.requests,
        "warmup_requests": o.warmup,
        "warmup_errors": warm.errors.len(),
        "sentences_per_request": format!("1-{}", o.max_sentences),
        "body_bytes_mean": body_bytes / o.requests.max(1),
        "answered_ok": ok,
        "answers_without_sentence": out.empty,
        "errors": out.errors.len(),
        "first_errors": out.errors.iter().take(5).collect::<Vec<_>>(),
        "sentences_requested": requested_sentences,
        "sentences_scored": out.sentences,
        "wall_s": (secs * 1000.0).round() / 1000.0,
        "requests_per_s": (ok as f64 / secs).round(),
        "sentences_per_s": (out.sentences as f64 / secs).round(),
        "latency_ms": {
            "p50": percentile(&out.latencies_us, 50.0),
            "p90": percentile(&out.latencies_us, 90.0),
            "p99": percentile(&out.latencies_us, 99.0),
            "max": percentile(&out.latencies_us, 100.0),
        },
        "cpu_s": {"server": server_cpu, "load_test_clients": client_cpu},
        "server_rss_kib": {
            "idle": rss_idle.map(|r| r.0),
            "after_warmup": rss_warm.map(|r| r.0),
            "after_each_quarter": rss_rounds,
            "end": rss_end.map(|r| r.0),
            "peak": rss_end.map(|r| r.1),
        },
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    if !out.errors.is_empty() || ok < o.requests {
        std::process::exit(1);
    }
}
