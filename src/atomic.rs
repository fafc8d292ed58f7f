//! Writing files so that readers see the old file or the new one, never a
//! half-written one: the content goes to a temporary file beside the target,
//! is flushed to disk, then renamed over it. On failure the temporary file
//! is removed and the target is untouched.

use std::fs::File;
use std::io::Write;
use std::path::Path;

/// The directory `path` will be written in.
fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Checks that `path` can be created: its directory exists. Call it before
/// long work whose result goes to `path`.
pub fn check_parent_dir(path: &Path) -> Result<(), String> {
    let dir = parent_dir(path);
    if dir.is_dir() {
        Ok(())
    } else {
        Err(format!(
            "{}: the directory {} does not exist",
            path.display(),
            dir.display()
        ))
    }
}

/// Writes `path` atomically; `write` fills the (temporary) file. Errors name
/// the file they concern.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), String> {
    check_parent_dir(path)?;
    let dir = parent_dir(path);
    let name = path
        .file_name()
        .ok_or_else(|| format!("{}: not a file path", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = File::create(&tmp)
        .and_then(|mut f| {
            write(&mut f)
                .and_then(|_| f.flush())
                .and_then(|_| f.sync_all())
        })
        .map_err(|e| format!("{}: {e}", tmp.display()))
        .and_then(|_| std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display())));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` to `path` atomically.
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_atomic(path, |f| f.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_or_leaves_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_bytes_atomic(&p, b"one").unwrap();
        write_bytes_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let err = write_atomic(&p, |_| Err(std::io::Error::other("disk full"))).unwrap_err();
        assert!(err.contains("disk full"), "{err}");
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let missing = dir.path().join("no/such/x");
        let err = write_bytes_atomic(&missing, b"").unwrap_err();
        let expected = format!(
            "{}: the directory {} does not exist",
            missing.display(),
            dir.path().join("no/such").display()
        );
        assert_eq!(err, expected);
    }
}
