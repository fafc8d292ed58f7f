//! Splitter and scoring with the embedded model: no panic; sentences are
//! non-empty, at most MAX_SENTENCE_CHARS long and cover the text's letters
//! in order; probabilities are finite and sum to 1.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stance::analysis::sentences::MAX_SENTENCE_CHARS;
use stance::analysis::{SegmentKind, split_document};
use stance::input::Document;
use stance::model::StanceModel;
use stance::score::{Segmentation, score_document};

fn model() -> &'static StanceModel {
    static M: OnceLock<StanceModel> = OnceLock::new();
    M.get_or_init(|| StanceModel::embedded().unwrap())
}

fn letters(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| c.is_alphanumeric())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let segs = split_document(text);
    for s in &segs {
        assert!(!s.text.is_empty());
        if s.kind == SegmentKind::Sentence {
            assert!(s.text.chars().count() <= MAX_SENTENCE_CHARS);
        }
    }
    assert!(letters(text).eq(segs.iter().flat_map(|s| letters(&s.text))));
    for mode in [Segmentation::Split, Segmentation::Lines] {
        let doc = Document {
            id: "fuzz".into(),
            title: text.lines().next().map(str::to_string),
            text: text.to_string(),
            ..Document::default()
        };
        for s in score_document(model(), doc, mode).sentences {
            let p = s.prediction.probs;
            assert!(p.iter().all(|v| v.is_finite()), "{p:?}");
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{p:?}");
            assert!(s.text.chars().count() <= MAX_SENTENCE_CHARS);
        }
    }
});
