//! Model loader: any bytes (first byte 0), or any bytes behind a valid
//! header and checksum (otherwise, so that the JSON body and the content
//! checks are what is fuzzed): an error or a model that scores with finite
//! probabilities summing to 1. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stance::model::{StanceModel, sha256_hex};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let bytes = if mode == 0 {
        body.to_vec()
    } else {
        let mut f = format!(
            "STANCE-MODEL 1\nsha256 {}\nlength {}\n\n",
            sha256_hex(body),
            body.len()
        )
        .into_bytes();
        f.extend(body);
        f
    };
    if let Ok(m) = StanceModel::from_bytes(&bytes) {
        for s in ["Any attack will be met with force.", "Talks resumed.", ""] {
            let p = m.predict(s).probs;
            assert!(p.iter().all(|v| v.is_finite()), "{p:?}");
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{p:?}");
        }
        let _ = m.explain(
            "Any attack will be met with force.",
            stance::Label::Deterrence,
            3,
        );
    }
});
