//! Terminal output helpers: buffered stdout, progress on stderr.

use std::io::{BufWriter, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A buffered, locked stdout.
pub fn stdout_writer() -> BufWriter<std::io::StdoutLock<'static>> {
    BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Device and inode of the file stdout goes to, when it is a regular file
/// (`> FILE`): inputs must not be read from it.
pub fn stdout_file_id() -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
    let m = std::fs::File::from(fd).metadata().ok()?;
    m.is_file().then(|| (m.dev(), m.ino()))
}

/// `s` made safe to print to a terminal: control characters (C0 except
/// tab, DEL, C1) and the bidirectional overrides and isolates (U+202A-202E,
/// U+2066-2069) are written as `\u{..}` escapes, so text from the input
/// (sentences, file names, a model's words) cannot move the cursor, change
/// colours, retitle the window or reorder what is shown. Every table
/// printed to stdout goes through it.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(unsafe_char) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// A message for stderr made safe like [`terminal_safe`], its line breaks
/// kept: errors and warnings name files and quote fields of the input (a
/// file name or a date field can hold an escape sequence).
pub fn stderr_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\n') {
        return terminal_safe(s);
    }
    s.split('\n')
        .map(terminal_safe)
        .collect::<Vec<_>>()
        .join("\n")
        .into()
}

/// Lists a labeled file's rejected rows on stderr, `FILE:LINE: reason`,
/// the first [`REJECTIONS_SHOWN`] of them and a count of the rest.
pub fn print_rejections(data: &stance::data::LabeledData) {
    let n = data.rejected.len();
    for r in data.rejected.iter().take(REJECTIONS_SHOWN) {
        eprintln!(
            "{}",
            stderr_safe(&format!("{}:{}: {}", data.path.display(), r.line, r.reason))
        );
    }
    if n > REJECTIONS_SHOWN {
        eprintln!("... and {} more rejected rows", n - REJECTIONS_SHOWN);
    }
}

/// Rejected rows listed one by one.
pub const REJECTIONS_SHOWN: usize = 20;

/// A progress spinner on stderr: shown only when stderr is a terminal and
/// `--quiet` is off, so stdout is never garbled and logs stay clean.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {human_pos} sentences scored ({per_sec}) {elapsed}",
            )
            .expect("valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Progress(Some(bar))
    }

    pub fn inc(&self, n: usize) {
        if let Some(b) = &self.0 {
            b.inc(n as u64);
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Writes `bytes` to `path` (atomically for a regular file, in place for a
/// device or FIFO: see [`stance::atomic`]), or to stdout when `path` is
/// `None`.
pub fn write_output(path: Option<&std::path::Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        None => {
            let mut out = stdout_writer();
            out.write_all(bytes)?;
            out.flush()?;
        }
        Some(p) => stance::atomic::write_bytes_atomic(p, bytes).map_err(anyhow::Error::msg)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_safe_escapes_controls_and_bidi_only() {
        assert_eq!(terminal_safe("plain\ttext, café"), "plain\ttext, café");
        assert_eq!(
            terminal_safe("a\u{1b}[2Jb\u{7f}\u{9b}c\u{202e}d\u{2066}\n"),
            "a\\u{1b}[2Jb\\u{7f}\\u{9b}c\\u{202e}d\\u{2066}\\u{a}"
        );
    }
}
