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

/// Shortens `s` to at most `max` characters, ending with `…` if cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

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
