//! Writing the files named by `-o`, so that nothing is lost or overwritten
//! by accident:
//!
//! - A regular file (or a path where nothing is yet) is written whole or
//!   not at all: the content goes to a temporary file beside the target,
//!   created exclusively under a random name (a planted file or symbolic
//!   link is never followed), is flushed to disk, gets the replaced file's
//!   permissions, then is renamed over the target. On failure the temporary
//!   file is removed and the target is untouched.
//! - A symbolic link to a regular file: the file it points to is replaced
//!   as above (as editors do) and the link stays a link.
//! - A device, FIFO or socket (`/dev/null`, `/dev/stdout`, a named pipe) is
//!   written in place: it is never replaced by a regular file.
//! - A directory, or a link whose target does not exist, is an error; so
//!   is an existing file the user may not write (read-only), even where
//!   its directory would let it be renamed over.
//!
//! [`check_output`] finds the problems that would stop the write before any
//! long work, and [`check_not_an_input`] refuses an output that is one of
//! the command's inputs. Messages name the user's path, never the
//! temporary file.

use std::fs::{File, Metadata, Permissions};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The directory `path` will be written in.
fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Checks that `path` can be created: its directory exists. Call it before
/// long work whose result goes to `path` ([`check_output`] checks more).
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

/// How a path is written.
enum Plan {
    /// A temporary file beside `target`, renamed over it; `mode` is the
    /// replaced file's.
    Replace {
        target: PathBuf,
        mode: Option<Permissions>,
    },
    /// A device, FIFO or socket: opened for writing.
    InPlace,
}

fn plan(path: &Path) -> Result<Plan, String> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(format!("{shown}: is a directory, not a file")),
        Ok(m) if m.is_file() => {
            let is_link = std::fs::symlink_metadata(path).is_ok_and(|l| l.is_symlink());
            let target = if is_link {
                std::fs::canonicalize(path).map_err(|e| format!("{shown}: {e}"))?
            } else {
                path.to_path_buf()
            };
            // A file its owner made read-only is not replaced behind their
            // back (renaming over it only needs the directory writable):
            // opening it for writing, without truncating, asks the system.
            if let Err(e) = std::fs::OpenOptions::new().write(true).open(&target)
                && e.kind() == std::io::ErrorKind::PermissionDenied
            {
                return Err(format!(
                    "{shown}: the file is not writable ({e}); it is left as it is"
                ));
            }
            Ok(Plan::Replace {
                target,
                mode: Some(m.permissions()),
            })
        }
        Ok(_) => Ok(Plan::InPlace),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Ok(target) = std::fs::read_link(path) {
                return Err(format!(
                    "{shown}: a symbolic link to {}, which does not exist",
                    target.display()
                ));
            }
            check_parent_dir(path)?;
            Ok(Plan::Replace {
                target: path.to_path_buf(),
                mode: None,
            })
        }
        Err(e) => Err(format!("{shown}: {e}")),
    }
}

/// A temporary file beside `target`: `.NAME.RANDOM.tmp`, created
/// exclusively. A new file gets the usual mode (0666 less the umask), a
/// replacing one the mode of the file it replaces.
fn temp_beside(
    path: &Path,
    target: &Path,
    mode: Option<&Permissions>,
) -> Result<tempfile::NamedTempFile, String> {
    use std::os::unix::fs::PermissionsExt;
    let dir = parent_dir(target);
    let name: String = target
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(64).collect())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| {
            format!(
                "{}: cannot create a file in {}: {}",
                path.display(),
                dir.display(),
                without_temp_path(&e)
            )
        })?;
    if let Some(mode) = mode {
        tmp.as_file()
            .set_permissions(mode.clone())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(tmp)
}

/// An error of `tempfile`'s without the temporary file's path, which it
/// appends (`... at path "/dir/.x.AbC123.tmp"`): messages name the user's
/// path only.
fn without_temp_path(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.split_once(" at path ") {
        Some((reason, _)) => reason.to_string(),
        None => s,
    }
}

/// Checks that `path` can be written: not a directory, its directory
/// exists and accepts new files (a temporary file is created and removed
/// there). Call it before long work whose result goes to `path`.
pub fn check_output(path: &Path) -> Result<(), String> {
    match plan(path)? {
        Plan::InPlace => Ok(()),
        Plan::Replace { target, .. } => temp_beside(path, &target, None).map(drop),
    }
}

/// Device and inode: what makes two paths one file.
fn file_id(m: &Metadata) -> (u64, u64) {
    (m.dev(), m.ino())
}

/// True if `a` and `b` are the same existing file (whatever the paths,
/// links included).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => file_id(&a) == file_id(&b),
        _ => false,
    }
}

/// Refuses `output` when it is one of `inputs`: writing it would destroy
/// the input. Call it before any work.
pub fn check_not_an_input<'a>(
    output: &Path,
    inputs: impl IntoIterator<Item = &'a Path>,
) -> Result<(), String> {
    let Ok(out) = std::fs::metadata(output) else {
        return Ok(());
    };
    let out = file_id(&out);
    for input in inputs {
        if std::fs::metadata(input).is_ok_and(|m| file_id(&m) == out) {
            let same = if input == output {
                String::new()
            } else {
                format!(" ({})", input.display())
            };
            return Err(format!(
                "{}: the output file is also an input{same}; writing it would destroy the input: choose another output file",
                output.display()
            ));
        }
    }
    Ok(())
}

/// Writes `path` (see the module documentation); `write` fills the file.
/// Errors name `path`.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), String> {
    let shown = path.display();
    match plan(path)? {
        Plan::InPlace => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| format!("{shown}: {e}"))?;
            write(&mut f)
                .and_then(|_| f.flush())
                .map_err(|e| format!("{shown}: {e}"))
        }
        Plan::Replace { target, mode } => {
            // Dropping `tmp` on any error below removes it.
            let mut tmp = temp_beside(path, &target, mode.as_ref())?;
            let f = tmp.as_file_mut();
            write(f)
                .and_then(|_| f.flush())
                .and_then(|_| f.sync_all())
                .map_err(|e| format!("{shown}: {e}"))?;
            tmp.persist(&target)
                .map_err(|e| format!("{shown}: {}", e.error))?;
            Ok(())
        }
    }
}

/// Writes `bytes` to `path` (see [`write_atomic`]).
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_atomic(path, |f| f.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_or_leaves_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_bytes_atomic(&p, b"one").unwrap();
        write_bytes_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let err = write_atomic(&p, |_| Err(std::io::Error::other("disk full"))).unwrap_err();
        assert_eq!(err, format!("{}: disk full", p.display()));
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

    /// The temporary name of earlier versions, `.NAME.PID.tmp`, could be
    /// planted as a link to another file, which was then overwritten.
    #[test]
    fn a_planted_link_at_the_old_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"precious").unwrap();
        let old_tmp = dir
            .path()
            .join(format!(".out.txt.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &old_tmp).unwrap();
        let p = dir.path().join("out.txt");
        write_bytes_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn keeps_the_mode_of_the_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        std::fs::write(&p, b"old").unwrap();
        std::fs::set_permissions(&p, Permissions::from_mode(0o640)).unwrap();
        write_bytes_atomic(&p, b"new").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o640);
        // A new file gets the mode any new file gets (the umask's), not
        // the owner-only mode of temporary files.
        let q = dir.path().join("new.txt");
        write_bytes_atomic(&q, b"x").unwrap();
        let reference = dir.path().join("reference.txt");
        std::fs::write(&reference, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode(&q), mode(&reference));
    }

    #[test]
    fn directories_and_dangling_links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_bytes_atomic(dir.path(), b"x").unwrap_err();
        assert!(err.ends_with("is a directory, not a file"), "{err}");
        assert!(check_output(dir.path()).is_err());
        let link = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
        let err = write_bytes_atomic(&link, b"x").unwrap_err();
        assert!(err.contains("which does not exist"), "{err}");
        assert!(check_output(&dir.path().join("fine.txt")).is_ok());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
