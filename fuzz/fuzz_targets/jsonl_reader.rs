//! JSONL collection reader: no panic, at most one document per line.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::read_collection(data, "jsonl"));
