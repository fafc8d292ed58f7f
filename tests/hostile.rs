//! Hostile input and faults (issue #11): nothing hangs, nothing is
//! destroyed, nothing is silently wrong. Every case runs the real binary on
//! real files made in a temporary directory; a case that used to hang runs
//! under a time limit.

mod common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{jsonl, repo, stance, stance_stdin};

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn mkfifo(p: &Path) {
    let st = Command::new("mkfifo").arg(p).status().expect("run mkfifo");
    assert!(st.success());
}

/// `stance ARGS` with stdout going to `stdout`, killed (and the test
/// failed) if it runs longer than `limit`.
fn stance_limited(args: &[&str], stdout: Stdio, limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn stance");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("stance {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

const ARTICLE: &str = "Both sides called for restraint. The missile flew 500 km.\n";

/// Names in `dir` that look like temporary files.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect()
}

/// Item 1: `stance score d/ -f jsonl > d/scored.jsonl` read the file it was
/// writing, forever.
#[test]
fn score_never_reads_the_file_its_stdout_goes_to() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.txt", ARTICLE);
    let out = d.path().join("scored.jsonl");
    let file = std::fs::File::create(&out).unwrap();
    let o = stance_limited(
        &["score", s(d.path()), "-f", "jsonl"],
        Stdio::from(file),
        Duration::from_secs(20),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "{}: not read: it is the file this command's output goes to",
            out.display()
        )),
        "{err}"
    );
    let recs = jsonl(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(recs.len(), 2);
    assert!(
        recs.iter()
            .all(|r| r["doc"].as_str().unwrap().ends_with("a.txt"))
    );
}

/// Item 2: `-o` onto a FIFO or `/dev/stdout` replaced it with a regular file.
#[test]
fn output_to_a_fifo_or_dev_stdout_is_written_in_place() {
    let d = tempfile::tempdir().unwrap();
    let article = write(d.path(), "a.txt", ARTICLE);
    // /dev/stdout is here a pipe: the report goes down it.
    let r = stance(&["report", s(&article), "-f", "csv", "-o", "/dev/stdout"]);
    let out = r.ok();
    assert!(out.starts_with("doc,documents,"), "{out}");
    assert!(
        std::fs::symlink_metadata("/dev/stdout")
            .unwrap()
            .is_symlink()
    );

    let fifo = d.path().join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = stance_limited(
        &["report", s(&article), "-f", "csv", "-q", "-o", s(&fifo)],
        Stdio::null(),
        Duration::from_secs(20),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
    let got = reader.join().unwrap();
    assert!(got.starts_with("doc,documents,"), "{got}");
    assert!(leftovers(d.path()).is_empty());
}

/// Item 3: the temporary file is created under a random name (see the unit
/// test in `atomic.rs` for a planted link), keeps the replaced file's mode,
/// and `-o LINK` replaces the file the link points to, leaving the link.
#[test]
fn output_keeps_mode_and_replaces_the_target_of_a_link() {
    let d = tempfile::tempdir().unwrap();
    let article = write(d.path(), "a.txt", ARTICLE);
    let real = write(d.path(), "real.csv", "old\n");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = d.path().join("link.csv");
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    stance(&["report", s(&article), "-f", "csv", "-q", "-o", s(&link)]).ok();
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    let content = std::fs::read_to_string(&real).unwrap();
    assert!(content.starts_with("doc,documents,"), "{content}");
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640, "{mode:o}");
    assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
    // A link to nothing is refused, not turned into a file.
    let dangling = d.path().join("dangling.csv");
    std::os::unix::fs::symlink("nowhere/x.csv", &dangling).unwrap();
    let e = stance(&["report", s(&article), "-o", s(&dangling)]).err();
    assert!(e.contains("which does not exist"), "{e}");
    assert!(std::fs::symlink_metadata(&dangling).unwrap().is_symlink());
}

/// Item 4: an input given as the output was destroyed.
#[test]
fn an_input_is_never_the_output() {
    let d = tempfile::tempdir().unwrap();
    let train = write(d.path(), "x.csv", common::training_rows(20));
    let collection = write(d.path(), "c.csv", "id,text\n1,Talks resumed.\n");
    let model = d.path().join("m.model");
    std::fs::copy(repo("models/stance-default.model"), &model).unwrap();
    let before = |p: &Path| std::fs::read(p).unwrap();
    let (t0, c0, m0) = (before(&train), before(&collection), before(&model));
    let refused = "the output file is also an input";
    let start = Instant::now();
    let e = stance(&["train", s(&train), "-o", s(&train)]).err();
    assert!(
        e.contains(refused) && e.contains("nothing was trained"),
        "{e}"
    );
    let e = stance(&[
        "train",
        s(&collection),
        "--test",
        s(&train),
        "-o",
        s(&train),
    ])
    .err();
    assert!(e.contains(refused), "{e}");
    let e = stance(&["report", s(&collection), "-o", s(&collection)]).err();
    assert!(
        e.contains(&format!("{}: {refused}", collection.display())),
        "{e}"
    );
    // Found by walking the directory, under another name.
    let other = d.path().join(".").join("c.csv");
    let e = stance(&["report", s(d.path()), "-o", s(&other)]).err();
    assert!(e.contains(refused), "{e}");
    // The model is an input too.
    let e = stance(&["report", s(&collection), "-m", s(&model), "-o", s(&model)]).err();
    assert!(e.contains(refused), "{e}");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(before(&train), t0);
    assert_eq!(before(&collection), c0);
    assert_eq!(before(&model), m0);
}

/// Item 5: `-o` problems were found only after training; the message named
/// the internal temporary file.
#[test]
fn output_problems_are_found_before_any_work() {
    let d = tempfile::tempdir().unwrap();
    let train = write(d.path(), "x.csv", common::training_rows(20));
    let e = stance(&["train", s(&train), "-o", s(d.path())]).err();
    assert!(
        e.contains("is a directory, not a file") && e.contains("nothing was trained"),
        "{e}"
    );
    let e = stance(&["report", s(&train), "-o", s(d.path())]).err();
    assert!(e.contains("is a directory, not a file"), "{e}");
    if Path::new("/proc/self").is_dir() {
        let e = stance(&["train", s(&train), "-o", "/proc/stance-test.model"]).err();
        assert!(
            e.contains("/proc/stance-test.model: cannot create a file in /proc")
                && e.contains("nothing was trained"),
            "{e}"
        );
        assert!(!e.contains(".tmp"), "{e}");
    }
    // A directory that takes no new file (not testable as root, who may
    // write anywhere).
    let ro = d.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(ro.join("probe"), "").is_err() {
        let out = ro.join("x.model");
        let e = stance(&["train", s(&train), "-o", s(&out)]).err();
        assert!(
            e.contains("cannot create a file in") && e.contains("nothing was trained"),
            "{e}"
        );
        assert!(!e.contains(".tmp"), "{e}");
    }
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Item 6: a date field of many "Sept." made the date parser recurse once
/// for each (240 KB: a stack overflow).
#[test]
fn a_huge_date_field_is_not_a_date() {
    let d = tempfile::tempdir().unwrap();
    let date = "Sept. ".repeat(200_000 / 6);
    let line = serde_json::json!({"id": "x", "text": "Talks resumed.", "date": date});
    let p = write(d.path(), "big.jsonl", format!("{line}\n"));
    let c = write(
        d.path(),
        "big.csv",
        format!("id,text,date\ny,The drills began.,{date}\n"),
    );
    for (p, doc) in [(&p, "x"), (&c, "y")] {
        let o = stance_limited(
            &["report", s(p), "--by", "date", "-f", "json", "-q"],
            Stdio::piped(),
            Duration::from_secs(5),
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        assert!(
            err.contains(":2: date field of") || err.contains(":1: date field of"),
            "{err}"
        );
        assert!(err.contains("too long to be a date (document kept without a date)"));
        assert!(err.len() < 500, "the field is not repeated: {err}");
        let rep: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(rep["rows"].as_array().unwrap().len(), 1, "{doc}");
    }
}

/// Item 9: the model loader read the whole file before looking at its
/// header (`-m /dev/zero`: out of memory).
#[test]
fn model_files_are_checked_before_they_are_read() {
    let d = tempfile::tempdir().unwrap();
    let article = write(d.path(), "a.txt", ARTICLE);
    let run = |model: &str| {
        let o = stance_limited(
            &["score", s(&article), "-q", "-m", model],
            Stdio::piped(),
            Duration::from_secs(5),
        );
        assert!(!o.status.success());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let e = run("/dev/zero");
    assert!(e.contains("/dev/zero: not a stance model file"), "{e}");
    // 4 GB, sparse: takes no disk space, and is never read.
    let big = d.path().join("big.model");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    let e = run(s(&big));
    assert!(e.contains("big.model: not a stance model file"), "{e}");
    let huge = write(
        d.path(),
        "huge.model",
        "STANCE-MODEL 1\nsha256 00\nlength 99999999999\n\n{}",
    );
    let e = run(s(&huge));
    assert!(
        e.contains("more than the 1073741824 a model may have"),
        "{e}"
    );
    // A sparse file whose header announces less than it holds.
    let padded = d.path().join("padded.model");
    let f = std::fs::File::create(&padded).unwrap();
    std::io::Write::write_all(&mut &f, b"STANCE-MODEL 1\nsha256 00\nlength 10\n\n").unwrap();
    f.set_len(1 << 30).unwrap();
    let e = run(s(&padded));
    assert!(e.contains("bytes after the end of the body"), "{e}");
    let e = run(s(d.path()));
    assert!(e.contains("is a directory, not a model file"), "{e}");
    // A model that comes down a pipe is still read.
    let fifo = d.path().join("model.fifo");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let bytes = std::fs::read(repo("models/stance-default.model")).unwrap();
            let _ = std::fs::write(fifo, bytes);
        })
    };
    let o = stance_limited(
        &["score", s(&article), "-q", "-f", "jsonl", "-m", s(&fifo)],
        Stdio::piped(),
        Duration::from_secs(20),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    writer.join().unwrap();
}

/// Item 10: a FIFO in a scanned directory hung the walk forever; a link
/// loop was reported as "no such file".
#[test]
fn special_files_in_a_directory_are_skipped_and_named() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.txt", ARTICLE);
    let fifo = d.path().join("b.txt");
    mkfifo(&fifo);
    let dangling = d.path().join("c.txt");
    std::os::unix::fs::symlink("nowhere.txt", &dangling).unwrap();
    let o = stance_limited(
        &["score", s(d.path()), "-q", "-f", "jsonl"],
        Stdio::piped(),
        Duration::from_secs(20),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!("{}: skipped: a FIFO (named pipe)", fifo.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: skipped: a symbolic link to a file that does not exist",
            dangling.display()
        )),
        "{err}"
    );
    assert_eq!(jsonl(&String::from_utf8_lossy(&o.stdout)).len(), 2);

    let looped = d.path().join("loop.txt");
    std::os::unix::fs::symlink("loop.txt", &looped).unwrap();
    let e = stance(&["score", s(&looped)]).err();
    assert!(e.contains("symbolic links"), "{e}");
    assert!(!e.contains("no such file"), "{e}");
    let e = stance(&["score", s(&dangling)]).err();
    assert!(
        e.contains("a symbolic link to a file that does not exist"),
        "{e}"
    );
}

/// Item 14: a quote that is never closed made the rest of the file one
/// field, without a word.
#[test]
fn an_unclosed_quote_is_reported_with_its_line() {
    let d = tempfile::tempdir().unwrap();
    let c = write(
        d.path(),
        "c.csv",
        "id,text\n1,\"Talks resumed.\n2,The drills began.\n3,Both sides met.\n",
    );
    let e = stance(&["score", s(&c), "-q"]).err();
    assert!(
        e.contains(&format!(
            "{}:2: a quoted field opens on this line and is never closed",
            c.display()
        )),
        "{e}"
    );
    let t = write(
        d.path(),
        "t.tsv",
        "id\ttext\n1\tTalks.\n2\t\"Drills began.\n3\tMet.\n",
    );
    let e = stance(&["score", s(&t), "-q"]).err();
    assert!(e.contains("t.tsv:3: a quoted field opens"), "{e}");
    let l = write(
        d.path(),
        "l.csv",
        "text,label\nTalks resumed.,diplomacy\n\"The drills began.,neutral\nBoth sides met.,diplomacy\n",
    );
    let model = d.path().join("m.model");
    for args in [vec!["train", s(&l), "-o", s(&model)], vec!["eval", s(&l)]] {
        let e = stance(&args).err();
        assert!(
            e.contains("l.csv: line 3: a quoted field opens on this line and is never closed"),
            "{args:?}: {e}"
        );
    }
    assert!(!model.exists());
    // Quotes that are closed, doubled or inside unquoted text are fine.
    let ok = write(
        d.path(),
        "ok.csv",
        "id,text\n1,\"He said \"\"no\"\" today.\"\n2,A 5\" gun.\n3,\"Two\nlines.\"\n",
    );
    let out = stance(&["score", s(&ok), "-q", "-f", "jsonl"]).ok();
    let docs: Vec<String> = jsonl(&out)
        .iter()
        .map(|r| r["doc"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(docs, ["1", "2", "3"], "{out}");
}

/// Item 16: an upper-case `.GZ` was listed but not decompressed; a
/// byte-order mark broke JSONL; the duplicate-id count was one short.
#[test]
fn gz_in_any_case_jsonl_bom_and_duplicate_counts() {
    use std::io::Write;
    let d = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"{\"id\": \"a\", \"text\": \"Talks resumed.\"}\n")
        .unwrap();
    let sub = d.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let p = write(&sub, "X.JSONL.GZ", gz.finish().unwrap());
    for path in [&p, &sub] {
        let recs = jsonl(&stance(&["score", s(path), "-q", "-f", "jsonl"]).ok());
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0]["doc"], "a");
        assert_eq!(recs[0]["text"], "Talks resumed.");
    }

    let bom = b"\xef\xbb\xbf{\"id\": \"a\", \"text\": \"Talks resumed.\"}\n";
    let p = write(d.path(), "bom.jsonl", bom);
    let recs = jsonl(&stance(&["score", s(&p), "-q", "-f", "jsonl"]).ok());
    assert_eq!(recs[0]["doc"], "a");
    let recs = jsonl(&stance_stdin(&["score", "-q", "-f", "jsonl"], Some(bom)).ok());
    assert_eq!(recs[0]["doc"], "a");

    let six: String = (0..6)
        .map(|i| format!("{{\"id\": \"a\", \"text\": \"Talks resumed {i}.\"}}\n"))
        .collect();
    let p = write(d.path(), "six.jsonl", six);
    let r = stance(&["report", s(&p), "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("1 document id(s) appear more than once (first: \"a\", 6 times)"),
        "{}",
        r.stderr
    );
}

/// A model file made from the shipped one with `edit` applied to its JSON
/// body, with a valid header and checksum.
fn edited_model(dir: &Path, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let bytes = std::fs::read(repo("models/stance-default.model")).unwrap();
    let at = bytes.windows(2).position(|w| w == b"\n\n").unwrap() + 2;
    let mut body: serde_json::Value = serde_json::from_slice(&bytes[at..]).unwrap();
    edit(&mut body);
    let body = serde_json::to_vec(&body).unwrap();
    let mut file = format!(
        "STANCE-MODEL 1\nsha256 {}\nlength {}\n\n",
        stance::model::sha256_hex(&body),
        body.len()
    )
    .into_bytes();
    file.extend(body);
    write(dir, name, file)
}

/// Item 12: a checksum-valid model with huge weights or idf gave NaN
/// probabilities and labeled everything deterrence, exit 0; card counts
/// that sum past the largest integer wrapped.
#[test]
fn models_with_absurd_content_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let article = write(d.path(), "a.txt", ARTICLE);
    let run = |model: &Path| stance(&["score", s(&article), "-q", "-f", "jsonl", "-m", s(model)]);
    // The edited copy itself loads and scores.
    let same = edited_model(d.path(), "same.model", |_| {});
    run(&same).ok();
    type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "weight",
            Box::new(|m| m["classifier"]["weights"][5][1] = 3e38.into()),
            "inconsistent model: weight 300000000000000000000000000000000000000 is not a number of magnitude at most 10000",
        ),
        (
            "intercept",
            Box::new(|m| m["classifier"]["intercept"][0] = (-2e4).into()),
            "intercept -20000 is not a number of magnitude at most 10000",
        ),
        (
            "idf",
            Box::new(|m| m["vectorizer"]["idf"][7] = 1e30.into()),
            "invalid idf value 1000000000000000000000000000000 (idf must be positive and at most 1000)",
        ),
        (
            "zero-idf",
            Box::new(|m| m["vectorizer"]["idf"][7] = 0.0.into()),
            "invalid idf value 0",
        ),
        (
            "counts",
            Box::new(|m| {
                let c = &mut m["card"]["training_rows_per_label"];
                c["deterrence"] = u64::MAX.into();
                c["neutral"] = u64::MAX.into();
            }),
            "the card's row counts add up to more than a count can hold",
        ),
        (
            "card-vocabulary",
            Box::new(|m| m["card"]["vocabulary_size"] = 12.into()),
            "the card says 12 vocabulary terms, the vectorizer has 30000",
        ),
        (
            "empty",
            Box::new(|m| {
                m["vectorizer"]["terms"] = serde_json::json!([]);
                m["vectorizer"]["idf"] = serde_json::json!([]);
                m["classifier"]["weights"] = serde_json::json!([]);
                m["card"]["vocabulary_size"] = 0.into();
                m["surface_forms"] = serde_json::json!({});
            }),
            "inconsistent model: empty vocabulary",
        ),
    ];
    for (name, edit, expect) in cases {
        let m = edited_model(d.path(), &format!("{name}.model"), edit);
        let r = run(&m);
        assert!(r.stdout.is_empty(), "{name}: {}", r.stdout);
        let e = r.err();
        assert!(e.contains(&format!("{name}.model")), "{name}: {e}");
        assert!(e.contains(expect), "{name}: {e}");
    }
}

/// Item 11: `report --top N` inserted into a sorted list: quadratic per
/// group (`--top 2^64-1` on 300k sentences: 3 minutes).
#[test]
fn report_top_of_everything_is_fast_and_ordered() {
    let d = tempfile::tempdir().unwrap();
    let kinds = [
        "Any attack will be met with a devastating nuclear response.",
        "Officials warned the crisis could spiral out of control.",
        "Foreign ministers agreed to resume talks in Geneva.",
        "The weather was mild.",
    ];
    // 100,000 sentences in one group: 9 s with the sorted list.
    let n = 100_000;
    let text: String = (0..n).map(|i| format!("{}\n", kinds[i % 4])).collect();
    let p = write(d.path(), "many.txt", text);
    let start = Instant::now();
    let out = stance(&[
        "report",
        "--sentences",
        s(&p),
        "--top",
        &u64::MAX.to_string(),
        "-f",
        "json",
        "-q",
    ])
    .ok();
    let took = start.elapsed();
    let rep: serde_json::Value = serde_json::from_str(&out).unwrap();
    let top = rep["rows"][0]["top"].as_array().unwrap();
    assert_eq!(top.len(), n);
    // Highest first; ties in input order.
    for w in top.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let (pa, pb) = (
            a["escalation_prob"].as_f64().unwrap(),
            b["escalation_prob"].as_f64().unwrap(),
        );
        assert!(pa > pb || (pa == pb && a["sentence"].as_u64() < b["sentence"].as_u64()));
    }
    assert!(took < Duration::from_secs(4), "{took:?}");
}

/// Item 15: sentence text, file names and a model's words were printed raw
/// in tables (terminal escape injection); CSV cells starting with `=`, `+`,
/// `-` or `@` were written as they are (formula injection).
#[test]
fn tables_escape_control_characters_and_csv_quotes_formulas() {
    let d = tempfile::tempdir().unwrap();
    let evil = "Troops \u{1b}]0;owned\u{7} massed \u{1b}[2J at the \u{202e}border. Talks \u{9b}31m resumed.\n";
    let p = write(d.path(), "a\u{1b}[31m.txt", evil);
    let clean = |out: &str| {
        for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!out.contains(c), "{c:?} in {out:?}");
        }
    };
    let out = stance(&["score", s(&p), "-q", "--explain"]).ok();
    clean(&out);
    assert!(out.contains("a\\u{1b}[31m.txt"), "{out}");
    assert!(out.contains("Troops \\u{1b}]0;owned\\u{7} massed"), "{out}");
    assert!(out.contains("\\u{202e}border."), "{out}");
    // JSONL keeps the text as it is (escaped by JSON itself).
    let recs = jsonl(&stance(&["score", s(&p), "-q", "-f", "jsonl"]).ok());
    assert!(recs[0]["text"].as_str().unwrap().contains('\u{1b}'));
    // Report keys and --top sentences.
    let csv = write(
        d.path(),
        "c.csv",
        "id,source,text\n=HYPERLINK(\"http://x\"),\u{1b}[1mBold,\"=1+1 is what the envoy warned about, a war.\"\n@x,-2+3,Talks resumed.\n",
    );
    let out = stance(&["report", s(&csv), "--by", "source", "--top", "2", "-q"]).ok();
    clean(&out);
    assert!(out.contains("\\u{1b}[1mBold"), "{out}");
    // CSV: formulas quoted by default, raw with --csv-raw.
    let out = stance(&["score", s(&csv), "-q", "-f", "csv"]).ok();
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(&rows[0][0], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&rows[0][9], "'=1+1 is what the envoy warned about, a war.");
    assert_eq!(&rows[1][0], "'@x");
    let out = stance(&["score", s(&csv), "-q", "-f", "csv", "--csv-raw"]).ok();
    assert!(out.contains("\n\"=HYPERLINK("), "{out}");
    assert!(out.contains("\n@x,"), "{out}");
    let out = stance(&["report", s(&csv), "--by", "source,doc", "-q", "-f", "csv"]).ok();
    assert!(out.contains("\n'-2+3,'@x,"), "{out}");
    assert!(!out.contains(",=HYPERLINK"), "{out}");
    let out = stance(&[
        "report",
        s(&csv),
        "--by",
        "source",
        "-q",
        "-f",
        "csv",
        "--csv-raw",
    ])
    .ok();
    assert!(out.contains("\n-2+3,"), "{out}");
    // A model's words and card.
    let m = edited_model(d.path(), "evil.model", |m| {
        m["card"]["training_files"][0]["path"] = "\u{1b}]0;t\u{7}x.csv".into();
        for v in m["surface_forms"].as_object_mut().unwrap().values_mut() {
            *v = format!("\u{1b}[2J{}", v.as_str().unwrap()).into();
        }
    });
    let out = stance(&["inspect", "-m", s(&m)]).ok();
    clean(&out);
    assert!(out.contains("\\u{1b}]0;t\\u{7}x.csv"), "{out}");
    assert!(out.contains("\\u{1b}[2J"), "{out}");
    let out = stance(&["explain", "-m", s(&m), "Talks in Geneva resumed."]).ok();
    clean(&out);
}

/// Item 13: with line 5,000 of 10,000 broken, stdout held documents 1-4,096
/// and the 903 valid documents before the bad line were missing.
/// Default: stop, with every record before the error written;
/// `--skip-invalid`: name each bad record and go on.
#[test]
fn an_invalid_record_stops_after_everything_before_it_or_is_skipped() {
    let d = tempfile::tempdir().unwrap();
    let mut jl = String::new();
    let mut csv = String::from("id,text\n");
    for i in 1..=10_000 {
        match i {
            5_000 => jl.push_str("{\"id\": \"d5000\", \"text\": broken}\n"),
            7_000 => jl.push_str("{\"id\": \"d7000\", \"body\": \"no text\"}\n"),
            _ => jl.push_str(&format!(
                "{{\"id\": \"d{i}\", \"text\": \"Talks resumed.\"}}\n"
            )),
        }
        // The record on line 5,001 (document 5,000) has three fields.
        match i {
            5_000 => csv.push_str("d5000,Talks resumed.,extra\n"),
            _ => csv.push_str(&format!("d{i},Talks resumed.\n")),
        }
    }
    let jp = write(d.path(), "c.jsonl", jl);
    let cp = write(d.path(), "c.csv", csv);
    for (p, line, what) in [
        (&jp, 5_000, "invalid JSON"),
        (&cp, 5_001, "3 fields where the header has 2"),
    ] {
        let r = stance(&["score", s(p), "-q", "-f", "jsonl"]);
        let out = r.stdout.clone();
        let e = r.err();
        assert!(e.contains(&format!("{}:{line}: {what}", s(p))), "{e}");
        let recs = jsonl(&out);
        assert_eq!(recs.len(), 4_999, "{}", s(p));
        assert_eq!(recs[4_998]["doc"], "d4999");
        // report: an error, and no report.
        let r = stance(&["report", s(p), "-q", "-f", "csv"]);
        assert!(r.stdout.is_empty());
        assert!(r.err().contains(&format!("{}:{line}: {what}", s(p))));
    }
    let r = stance(&["score", s(&jp), "-q", "-f", "jsonl", "--skip-invalid"]);
    let (out, err) = (r.stdout.clone(), r.stderr.clone());
    r.ok();
    assert_eq!(jsonl(&out).len(), 9_998);
    assert!(
        err.contains(&format!("{}:5000: invalid JSON", s(&jp))),
        "{err}"
    );
    assert!(err.contains("(record skipped)"), "{err}");
    assert!(
        err.contains(&format!(
            "{}:7000: no string field \"text\" (record skipped)",
            s(&jp)
        )),
        "{err}"
    );
    assert!(
        err.contains("2 invalid records skipped (--skip-invalid)"),
        "{err}"
    );
    let out = stance(&[
        "report",
        s(&cp),
        "-q",
        "-f",
        "json",
        "--by",
        "source",
        "--skip-invalid",
    ])
    .ok();
    let rep: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rep["rows"][0]["documents"], 9_999);
}

/// Item 7: one 200 MB paragraph took 4.1 GB (16 bytes per character in the
/// splitter); `score /dev/zero` read until memory ran out; a "sentence" of
/// a million characters was scored as one.
#[test]
fn a_huge_paragraph_is_cut_into_bounded_sentences_in_bounded_memory() {
    let d = tempfile::tempdir().unwrap();
    let words = [
        "troops", "massed", "near", "the", "border", "talks", "failed,",
    ];
    let mut text = String::with_capacity(21 << 20);
    let mut i = 0usize;
    while text.len() < 20 << 20 {
        text.push_str(words[i % 7]);
        text.push(' ');
        i = i.wrapping_mul(31).wrapping_add(7) % 1_000_003;
    }
    let p = write(d.path(), "big.txt", &text);
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg(env!("CARGO_BIN_EXE_stance"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_stance"))
    };
    let o = cmd
        .args(["score", s(&p), "-q", "-f", "jsonl"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("big.txt:1: a run of text of more than 1000 characters without a sentence end: cut into pieces"),
        "{err}"
    );
    let recs = jsonl(&String::from_utf8(o.stdout).unwrap());
    let pieces: Vec<&str> = recs.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert!(pieces.len() > 20_000, "{}", pieces.len());
    assert!(pieces.iter().all(|t| t.chars().count() <= 1000));
    // Cut at clause or word boundaries: no word is lost or broken.
    assert_eq!(
        pieces.join(" ").split(' ').collect::<Vec<_>>(),
        text.split_whitespace().collect::<Vec<_>>()
    );
    if let Some(rss) = err.lines().find_map(|l| {
        l.trim()
            .strip_prefix("Maximum resident set size (kbytes): ")
    }) {
        // Was 23 times the input; now the text, its copies and the pieces.
        let mb = rss.parse::<u64>().unwrap() / 1024;
        assert!(mb < 160, "peak memory {mb} MB for a 20 MB paragraph");
    }
}

/// Item 7: binary input (`/dev/zero`, a NUL inside a file) is refused at
/// once, by itself, with the file and where.
#[test]
fn binary_input_is_refused_at_once() {
    let d = tempfile::tempdir().unwrap();
    for args in [
        &["score", "/dev/zero"][..],
        &["score", "--sentences", "/dev/zero"],
        &["score", "--input-format", "jsonl", "/dev/zero"],
        &["score", "--input-format", "csv", "/dev/zero"],
        &["report", "/dev/zero"],
    ] {
        let o = stance_limited(args, Stdio::piped(), Duration::from_secs(5));
        assert!(!o.status.success());
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            e.contains("/dev/zero") && e.contains("binary input: NUL byte at byte 0 (line 1)"),
            "{args:?}: {e}"
        );
    }
    let mut bytes = b"Talks resumed.\nThe envoy left.\n".repeat(5_000);
    bytes.extend(b"PNG\0\0\x01");
    let p = write(d.path(), "a.txt", &bytes);
    let e = stance(&["score", s(&p), "-q"]).err();
    assert!(
        e.contains(&format!(
            "{}: binary input: NUL byte at byte 155003 (line 10001)",
            s(&p)
        )),
        "{e}"
    );
    let c = write(
        d.path(),
        "c.csv",
        [&b"id,text\n1,Talks.\n2,Bad\0.\n"[..]].concat(),
    );
    let e = stance(&["score", s(&c), "-q"]).err();
    assert!(
        e.contains("c.csv") && e.contains("NUL byte at byte 22 (line 3)"),
        "{e}"
    );
    // A PDF (NUL bytes in its streams) still gets the PDF message.
    let pdf = write(
        d.path(),
        "r.pdf",
        b"%PDF-1.7\n1 0 obj\n<< >>\nstream\n\0\0\x01\nendstream\n",
    );
    let e = stance(&["score", s(&pdf), "-q"]).err();
    assert!(e.contains("PDF is not supported"), "{e}");
    // One sentence per line: an over-long line is cut and said so.
    let long = format!("{}\nTalks resumed.\n", "word ".repeat(600));
    let p = write(d.path(), "l.txt", long);
    let o = stance(&["score", "--sentences", s(&p), "-q", "-f", "jsonl"]);
    assert!(
        o.stderr
            .contains("l.txt:1: a run of text of more than 1000"),
        "{}",
        o.stderr
    );
    let recs = jsonl(&o.ok());
    // 2,999 characters: three pieces of 200 words, all of line 1.
    assert_eq!(recs.len(), 4);
    assert!(
        recs[..3]
            .iter()
            .all(|r| r["line"] == 1 && r["text"].as_str().unwrap().len() == 999)
    );
    assert_eq!(recs[3]["line"], 2);
}

/// Item 8: the token caches were bounded by entries: 384 MB of long
/// distinct words took 1.3 GB. Now by bytes, and tokens over 64 bytes are
/// not cached.
#[test]
fn long_distinct_words_do_not_grow_the_caches() {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("no /usr/bin/time: peak memory not measured");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    // 12 MB of distinct 100-letter words, 9 per line.
    let mut text = String::with_capacity(13 << 20);
    let mut x = 0x2545_f491_4f6c_dd1du64;
    while text.len() < 12 << 20 {
        for w in 0..9 {
            for _ in 0..100 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                text.push((b'a' + (x % 26) as u8) as char);
            }
            text.push(if w == 8 { '\n' } else { ' ' });
        }
    }
    let p = write(d.path(), "long.txt", &text);
    let o = Command::new(time)
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_stance"))
        .args(["score", "--sentences", s(&p), "-q", "-f", "jsonl"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let kb: u64 = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .unwrap()
        .parse()
        .unwrap();
    // 86 MB when the caches kept 200,000 entries of any length; 28 MB now.
    assert!(kb / 1024 < 50, "peak memory {} MB", kb / 1024);
}

/// Found while writing the split_score fuzz target: a title was scored as
/// one sentence whatever its length.
#[test]
fn a_huge_title_is_cut_like_any_sentence() {
    let d = tempfile::tempdir().unwrap();
    let title = "Troops massed near the border, officials said ".repeat(100);
    let line = serde_json::json!({"id": "t", "title": title, "text": "Talks resumed."});
    let p = write(d.path(), "t.jsonl", format!("{line}\n"));
    let o = stance(&["score", s(&p), "-q", "-f", "jsonl"]);
    assert!(
        o.stderr
            .contains("t (title): a run of text of more than 1000 characters"),
        "{}",
        o.stderr
    );
    let recs = jsonl(&o.ok());
    assert!(recs.len() > 5);
    assert!(
        recs.iter()
            .all(|r| r["text"].as_str().unwrap().chars().count() <= 1000)
    );
    assert_eq!(recs.last().unwrap()["text"], "Talks resumed.");
}

/// Found by the fuzzer (labeled_csv): in a file whose lines end with a
/// lone CR (old Mac exports) every row was said to be on line 1.
#[test]
fn lines_ending_in_a_lone_cr_are_counted() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "mac.csv",
        "text,label\rTalks resumed.,diplomacy\rAny attack,bogus\r\"Quoted\rfield\",neutral\rx,y,z\r",
    );
    let data = stance::data::read_labeled_csv(&p).unwrap();
    let lines: Vec<u64> = data.examples.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 4]);
    let rejected: Vec<u64> = data.rejected.iter().map(|r| r.line).collect();
    assert_eq!(rejected, [3, 6]);
    let c = write(d.path(), "c.csv", "id,text\ra,Talks resumed.\rb,x,y\r");
    let e = stance(&["score", s(&c), "-q"]).err();
    assert!(
        e.contains("c.csv:3: 3 fields where the header has 2"),
        "{e}"
    );
}

// ---- Found by the second battery (fuzz/battery/run.py) ----

/// Battery `blank-csv*`, `blank-labeled*`, `blank-date`: the csv crate
/// reports a record after blank lines as starting where the previous record
/// ended, so every line number after blank lines was short by their count
/// (a million blank lines: line 4 instead of 1,000,003).
#[test]
fn csv_lines_after_blank_lines_are_right() {
    let d = tempfile::tempdir().unwrap();
    let c = write(
        d.path(),
        "c.csv",
        "id,date,text\n\na,2024-01-01,Talks resumed.\n\n\n\nb,soon,The army warned.\r\n\r\n\r\nc,2024-01-02,x,y\n",
    );
    let o = stance(&["score", s(&c), "-q", "-f", "jsonl", "--skip-invalid"]);
    assert!(
        o.stderr.contains("c.csv:7: unrecognised date"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("c.csv:10: 4 fields where the header has 3"),
        "{}",
        o.stderr
    );
    let lines: Vec<i64> = jsonl(&o.stdout)
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [3, 7]);
    let l = write(
        d.path(),
        "l.csv",
        "text,label\nTalks resumed.,diplomacy\n\n\n\nAny attack,bogus\r\n\r\nx,neutral\n",
    );
    let data = stance::data::read_labeled_csv(&l).unwrap();
    let lines: Vec<u64> = data.examples.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 8]);
    assert_eq!(data.rejected[0].line, 6);
}

/// Battery `csv-dup-*`, `lab-dup-*`: a header naming a used column twice
/// was read silently (the first column won); now an error naming the file,
/// the column and both positions, for collections and labeled CSVs.
#[test]
fn a_column_named_twice_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let c = write(d.path(), "c.csv", "id,text,Text\n1,War is near.,Peace.\n");
    let e = stance(&["score", s(&c), "-q"]).err();
    assert!(
        e.contains("c.csv: the header has 2 columns named \"text\" (columns 2 and 3)"),
        "{e}"
    );
    let c = write(d.path(), "i.csv", "id,id,text\n1,2,War is near.\n");
    let e = stance(&["report", s(&c)]).err();
    assert!(
        e.contains("i.csv: the header has 2 columns named \"id\""),
        "{e}"
    );
    let l = write(
        d.path(),
        "l.csv",
        "text,label,label\nTalks resumed.,diplomacy,neutral\n",
    );
    let e = stance(&["eval", s(&l)]).err();
    assert!(
        e.contains("l.csv: the header has 2 columns named \"label\""),
        "{e}"
    );
    // An unused column named twice is not a problem.
    let c = write(d.path(), "x.csv", "x,text,x\n1,Talks resumed.,2\n");
    assert_eq!(
        jsonl(&stance(&["score", s(&c), "-q", "-f", "jsonl"]).ok()).len(),
        1
    );
}

/// Battery `csv-header-only`, `jsonl-empty`, `jsonl-blank-only`: a
/// collection without records said "empty input: no documents found"
/// without naming the file.
#[test]
fn an_empty_collection_is_named() {
    let d = tempfile::tempdir().unwrap();
    let c = write(d.path(), "c.csv", "id,text\n");
    let e = stance(&["score", s(&c), "-q"]).err();
    assert!(e.contains("c.csv: empty input: no documents found"), "{e}");
    let j = write(d.path(), "j.jsonl", "\n\n\n");
    let e = stance(&["report", s(&j)]).err();
    assert!(
        e.contains("j.jsonl: empty input: no documents found"),
        "{e}"
    );
}

/// Battery `date-year0*`, `date-negative`: year 0000 and negative years
/// were read as dates; now undated with a warning naming the record, like
/// impossible days (which already were).
#[test]
fn impossible_dates_are_undated_with_a_warning() {
    let d = tempfile::tempdir().unwrap();
    let c = write(
        d.path(),
        "c.csv",
        "id,date,text\n1,0000-01-01,Talks resumed.\n2,1 January 0000,Talks resumed.\n3,-0044-03-15,Talks resumed.\n4,2023-02-29,Talks resumed.\n5,2024-02-29,Talks resumed.\n",
    );
    let o = stance(&["report", s(&c), "--by", "date", "-f", "json"]);
    for line in 2..=5 {
        assert!(
            o.stderr
                .contains(&format!("c.csv:{line}: unrecognised date")),
            "{}",
            o.stderr
        );
    }
    assert!(!o.stderr.contains("c.csv:6:"), "{}", o.stderr);
    let report: serde_json::Value = serde_json::from_str(&o.ok()).unwrap();
    let keys: Vec<String> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"]["date"].to_string())
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.contains(&"\"2024-02-29\"".to_string()), "{keys:?}");
}

/// Battery `enc-u16*`, `enc-u32*`, `lab-u32`: UTF-16 and UTF-32 files were
/// called binary (their NUL bytes) or invalid UTF-8; now said for what they
/// are, for every kind of input, stdin included.
#[test]
fn utf16_and_utf32_are_named() {
    let d = tempfile::tempdir().unwrap();
    let text = "Talks resumed.\n";
    let le16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be16: Vec<u8> = [0xfe, 0xff]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let le32: Vec<u8> = "\u{feff}Talks resumed.\n"
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    for (name, bytes, kind) in [
        ("a.txt", &le16, "UTF-16 (little-endian) text"),
        ("b.csv", &be16, "UTF-16 (big-endian) text"),
        ("c.jsonl", &le32, "UTF-32 (little-endian) text"),
    ] {
        let p = write(d.path(), name, bytes);
        let e = stance(&["score", s(&p), "-q"]).err();
        assert!(e.contains(&format!("{name}: {kind}")), "{e}");
        assert!(e.contains("stance reads UTF-8"), "{e}");
    }
    let e = stance_stdin(&["score", "-q"], Some(&le16)).err();
    assert!(e.contains("-: UTF-16 (little-endian) text"), "{e}");
    let l = write(d.path(), "l.csv", &le32);
    let e = stance(&["eval", s(&l)]).err();
    assert!(e.contains("l.csv: UTF-32 (little-endian) text"), "{e}");
}

/// Battery `sym-devzero-labeled`: `stance train /dev/zero` read the
/// device whole (over 1 GiB) before failing; labeled files are now read
/// with a NUL check per megabyte and a size cap.
#[test]
fn a_binary_labeled_file_is_refused_at_once() {
    let o = stance_limited(
        &["train", "/dev/zero", "-o", "/dev/null"],
        Stdio::null(),
        Duration::from_secs(20),
    );
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        e.contains("/dev/zero: binary input: NUL byte at byte 0 (line 1)"),
        "{e}"
    );
}

/// Battery `out-readonly-file`: `-o` replaced a read-only file whenever its
/// directory was writable (the rename needs only the directory). Run as
/// `nobody` when the tests run as root, who may write anything.
#[test]
fn a_read_only_output_file_is_left_alone() {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let w = d.path().join("w");
    std::fs::create_dir(&w).unwrap();
    std::fs::set_permissions(&w, std::fs::Permissions::from_mode(0o777)).unwrap();
    let input = write(d.path(), "a.txt", ARTICLE);
    std::fs::set_permissions(&input, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = write(&w, "report.json", "old report\n");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o444)).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stance"));
    cmd.args(["report", s(&input), "-f", "json", "-o", s(&out)]);
    if std::fs::metadata("/proc/self").unwrap().uid() == 0 {
        cmd.uid(65534).gid(65534);
    }
    let o = cmd.output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "replaced a read-only file");
    assert!(e.contains("report.json: the file is not writable"), "{e}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old report\n");
    assert!(leftovers(&w).is_empty());
}

/// Battery `ctl-ansi-error`, `ctl-ansi-warning`: errors and warnings
/// printed file names and fields as they were, so a file planted in a
/// scanned directory (or a date field) could send escape sequences to the
/// terminal; now escaped like the tables.
#[test]
fn errors_and_warnings_escape_control_characters() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("d")).unwrap();
    write(&d.path().join("d"), "e\x1b[2Jvil.txt", b"x\xff\n");
    let e = stance(&["score", "-q", s(&d.path().join("d"))]).err();
    assert!(!e.contains('\x1b'), "{e:?}");
    assert!(e.contains("e\\u{1b}[2Jvil.txt:1: invalid UTF-8"), "{e}");
    let c = write(
        d.path(),
        "c.csv",
        "date,text\n\"\x1b]0;owned\x07\",Talks resumed.\n",
    );
    let o = stance(&["report", s(&c), "--by", "date"]);
    assert!(
        !o.stderr.contains('\x1b') && !o.stderr.contains('\x07'),
        "{:?}",
        o.stderr
    );
    assert!(
        o.stderr.contains("c.csv:2: unrecognised date"),
        "{}",
        o.stderr
    );
    o.ok();
}

/// Battery `ctl-cr-lines`: with `--sentences`, a file whose lines end with
/// a lone CR was one sentence (its whole text); now one per line, with the
/// lines counted as the other readers count them.
#[test]
fn sentences_mode_splits_lone_cr_lines() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "mac.txt",
        "Talks resumed.\r\rThe army warned.\rBoth sides met.\r\nLast one.\n",
    );
    let recs = jsonl(&stance(&["score", "--sentences", s(&p), "-q", "-f", "jsonl"]).ok());
    let got: Vec<(String, i64)> = recs
        .iter()
        .map(|r| {
            (
                r["text"].as_str().unwrap().to_string(),
                r["line"].as_i64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("Talks resumed.", 1),
        ("The army warned.", 3),
        ("Both sides met.", 4),
        ("Last one.", 5),
    ];
    assert_eq!(got, want.map(|(t, l)| (t.to_string(), l)).to_vec());
}

/// Battery `html-huge-nesting`: a page of 50,000 nested elements ran for
/// minutes (Readability's time grows with the square of the nesting; 2,000
/// levels took seconds). A page nested deeper than
/// `extract::html::MAX_DEPTH` is read whole as text, at once.
#[test]
fn a_deeply_nested_page_is_read_at_once() {
    let d = tempfile::tempdir().unwrap();
    let n = stance::extract::html::MAX_DEPTH * 4;
    let page = format!(
        "<html><head><title>Deep</title></head><body>{}<p>The army warned of war.</p>{}</body></html>",
        "<div>".repeat(n),
        "</div>".repeat(n)
    );
    let p = write(d.path(), "deep.html", page);
    // Under a time limit: it used to run for minutes.
    let o = stance_limited(
        &["score", s(&p), "-q", "-f", "jsonl"],
        Stdio::piped(),
        Duration::from_secs(60),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let recs = jsonl(&String::from_utf8_lossy(&o.stdout));
    let texts: Vec<&str> = recs.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Deep", "The army warned of war."]);
}

/// Battery `jsonl-dup-key`: a JSONL object with `text` twice was read with
/// the last value, silently; now an error naming the line and the key.
#[test]
fn a_jsonl_key_given_twice_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "c.jsonl",
        "{\"text\": \"Talks resumed.\"}\n{\"text\": \"War is near.\", \"id\": \"x\", \"text\": \"Peace.\"}\n",
    );
    let e = stance(&["score", s(&p), "-q"]).err();
    assert!(
        e.contains("c.jsonl:2: invalid JSON: the key \"text\" appears twice"),
        "{e}"
    );
    // Nested objects are not read: a key repeated inside one is no problem.
    let p = write(
        d.path(),
        "n.jsonl",
        "{\"text\": \"Talks resumed.\", \"meta\": {\"a\": 1, \"a\": 2}}\n",
    );
    assert_eq!(
        jsonl(&stance(&["score", s(&p), "-q", "-f", "jsonl"]).ok()).len(),
        1
    );
}

/// Battery `lab-one-class`, `lab-one-row`: "the training data has only one
/// label" did not say which files the training data was.
#[test]
fn a_training_set_of_one_label_names_its_files() {
    let d = tempfile::tempdir().unwrap();
    let l = write(
        d.path(),
        "one.csv",
        "text,label\nTalks resumed.,neutral\nTalks went on.,neutral\n",
    );
    let out = d.path().join("m.model");
    let e = stance(&["train", s(&l), "-o", s(&out), "--holdout", "0"]).err();
    assert!(
        e.contains("one.csv: the training data has only one label (neutral)"),
        "{e}"
    );
    assert!(!out.exists());
}
