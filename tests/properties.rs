//! Property tests (issue #11): the splitter, tokenizer, date parser,
//! collection readers and model loader never panic on any input, keep their
//! output bounded, and keep their invariants. 64 cases each by default
//! (`PROPTEST_CASES=N` for more).

use std::sync::OnceLock;

use proptest::prelude::*;
use stance::analysis::sentences::{MAX_SENTENCE_CHARS, split_sentences};
use stance::analysis::{NUMBER_TOKEN, SegmentKind, split_document, tokenize};
use stance::input::{
    Columns, Document, InputFormat, ReadWarnings, Source, parse_date, read_source,
};
use stance::model::StanceModel;

fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(n),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// News-like text: words, numbers, abbreviations, every kind of sentence
/// end, quotes, brackets, line breaks and blank lines; sometimes runs long
/// enough to be cut; sometimes any Unicode at all.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[A-Za-z]{1,12}",
        1 => "[0-9]{1,5}([.,][0-9]{1,3})?",
        1 => prop::sample::select(vec![
            "U.S.", "Mr.", "p.m.", "Jan.", "No.", "etc.", "e.g.", "Gen.", "J.", "...", "…",
            "?!", "—", "-", "'s", "’", "“", "”", "\"", "(", ")", "[", "]", "«", "»",
        ]).prop_map(str::to_string),
        2 => prop::sample::select(vec![" ", " ", " ", ". ", "! ", "? ", ", ", "; ", "\n", "\n\n", "\t", "\r\n"])
            .prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ];
    prop_oneof![
        8 => prop::collection::vec(piece, 0..200).prop_map(|v| v.concat()),
        1 => "[a-z ,]{900,3000}",
        1 => any::<String>(),
    ]
}

fn letters(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn model() -> &'static StanceModel {
    static M: OnceLock<StanceModel> = OnceLock::new();
    M.get_or_init(|| StanceModel::embedded().unwrap())
}

fn assert_probs(p: &[f32; 4]) {
    assert!(
        p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
        "{p:?}"
    );
    let sum: f32 = p.iter().sum();
    assert!((sum - 1.0).abs() < 1e-4, "{p:?} sums to {sum}");
}

proptest! {
    #![proptest_config(cases(64))]

    /// Sentences are non-empty, at most MAX_SENTENCE_CHARS long, without
    /// line breaks, and cover the text's letters in order.
    #[test]
    fn splitter_covers_the_text_in_bounded_sentences(t in text()) {
        let segs = split_document(&t);
        for s in &segs {
            prop_assert!(!s.text.is_empty());
            prop_assert!(!s.text.contains(['\n', '\r']));
            prop_assert!(s.text.trim() == s.text);
            if s.kind == SegmentKind::Sentence {
                prop_assert!(s.text.chars().count() <= MAX_SENTENCE_CHARS, "{}", s.text.len());
            }
            prop_assert!(s.block_line >= 1 && s.block_line <= t.lines().count().max(1));
        }
        let joined: String = segs.iter().map(|s| s.text.as_str()).collect();
        prop_assert_eq!(letters(&joined), letters(&t));
        let one_paragraph = t.replace(['\n', '\r'], " ");
        let sents = split_sentences(&one_paragraph);
        prop_assert_eq!(letters(&sents.concat()), letters(&t));
        prop_assert!(sents.iter().all(|s| !s.is_empty() && s.chars().count() <= MAX_SENTENCE_CHARS));
    }

    /// Tokens are non-empty words: letters, digits and inner apostrophes,
    /// or the number token; on lower-case ASCII text each word is a piece
    /// of the text (hyphens removed).
    #[test]
    fn tokens_are_non_empty_words(t in text(), ascii in "[a-z0-9 ,.'-]{0,200}") {
        let mut buf = String::new();
        let mut n = 0;
        tokenize(&t, &mut buf, |tok| {
            n += 1;
            assert!(!tok.is_empty());
            assert!(
                tok == NUMBER_TOKEN || tok.chars().all(|c| c.is_alphanumeric() || c == '\''),
                "{tok:?}"
            );
        });
        prop_assert!(n <= t.len());
        let dehyphened = ascii.replace('-', "");
        tokenize(&ascii, &mut buf, |tok| {
            assert!(tok == NUMBER_TOKEN || dehyphened.contains(tok), "{tok:?} in {ascii:?}");
        });
    }

    /// Any text: no panic, and a date read is a real date that its ISO form
    /// reads back as; real dates in the documented forms are read.
    #[test]
    fn dates_parse_or_are_none(s in any::<String>(), y in 1900i32..2100, m in 1u32..=12, d in 1u32..=28) {
        if let Some(date) = parse_date(&s) {
            prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()), Some(date));
        }
        let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for f in ["%Y-%m-%d", "%Y/%m/%d", "%B %d, %Y", "%d %b %Y", "%Y-%m-%dT%H:%M:%SZ"] {
            let s = date.and_hms_opt(10, 0, 0).unwrap().format(f).to_string();
            prop_assert_eq!(parse_date(&s), Some(date), "{}", s);
        }
    }

    /// Collections in any bytes: no panic; what is read is at most one
    /// document per line. Well-formed collections are read exactly.
    #[test]
    fn collection_readers(raw in prop::collection::vec(any::<u8>(), 0..2000),
                          texts in prop::collection::vec(any::<String>(), 1..20),
                          skip in any::<bool>()) {
        let d = tempfile::tempdir().unwrap();
        let read = |name: &str, bytes: &[u8]| -> (anyhow::Result<()>, Vec<Document>) {
            let p = d.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let mut docs = Vec::new();
            let mut w = ReadWarnings { skip_invalid: skip, ..ReadWarnings::default() };
            let r = read_source(&Source::File(p), InputFormat::Auto, &Columns::default(), &mut w, |doc| {
                docs.push(doc);
                Ok(())
            });
            (r, docs)
        };
        for name in ["a.csv", "a.jsonl", "a.tsv"] {
            let (_, docs) = read(name, &raw);
            prop_assert!(docs.len() <= raw.iter().filter(|&&b| b == b'\n').count() + 1);
        }
        // Valid CSV and JSONL of the same texts (NUL is binary: left out).
        let texts: Vec<String> = texts.into_iter().map(|t| t.replace('\0', "")).collect();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["id", "text"]).unwrap();
        let mut jl = String::new();
        for (i, t) in texts.iter().enumerate() {
            w.write_record([&format!("d{i}"), t]).unwrap();
            jl.push_str(&serde_json::json!({"id": format!("d{i}"), "text": t}).to_string());
            jl.push('\n');
        }
        let csv_bytes = w.into_inner().unwrap();
        for (name, bytes) in [("b.csv", &csv_bytes), ("b.jsonl", &jl.into_bytes())] {
            let (r, docs) = read(name, bytes);
            prop_assert!(r.is_ok(), "{}: {:?}", name, r);
            prop_assert_eq!(docs.len(), texts.len());
            for (i, (doc, t)) in docs.iter().zip(&texts).enumerate() {
                prop_assert_eq!(&doc.id, &format!("d{i}"));
                // Collections decode HTML character references.
                if !t.contains('&') {
                    prop_assert_eq!(&doc.text, t);
                }
            }
        }
    }

    /// Scoring any sentence gives finite probabilities that sum to 1.
    #[test]
    fn probabilities_are_finite_and_sum_to_one(t in text()) {
        let p = model().predict(&t);
        assert_probs(&p.probs);
        assert_probs(&p.raw_probs);
    }
}

/// The body of the shipped model, parsed once.
fn model_body() -> &'static serde_json::Value {
    static B: OnceLock<serde_json::Value> = OnceLock::new();
    B.get_or_init(|| {
        let bytes = stance::model::EMBEDDED_MODEL;
        let at = bytes.windows(2).position(|w| w == b"\n\n").unwrap() + 2;
        serde_json::from_slice(&bytes[at..]).unwrap()
    })
}

fn with_header(body: &[u8]) -> Vec<u8> {
    let mut f = format!(
        "STANCE-MODEL 1\nsha256 {}\nlength {}\n\n",
        stance::model::sha256_hex(body),
        body.len()
    )
    .into_bytes();
    f.extend(body);
    f
}

proptest! {
    #![proptest_config(cases(24))]

    /// Any bytes, and any bytes behind a valid header: an error, never a
    /// panic.
    #[test]
    fn model_loader_refuses_garbage(raw in prop::collection::vec(any::<u8>(), 0..4000)) {
        prop_assert!(StanceModel::from_bytes(&raw).is_err());
        prop_assert!(StanceModel::from_bytes(&with_header(&raw)).is_err());
    }

    /// The shipped model with one weight, intercept or idf set to any
    /// number: refused, or loaded and scoring with finite probabilities.
    #[test]
    fn model_loader_checks_content(which in 0usize..3, at in 0usize..30_000, c in 0usize..4,
                                   v in prop_oneof![any::<f32>(), -2e4f32..2e4, -20f32..20.0]) {
        let mut body = model_body().clone();
        if !v.is_finite() {
            // JSON has no NaN or infinity: such a file does not parse.
            return Ok(());
        }
        match which {
            0 => body["classifier"]["weights"][at][c] = v.into(),
            1 => body["classifier"]["intercept"][c] = v.into(),
            _ => body["vectorizer"]["idf"][at] = v.into(),
        }
        let bytes = with_header(&serde_json::to_vec(&body).unwrap());
        match StanceModel::from_bytes(&bytes) {
            Ok(m) => {
                for s in ["Any attack will be met with force.", "Talks resumed in Geneva.", ""] {
                    let p = m.predict(s);
                    assert_probs(&p.probs);
                }
            }
            Err(e) => prop_assert!(e.to_string().contains("inconsistent") || e.to_string().contains("idf"), "{}", e),
        }
    }
}
