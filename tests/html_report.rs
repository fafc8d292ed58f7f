//! `stance report --format html`, checked in a real headless Chromium, and
//! the report's counts checked across formats against `stance score`.
//!
//! Three tests drive a real headless Chromium (`apt-get install -y
//! chromium`). Without one they skip their browser part with one loud line
//! on stderr and check only the HTML file itself, except when the `CI`
//! environment variable is set: then a missing browser fails them, so CI
//! (which installs Chromium) always proves the page in a real browser.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

const SEED: &str = "examples/seed-article.txt";
const COLLECTION: &str = "examples/collection.csv";
const LABELS: [&str; 4] = ["deterrence", "escalation-warning", "diplomacy", "neutral"];
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "stance-html-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the real binary in the repository root; returns stdout and stderr.
fn stance(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stance"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .output()
        .expect("run stance");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert!(
        out.status.success(),
        "stance {args:?} failed ({}):\n{stderr}",
        out.status
    );
    (stdout, stderr)
}

/// What `stance score --format jsonl` says about the inputs.
struct Scored {
    /// (doc, label) per sentence, in output order.
    sentences: Vec<(String, String)>,
    /// Boilerplate lines left out, from the closing note on stderr.
    boilerplate: usize,
    /// Documents scored, from the same note.
    documents: usize,
}

impl Scored {
    fn label_count(&self, label: &str) -> usize {
        self.sentences.iter().filter(|(_, l)| l == label).count()
    }
}

fn score(inputs: &[&str]) -> Scored {
    let mut args = vec!["score", "--format", "jsonl"];
    args.extend(inputs);
    let (stdout, stderr) = stance(&args);
    let sentences = stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("JSONL record");
            (
                v["doc"].as_str().unwrap().to_string(),
                v["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // "stance: scored N sentences in D documents; B boilerplate lines left out"
    let note = stderr
        .lines()
        .find(|l| l.starts_with("stance: scored "))
        .unwrap_or_else(|| panic!("no closing note on stderr:\n{stderr}"));
    let words: Vec<&str> = note.split_whitespace().collect();
    let num = |i: usize| -> usize {
        words[i]
            .trim_end_matches(';')
            .parse()
            .unwrap_or_else(|_| panic!("unexpected note {note:?}"))
    };
    Scored {
        sentences,
        documents: num(5),
        boilerplate: num(7),
    }
}

/// Writes an HTML report of `inputs` into `dir` and returns its path.
fn html_report(dir: &Path, name: &str, inputs: &[&str], extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut args = vec!["report", "-q", "--format", "html", "-o"];
    let out_s = out.to_str().unwrap().to_string();
    args.push(&out_s);
    args.extend(extra);
    args.extend(inputs);
    stance(&args);
    out
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// Checks on the file itself: self-contained (no scripts, no external
/// resources), charts present.
fn check_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "not an HTML document");
    for bad in ["<script", "<link", " src=", "@import", "url("] {
        assert!(
            !html.contains(bad),
            "the page must be self-contained, found {bad:?}"
        );
    }
    let without_svg_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !without_svg_ns.contains("http://") && !without_svg_ns.contains("https://"),
        "the page must not reference the network"
    );
    assert!(html.contains("@media print"), "print stylesheet missing");
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The Chromium to use, or `None` (after a loud one-line note) when none is
/// installed. Fails the test when none is installed and `CI` is set.
fn browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STANCE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let found = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .find_map(|n| find_in_path(n));
    if found.is_some() {
        return found;
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    if ci {
        panic!(
            "CI is set and no Chromium was found (looked for chromium, chromium-browser, \
             google-chrome in PATH; STANCE_CHROMIUM names a binary): CI must check the HTML \
             report in a real browser. Install it with `apt-get install -y chromium`."
        );
    }
    // Straight to stderr, past the test harness's capture, so the note shows
    // even when the test passes.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        b"!!! SKIPPED browser check: no Chromium found (apt-get install -y chromium); the HTML file itself was still checked\n",
    );
    None
}

/// Loads `html` in headless Chromium with a fresh profile and returns the
/// rendered DOM.
fn dump_dom(chromium: &Path, html: &Path, profile: &Path) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Chromium did not finish within {BROWSER_TIMEOUT:?}: {}",
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let dom = out.join().unwrap().expect("Chromium's DOM is UTF-8");
    let err = err.join().unwrap_or_default();
    assert!(status.success(), "Chromium failed ({status}):\n{err}");
    assert!(
        dom.contains("</html>"),
        "Chromium printed no DOM for {}:\n{err}",
        html.display()
    );
    dom
}

/// Loads one report in the browser (when there is one) and checks what was
/// rendered against `stance score` on the same input.
fn check_rendered(html: &Path, scored: &Scored, time_chart: bool) {
    let raw = std::fs::read_to_string(html).unwrap();
    check_self_contained(&raw);
    let Some(chromium) = browser() else {
        // At least the file itself.
        assert_eq!(count(&raw, "class=\"sent lab-"), scored.sentences.len());
        return;
    };
    let profile = TempDir::new("profile");
    let dom = dump_dom(&chromium, html, &profile.0);

    assert!(
        dom.contains("<svg id=\"chart-shares\"") && dom.contains("</svg>"),
        "the label-share chart is not in the rendered DOM"
    );
    let shares_svg = &dom[dom.find("<svg id=\"chart-shares\"").unwrap()..];
    let shares_svg = &shares_svg[..shares_svg.find("</svg>").unwrap()];
    assert!(shares_svg.contains("<rect"), "the bar chart has no bars");
    assert!(shares_svg.contains("<text"), "the bar chart has no text");
    assert_eq!(
        dom.contains("<svg id=\"chart-escalation\""),
        time_chart,
        "escalation-over-time chart present iff the grouping starts with a time"
    );
    // Corrected shares with intervals per group (one pair of whiskers and
    // dots per group and label shown), and the calibration appendix with
    // one reliability panel per label.
    let svg_of = |id: &str| -> String {
        let start = dom
            .find(&format!("<svg id=\"{id}\""))
            .unwrap_or_else(|| panic!("{id} is not in the rendered DOM"));
        let svg = &dom[start..];
        svg[..svg.find("</svg>").unwrap()].to_string()
    };
    let corrected = svg_of("chart-corrected");
    let groups = count(&dom, "<tr>") - 1 - usize::from(dom.contains("<tfoot>"));
    assert!(
        count(&corrected, "<circle") >= 3 * groups,
        "corrected-share chart: {} circles for {groups} groups",
        count(&corrected, "<circle")
    );
    assert!(
        dom.contains("esc. share [95%]"),
        "summary lacks corrected shares"
    );
    let reliability = svg_of("chart-reliability");
    for label in LABELS {
        assert!(
            reliability.contains(&format!(">{label}<")) || reliability.contains(label),
            "{label} panel"
        );
    }
    assert!(count(&reliability, "<circle") > 8, "reliability points");
    assert!(dom.contains("Appendix: how far the probabilities can be trusted"));

    // Every scored sentence, once, with its label as class and data-label.
    assert_eq!(
        count(&dom, "class=\"sent lab-"),
        scored.sentences.len(),
        "sentence elements in the rendered page vs sentences from `stance score`"
    );
    for label in LABELS {
        assert_eq!(
            count(
                &dom,
                &format!("class=\"sent lab-{label}\" data-label=\"{label}\"")
            ),
            scored.label_count(label),
            "{label} sentences in the rendered page vs `stance score`"
        );
    }
    // Each sentence can take keyboard focus and carries its tooltip.
    assert_eq!(count(&dom, "tabindex=\"0\""), scored.sentences.len());
    assert_eq!(count(&dom, "role=\"tooltip\""), scored.sentences.len());
    assert_eq!(count(&dom, "<p class=\"boiler\""), scored.boilerplate);
    assert_eq!(count(&dom, "<article class=\"doc\""), scored.documents);
    assert!(dom.contains("Summary by"), "summary table missing");
}

#[test]
fn seed_article_renders_in_chromium() {
    let dir = TempDir::new("seed");
    let scored = score(&[SEED]);
    assert!(scored.sentences.len() > 10 && scored.boilerplate > 0);
    let html = html_report(&dir.0, "seed.html", &[SEED], &[]);
    check_rendered(&html, &scored, false);
}

#[test]
fn collection_by_source_renders_in_chromium() {
    let dir = TempDir::new("source");
    let scored = score(&[COLLECTION]);
    assert!(scored.documents >= 24, "collection too small");
    let html = html_report(&dir.0, "by-source.html", &[COLLECTION], &["--by", "source"]);
    check_rendered(&html, &scored, false);
}

#[test]
fn collection_by_year_renders_in_chromium() {
    let dir = TempDir::new("year");
    let scored = score(&[COLLECTION]);
    let html = html_report(&dir.0, "by-year.html", &[COLLECTION], &["--by", "year"]);
    check_rendered(&html, &scored, true);
}

#[test]
fn detail_section_is_capped_but_summary_covers_everything() {
    let dir = TempDir::new("capped");
    let scored = score(&[COLLECTION]);
    let keep = 5;
    let html = html_report(
        &dir.0,
        "capped.html",
        &[COLLECTION],
        &["--by", "month", "--html-docs", &keep.to_string()],
    );
    let html = std::fs::read_to_string(html).unwrap();
    check_self_contained(&html);
    assert_eq!(count(&html, "<article class=\"doc\""), keep);
    let left_out = scored.documents - keep;
    assert!(
        html.contains(&format!("{left_out} document(s) left out")),
        "the page must say how many documents were left out"
    );
    // The kept documents are the first ones, with all their sentences.
    let mut first_docs: Vec<&str> = Vec::new();
    for (doc, _) in &scored.sentences {
        if first_docs.last() != Some(&doc.as_str()) {
            first_docs.push(doc);
        }
    }
    first_docs.truncate(keep);
    let kept_sentences = scored
        .sentences
        .iter()
        .filter(|(d, _)| first_docs.contains(&d.as_str()))
        .count();
    assert_eq!(count(&html, "class=\"sent lab-"), kept_sentences);
    // The chart and the totals still cover every document.
    assert!(html.contains("<svg id=\"chart-escalation\""));
    assert!(html.contains(&format!(
        "<b>{}</b><span>documents</span>",
        scored.documents
    )));
    assert!(html.contains(&format!(
        "<b>{}</b><span>sentences scored</span>",
        scored.sentences.len()
    )));
}

/// A report's rows by group key, from its JSON form.
fn json_rows(inputs: &[&str], by: &str) -> BTreeMap<String, Value> {
    let mut args = vec!["report", "-q", "--format", "json", "--by", by];
    args.extend(inputs);
    let (stdout, _) = stance(&args);
    let v: Value = serde_json::from_str(&stdout).expect("report JSON");
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"][by].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

/// Document id -> source, read from the collection itself.
fn sources(csv_path: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(csv_path);
    let mut r = csv::Reader::from_path(path).unwrap();
    r.deserialize::<BTreeMap<String, String>>()
        .map(|row| {
            let row = row.unwrap();
            (row["id"].clone(), row["source"].clone())
        })
        .collect()
}

#[test]
fn report_counts_agree_across_formats() {
    for inputs in [vec![COLLECTION], vec![COLLECTION, SEED]] {
        let scored = score(&inputs);
        let source_of = sources(COLLECTION);
        let rows = json_rows(&inputs, "source");

        // JSON totals == `stance score` counts.
        let total = |f: &dyn Fn(&Value) -> u64| rows.values().map(f).sum::<u64>() as usize;
        assert_eq!(
            total(&|r| r["documents"].as_u64().unwrap()),
            scored.documents
        );
        assert_eq!(
            total(&|r| r["sentences"].as_u64().unwrap()),
            scored.sentences.len()
        );
        assert_eq!(
            total(&|r| r["boilerplate"].as_u64().unwrap()),
            scored.boilerplate
        );
        for label in LABELS {
            assert_eq!(
                total(&|r| r["counts"][label].as_u64().unwrap()),
                scored.label_count(label),
                "{label} over {inputs:?}"
            );
        }

        // Per source too.
        let mut per_source: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (doc, label) in &scored.sentences {
            let source = source_of
                .get(doc)
                .cloned()
                .unwrap_or_else(|| "(no source)".into());
            *per_source
                .entry(source)
                .or_default()
                .entry(label.clone())
                .or_default() += 1;
        }
        assert_eq!(
            per_source.keys().collect::<Vec<_>>(),
            rows.keys().collect::<Vec<_>>()
        );
        for (source, counts) in &per_source {
            for label in LABELS {
                assert_eq!(
                    rows[source]["counts"][label].as_u64().unwrap() as usize,
                    counts.get(label).copied().unwrap_or(0),
                    "{source} {label}"
                );
            }
        }

        // CSV rows == JSON rows.
        let mut args = vec!["report", "-q", "--format", "csv", "--by", "source"];
        args.extend(&inputs);
        let (csv_text, _) = stance(&args);
        let mut r = csv::Reader::from_reader(csv_text.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let records: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), rows.len(), "CSV rows vs JSON rows");
        for rec in &records {
            let field = |name: &str| -> &str {
                let i = header
                    .iter()
                    .position(|h| h == name)
                    .unwrap_or_else(|| panic!("no CSV column {name}"));
                &rec[i]
            };
            let row = &rows[field("source")];
            for name in ["documents", "sentences", "boilerplate"] {
                assert_eq!(
                    field(name).parse::<u64>().unwrap(),
                    row[name].as_u64().unwrap(),
                    "{name}"
                );
            }
            for label in LABELS {
                let col = label.replace('-', "_");
                assert_eq!(
                    field(&format!("counts_{col}")).parse::<u64>().unwrap(),
                    row["counts"][label].as_u64().unwrap()
                );
                let share: f64 = field(&format!("shares_{col}")).parse().unwrap();
                assert!((share - row["shares"][label].as_f64().unwrap()).abs() < 1e-6);
            }
            for name in [
                "escalation_ratio",
                "escalation_ratio_low",
                "escalation_ratio_high",
                "mean_escalation_prob",
            ] {
                let v: f64 = field(name).parse().unwrap();
                assert!((v - row[name].as_f64().unwrap()).abs() < 1e-6, "{name}");
            }
            match row["escalation_diplomacy_balance"].as_f64() {
                Some(b) => assert!(
                    (field("escalation_diplomacy_balance")
                        .parse::<f64>()
                        .unwrap()
                        - b)
                        .abs()
                        < 1e-6
                ),
                None => assert_eq!(field("escalation_diplomacy_balance"), ""),
            }
        }
    }
}
