//! Reads fuzz input as a collection file (the readers take files).

use stance::input::{Columns, InputFormat, ReadWarnings, Source, read_source};

/// Writes `data` to a per-process file named `*.EXT` in a tmpfs when there
/// is one, and reads it as a collection. The first byte chooses
/// `--skip-invalid`.
pub fn read_collection(data: &[u8], ext: &str) {
    let Some((&mode, data)) = data.split_first() else {
        return;
    };
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        std::path::PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let p = dir.join(format!("stance-fuzz-{}.{ext}", std::process::id()));
    std::fs::write(&p, data).unwrap();
    let mut w = ReadWarnings {
        skip_invalid: mode & 1 == 1,
        ..ReadWarnings::default()
    };
    // JSONL lines end with LF; CSV lines also with a lone CR.
    let lone_cr = match ext {
        "csv" => data
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\r' && data.get(i + 1) != Some(&b'\n'))
            .count(),
        _ => 0,
    };
    let lines = data.iter().filter(|&&b| b == b'\n').count() + lone_cr + 1;
    let mut docs = 0;
    let _ = read_source::<stance::input::InputError>(
        &Source::File(p),
        InputFormat::Auto,
        &Columns::default(),
        &mut w,
        |d| {
            docs += 1;
            assert!(d.text.len() <= data.len() && !d.id.is_empty());
            Ok(())
        },
    );
    assert!(docs <= lines, "{docs} documents from {lines} lines");
    assert!(w.messages.len() <= ReadWarnings::KEEP);
}
