//! Helpers shared by the integration tests: run the real `stance` binary.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Path of a file in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Result of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    pub fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "stance failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self.stdout
    }

    /// Asserts failure and returns stderr.
    pub fn err(self) -> String {
        assert_ne!(
            self.code, 0,
            "stance should have failed:\nstdout:\n{}",
            self.stdout
        );
        assert!(
            self.stderr.contains("error"),
            "no error message: {}",
            self.stderr
        );
        self.stderr
    }
}

/// Runs `stance ARGS` in the repository root.
pub fn stance(args: &[&str]) -> Run {
    stance_stdin(args, None)
}

/// Runs `stance ARGS` with `input` on stdin.
pub fn stance_stdin(args: &[&str], input: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn stance");
    if let Some(input) = input {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input)
            .expect("write stdin");
    }
    Run::from(child.wait_with_output().expect("run stance"))
}

/// Parses JSON lines.
pub fn jsonl(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

/// `stance score PATH --format jsonl -q`, parsed.
pub fn score_jsonl(path: &str) -> Vec<serde_json::Value> {
    jsonl(&stance(&["score", path, "--format", "jsonl", "-q"]).ok())
}

/// `stance score --sentences - --format jsonl -q` on `input`, parsed.
pub fn score_sentences(input: &str) -> Vec<serde_json::Value> {
    jsonl(
        &stance_stdin(
            &["score", "--sentences", "-", "--format", "jsonl", "-q"],
            Some(input.as_bytes()),
        )
        .ok(),
    )
}

/// The first `n` data rows of the training CSV, as CSV text with a header.
pub fn training_rows(n: usize) -> String {
    let text = std::fs::read_to_string(repo("data/stance-train.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["text", "label"]).unwrap();
    for rec in rdr.records().take(n) {
        let rec = rec.unwrap();
        w.write_record([&rec[1], &rec[2]]).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}
