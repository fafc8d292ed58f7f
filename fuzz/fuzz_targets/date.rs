//! Date parser: no panic; a date read reads back from its ISO form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stance::input::parse_date;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Some(d) = parse_date(&s) {
        assert_eq!(parse_date(&d.format("%Y-%m-%d").to_string()), Some(d));
    }
});
