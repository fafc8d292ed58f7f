//! Model load time, in process: reading and parsing a model file, then the
//! first prediction (which builds the term index). Median of 20 loads.
//!
//!   model_load MODEL_FILE   (prints one JSON object)

use std::time::Instant;

use stance::model::{EMBEDDED_MODEL, StanceModel};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: model_load MODEL_FILE");
    let bytes = std::fs::metadata(&path).expect("model file").len();
    let (mut load, mut first, mut embedded) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..20 {
        let t = Instant::now();
        let m = StanceModel::load(path.as_ref()).expect("valid model");
        load.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(m.predict("Talks resumed in Geneva after the ceasefire."));
        first.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(StanceModel::from_bytes(EMBEDDED_MODEL).expect("embedded model"));
        embedded.push(t.elapsed().as_secs_f64());
    }
    println!(
        "{}",
        serde_json::json!({
            "model_bytes": bytes,
            "load_s": median(load),
            "first_predict_s": median(first),
            "embedded_load_s": median(embedded),
            "embedded_bytes": EMBEDDED_MODEL.len(),
        })
    );
}
