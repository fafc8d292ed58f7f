//! Labeled-CSV reader (training and evaluation data): no panic; every row
//! is an example or a rejection with a line inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let p =
        std::path::Path::new("/dev/shm").join(format!("stance-fuzz-{}.csv", std::process::id()));
    std::fs::write(&p, data).unwrap();
    if let Ok(d) = stance::data::read_labeled_csv(&p) {
        // Lines end with LF, CRLF or a lone CR.
        let lone_cr = data
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\r' && data.get(i + 1) != Some(&b'\n'))
            .count();
        let lines = (data.iter().filter(|&&b| b == b'\n').count() + lone_cr) as u64 + 1;
        for e in &d.examples {
            assert!(e.line >= 2 && e.line <= lines, "{} of {lines}", e.line);
            assert!(!e.text.trim().is_empty());
        }
        for r in &d.rejected {
            assert!(r.line >= 2 && r.line <= lines, "{} of {lines}", r.line);
        }
    }
});
