//! Every bad input gets a clear message naming the file, line or field, a
//! non-zero exit, and loses nothing.

mod common;

use std::path::{Path, PathBuf};

use common::{jsonl, repo, stance, stance_stdin, training_rows};

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn missing_files() {
    let e = stance(&["score", "no/such/article.txt"]).err();
    assert!(
        e.contains("no/such/article.txt") && e.contains("no such file"),
        "{e}"
    );
    let e = stance(&["train", "no/such/train.csv"]).err();
    assert!(e.contains("no/such/train.csv"), "{e}");
    let e = stance(&["eval", "no/such/test.csv"]).err();
    assert!(e.contains("no/such/test.csv"), "{e}");
    let e = stance(&[
        "score",
        "examples/seed-article.txt",
        "--model",
        "no/such.model",
    ])
    .err();
    assert!(e.contains("no/such.model"), "{e}");
}

#[test]
fn csv_without_text_or_label_column() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "a.csv",
        "sentence,label\nTalks resumed.,diplomacy\n",
    );
    let e = stance(&["train", s(&p)]).err();
    assert!(
        e.contains("a.csv:1") && e.contains("no \"text\" column"),
        "{e}"
    );
    assert!(e.contains("found: sentence, label"), "{e}");
    let p = write(d.path(), "b.csv", "text,stance\nTalks resumed.,diplomacy\n");
    let e = stance(&["eval", s(&p)]).err();
    assert!(e.contains("no \"label\" column"), "{e}");
}

#[test]
fn unknown_label_and_empty_text_are_listed_with_lines() {
    let d = tempfile::tempdir().unwrap();
    let mut csv_text = training_rows(200);
    csv_text.push_str("The drills began on Monday.,hawkish\n\"\",neutral\n");
    let p = write(d.path(), "bad.csv", &csv_text);
    let model = d.path().join("out.model");
    let r = stance(&["train", s(&p), "-o", s(&model)]);
    let e = r.err();
    assert!(e.contains("bad.csv:202: unknown label \"hawkish\""), "{e}");
    assert!(
        e.contains("valid labels: deterrence, escalation-warning, diplomacy, neutral"),
        "{e}"
    );
    assert!(e.contains("bad.csv:203: empty text"), "{e}");
    assert!(e.contains("2 row(s) rejected"), "{e}");
    assert!(!model.exists(), "a model was written despite rejected rows");
    // With --skip-invalid they are counted, reported, and training goes on.
    let out = stance(&[
        "train",
        s(&p),
        "-o",
        s(&model),
        "--skip-invalid",
        "--holdout",
        "0",
    ])
    .ok();
    assert!(out.contains("rows used        200  (rejected: 2)"), "{out}");
    assert!(model.exists());
}

#[test]
fn one_class_only() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "one.csv",
        "text,label\nTalks resumed.,diplomacy\nTalks ended.,diplomacy\n",
    );
    let e = stance(&["train", s(&p), "--holdout", "0"]).err();
    assert!(e.contains("only one label (diplomacy)"), "{e}");
}

#[test]
fn invalid_utf8() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "latin1.csv",
        b"text,label\nok,neutral\nd\xe9fense,deterrence\n".as_slice(),
    );
    let e = stance(&["train", s(&p)]).err();
    assert!(e.contains("latin1.csv:3: invalid UTF-8"), "{e}");
    let p = write(
        d.path(),
        "latin1.txt",
        b"First line.\nLa d\xe9fense.\n".as_slice(),
    );
    let e = stance(&["score", s(&p)]).err();
    assert!(e.contains("latin1.txt:2: invalid UTF-8"), "{e}");
}

#[test]
fn empty_inputs() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "empty.txt", "");
    let e = stance(&["score", s(&p)]).err();
    assert!(e.contains("empty.txt") && e.contains("empty input"), "{e}");
    let e = stance_stdin(&["score", "-"], Some(b"   \n")).err();
    assert!(e.contains("empty input"), "{e}");
    let p = write(d.path(), "empty.csv", "");
    let e = stance(&["train", s(&p)]).err();
    assert!(e.contains("empty.csv") && e.contains("empty"), "{e}");
    let p = write(d.path(), "header.csv", "text,label\n");
    let e = stance(&["train", s(&p)]).err();
    assert!(
        e.contains("header.csv") && e.contains("no data rows"),
        "{e}"
    );
    let sub = d.path().join("nothing");
    std::fs::create_dir(&sub).unwrap();
    let e = stance(&["score", s(&sub)]).err();
    assert!(e.contains("no .txt"), "{e}");
}

#[test]
fn damaged_model_files() {
    let d = tempfile::tempdir().unwrap();
    let good = std::fs::read(repo("models/stance-default.model")).unwrap();
    let run = |name: &str, bytes: &[u8]| {
        let p = write(d.path(), name, bytes);
        stance(&["score", "examples/seed-article.txt", "--model", s(&p)]).err()
    };
    let e = run("truncated.model", &good[..good.len() / 2]);
    assert!(
        e.contains("truncated.model") && e.contains("truncated model file"),
        "{e}"
    );
    let mut corrupt = good.clone();
    let k = corrupt.len() - 100;
    corrupt[k] ^= 0x20;
    let e = run("corrupt.model", &corrupt);
    assert!(
        e.contains("corrupted model file") && e.contains("checksum"),
        "{e}"
    );
    let newer =
        String::from_utf8(good.clone())
            .unwrap()
            .replacen("STANCE-MODEL 1", "STANCE-MODEL 7", 1);
    let e = run("newer.model", newer.as_bytes());
    assert!(e.contains("format version 7 is newer"), "{e}");
    let e = run("notes.model", b"just some text\n");
    assert!(e.contains("not a stance model file"), "{e}");
}

#[test]
fn failed_training_never_replaces_a_model() {
    let d = tempfile::tempdir().unwrap();
    let model = d.path().join("keep.model");
    std::fs::copy(repo("models/stance-default.model"), &model).unwrap();
    let before = std::fs::read(&model).unwrap();
    let p = write(d.path(), "one.csv", "text,label\nA.,neutral\nB.,neutral\n");
    stance(&["train", s(&p), "-o", s(&model), "--holdout", "0"]).err();
    let p = write(d.path(), "bad.csv", "text,label\nA.,neutral\nB.,hawkish\n");
    stance(&["train", s(&p), "-o", s(&model)]).err();
    assert_eq!(std::fs::read(&model).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn collection_errors_name_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "c.jsonl",
        "{\"id\": \"a\", \"text\": \"Talks resumed.\"}\n{\"id\": \"b\", \"body\": \"x\"}\n",
    );
    let e = stance(&["score", s(&p)]).err();
    assert!(e.contains("c.jsonl:2: no string field \"text\""), "{e}");
    let p = write(d.path(), "c2.jsonl", "{\"text\": \"ok.\"}\n{not json\n");
    let e = stance(&["score", s(&p)]).err();
    assert!(e.contains("c2.jsonl:2: invalid JSON"), "{e}");
    let p = write(
        d.path(),
        "dates.csv",
        "id,date,text\na,2024-03-05,Talks resumed.\nb,03/05/2024,Talks ended.\n",
    );
    let r = stance(&["report", s(&p), "--by", "month", "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("dates.csv:3: unrecognised date \"03/05/2024\""),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("2024-03,1,"), "{}", r.stdout);
    assert!(r.stdout.contains("(no date),1,"), "{}", r.stdout);
}

#[test]
fn bad_parameters() {
    let e = stance(&["train", "data/stance-test.csv", "--alpha=-1"]).err();
    assert!(e.contains("alpha"), "{e}");
    let e = stance(&["report", "examples/seed-article.txt", "--by", "fortnight"]).err();
    assert!(e.contains("fortnight"), "{e}");
}

#[test]
fn crlf_files_report_true_line_numbers() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "crlf.csv",
        "text,label\r\nTalks resumed.,diplomacy\r\nThe drills began.,neutral\r\nBad row.,hawkish\r\n",
    );
    let e = stance(&["train", s(&p)]).err();
    assert!(e.contains("crlf.csv:4: unknown label"), "{e}");
}

#[test]
fn empty_rows_and_duplicate_ids_are_reported_not_hidden() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "c.jsonl",
        "{\"id\": \"a\", \"text\": \"Talks resumed in Geneva.\"}\n\
         {\"id\": \"b\", \"text\": \"   \"}\n\
         {\"id\": \"a\", \"text\": \"The ceasefire held.\"}\n",
    );
    let r = stance(&["report", s(&p), "--by", "doc", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("c.jsonl:2: empty text"), "{}", r.stderr);
    assert!(
        r.stderr.contains("1 document id(s) appear more than once"),
        "{}",
        r.stderr
    );
    let rep: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rows = rep["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let b = &rows[1];
    assert_eq!(b["key"]["doc"], "b");
    assert_eq!(b["sentences"], 0);
    // No sentence: no ratio, not a confident 0 %.
    assert!(b["escalation_ratio"].is_null());
    assert!(b["escalation_ratio_low"].is_null());
    assert!(b["mean_escalation_prob"].is_null());
}

#[test]
fn output_directory_is_checked_before_training() {
    let e = stance(&["train", "data/stance-test.csv", "-o", "no/such/dir/x.model"]).err();
    assert!(
        e.contains("does not exist") && e.contains("nothing was trained"),
        "{e}"
    );
}

#[test]
fn broken_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    for format in ["jsonl", "csv", "table"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
            .args(["score", "data/stance-test.csv", "--text-column", "text"])
            .args(["--format", format, "-q"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read a little, then close the pipe like `| head -1` does.
        let mut out = child.stdout.take().unwrap();
        let mut buf = [0u8; 64];
        out.read_exact(&mut buf).unwrap();
        drop(out);
        let status = child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(status.success(), "{format}: {err}");
        assert!(!err.contains("error"), "{format}: {err}");
    }
}

#[test]
fn report_output_directory_is_checked_first() {
    let e = stance(&[
        "report",
        "examples/seed-article.txt",
        "--format",
        "html",
        "-o",
        "no/such/dir/r.html",
    ])
    .err();
    assert!(
        e.contains("no/such/dir/r.html: the directory no/such/dir does not exist"),
        "{e}"
    );
    assert!(!e.contains(".tmp"), "{e}");
}

/// A full disk on stdout is an error with a message and exit 2, a closed
/// pipe a quiet success: never a panic (exit 101), for every command that
/// prints a report of its own.
#[test]
fn full_stdout_and_closed_pipe_never_panic() {
    use std::process::{Command, Stdio};
    let commands: [&[&str]; 3] = [
        &["inspect"],
        &["explain", "Both sides called for restraint."],
        &["eval", "examples/seed-article.labels.csv"],
    ];
    for args in commands {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_stance"))
            .args(args)
            .current_dir(repo("."))
            .stdout(full)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");

        // A reader that closes the pipe at once.
        let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
            .args(args)
            .current_dir(repo("."))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// A PDF gets a message that says what to do, not "invalid UTF-8"; JSONL
/// piped to stdin is read as JSONL, not scored as one prose document.
#[test]
fn pdf_is_refused_with_advice_and_stdin_jsonl_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n").unwrap();
    let err = stance(&["score", pdf.to_str().unwrap()]).err();
    assert!(
        err.contains("report.pdf")
            && err.contains("PDF is not supported")
            && err.contains("pdftotext"),
        "{err}"
    );
    let input = b"\n{\"id\":\"a\",\"text\":\"Both sides called for restraint.\"}\n{\"id\":\"b\",\"text\":\"The ministry published figures.\"}\n";
    let out = stance_stdin(&["score", "-", "--format", "jsonl", "-q"], Some(input)).ok();
    let docs: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["doc"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(docs, ["a", "b"], "{out}");
}

/// Old-Mac CR-only line endings and a UTF-8 byte-order mark read like LF
/// and no mark: same sentences, same lines.
#[test]
fn cr_only_line_endings_and_bom_read_like_lf() {
    let dir = tempfile::tempdir().unwrap();
    let lf = "NATO ALLIES MEET IN BRUSSELS\n\nForeign ministers agreed to resume talks.\nThe missile flew 500 km.\n";
    let variants = [
        ("lf.txt", lf.as_bytes().to_vec()),
        ("cr.txt", lf.replace('\n', "\r").into_bytes()),
        (
            "bom.txt",
            [b"\xef\xbb\xbf".as_slice(), lf.as_bytes()].concat(),
        ),
    ];
    let mut outputs = Vec::new();
    for (name, bytes) in variants {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let recs = jsonl(&stance(&["score", p.to_str().unwrap(), "--format", "jsonl", "-q"]).ok());
        let v: Vec<(String, u64)> = recs
            .iter()
            .map(|r| {
                (
                    r["text"].as_str().unwrap().to_string(),
                    r["line"].as_u64().unwrap(),
                )
            })
            .collect();
        outputs.push(v);
    }
    assert_eq!(outputs[0].len(), 3, "{:?}", outputs[0]);
    assert_eq!(outputs[0][0].0, "NATO ALLIES MEET IN BRUSSELS");
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

/// A `.tsv` collection is read tab-separated (commas inside the text stay
/// text); a `.csv` whose header has tabs and no commas gets a hint.
#[test]
fn tsv_collections_and_the_delimiter_hint() {
    let dir = tempfile::tempdir().unwrap();
    let body = "id\ttext\tsource\na\tBoth sides called for restraint, and talks resumed.\tRTR\n";
    let tsv = dir.path().join("c.tsv");
    std::fs::write(&tsv, body).unwrap();
    let recs = jsonl(&stance(&["score", tsv.to_str().unwrap(), "--format", "jsonl", "-q"]).ok());
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["doc"], "a");
    assert_eq!(
        recs[0]["text"],
        "Both sides called for restraint, and talks resumed."
    );
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, body).unwrap();
    let err = stance(&["score", csv.to_str().unwrap()]).err();
    assert!(
        err.contains("c.csv") && err.contains("tab-separated"),
        "{err}"
    );
}

/// Lines of only punctuation or emoji are not sentences: left out and
/// counted, never scored (with `--sentences` every line is still scored, so
/// output stays aligned with input).
#[test]
fn text_without_letters_is_not_scored() {
    let input =
        "Talks resumed.\n\n* * *\n\n\u{1F642}\u{1F642}\n\n-----\n\nThe missile flew 500 km.\n";
    let run = stance_stdin(&["score", "-", "--format", "jsonl"], Some(input.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let texts: Vec<String> = jsonl(&run.stdout)
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts, ["Talks resumed.", "The missile flew 500 km."]);
    assert!(
        run.stderr.contains("3 boilerplate lines left out"),
        "{}",
        run.stderr
    );
}
