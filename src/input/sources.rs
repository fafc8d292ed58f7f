//! Where documents come from: files and directories named on the command
//! line (walked, filtered by `--glob` / `--exclude`), stdin, and what a
//! file's name says about how it is read.

use std::path::{Path, PathBuf};

use super::{InputError, InputFormat, ReadWarnings};
use crate::data::DataError;

/// A place documents are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Source {
    /// Name used in messages and as document id.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "-".into(),
            Source::File(p) => p.display().to_string(),
        }
    }
}

/// Which files of a walked directory are read: `--glob` and `--exclude`
/// patterns ([`globset`] syntax: `*`, `?`, `[ab]`, `{a,b}`, `**`), matched
/// against the path relative to the directory named on the command line
/// (`*` also matches `/`, so `*.html` matches `2024/a.html`; `drafts/**`
/// is everything under `drafts`). A file is read when it is of a type
/// stance reads (see [`expand_inputs`]), matches at least one glob (if any
/// are given) and no exclude pattern. Files named on the command line are
/// read whatever the patterns.
#[derive(Debug, Clone, Default)]
pub struct ScanFilter {
    globs: Option<globset::GlobSet>,
    excludes: Option<globset::GlobSet>,
}

impl ScanFilter {
    /// A filter from `--glob` and `--exclude` patterns; an invalid pattern
    /// is an error that names it.
    pub fn new(globs: &[String], excludes: &[String]) -> Result<ScanFilter, InputError> {
        let set = |flag: &str, patterns: &[String]| -> Result<_, InputError> {
            if patterns.is_empty() {
                return Ok(None);
            }
            let mut b = globset::GlobSetBuilder::new();
            for p in patterns {
                let g = globset::Glob::new(p).map_err(|e| {
                    InputError::Invalid(format!("{flag} {p:?}: invalid pattern: {}", e.kind()))
                })?;
                b.add(g);
            }
            b.build()
                .map(Some)
                .map_err(|e| InputError::Invalid(format!("{flag}: {e}")))
        };
        Ok(ScanFilter {
            globs: set("--glob", globs)?,
            excludes: set("--exclude", excludes)?,
        })
    }

    /// Why a file at `rel` (relative to the scanned directory) is not read,
    /// or `None` when it is.
    fn skip_reason(&self, rel: &Path) -> Option<&'static str> {
        if file_type(rel).format.is_none() {
            return Some("of a type stance does not read");
        }
        if self.globs.as_ref().is_some_and(|g| !g.is_match(rel)) {
            return Some("not matched by --glob");
        }
        if self.excludes.as_ref().is_some_and(|g| g.is_match(rel)) {
            return Some("matched by --exclude");
        }
        None
    }
}

/// Files of one walked directory left out, by reason: how many, and the
/// first few paths.
#[derive(Default)]
struct Skipped(std::collections::BTreeMap<&'static str, (usize, Vec<String>)>);

impl Skipped {
    /// Paths named per reason.
    const NAMED: usize = 3;

    fn add(&mut self, reason: &'static str, rel: &Path) {
        let (n, named) = self.0.entry(reason).or_default();
        *n += 1;
        if named.len() < Self::NAMED {
            named.push(rel.display().to_string());
        }
    }

    /// "3 files skipped: 2 not matched by --glob (a.txt, b.md), 1 ...".
    fn message(&self) -> Option<String> {
        let total: usize = self.0.values().map(|(n, _)| n).sum();
        if total == 0 {
            return None;
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(why, (n, named))| {
                let more = if *n > named.len() { ", ..." } else { "" };
                format!("{n} {why} ({}{more})", named.join(", "))
            })
            .collect();
        let files = if total == 1 { "file" } else { "files" };
        Some(format!("{total} {files} skipped: {}", parts.join("; ")))
    }
}

/// Expands paths into sources: directories are walked recursively (sorted)
/// for `.txt`, `.md`, `.markdown`, `.html`, `.htm`, `.csv`, `.tsv`, `.jsonl`
/// and `.ndjson` files (any
/// case, optionally `.gz`); `-` is stdin. In a walked directory, symbolic
/// links to directories are not followed, and entries that are not regular
/// files (FIFOs, sockets, devices, broken links) are skipped with a warning:
/// reading a FIFO would wait forever. A path named on the command line is
/// read whatever it is (`<(command)` is a pipe).
pub fn expand_inputs(
    paths: &[PathBuf],
    warnings: &mut ReadWarnings,
) -> Result<Vec<Source>, DataError> {
    expand_inputs_with(paths, &ScanFilter::default(), warnings)
}

/// [`expand_inputs`], reading only the files of walked directories that
/// `filter` lets through. The files of each directory left out are counted
/// by reason in one warning (the first few named).
pub fn expand_inputs_with(
    paths: &[PathBuf],
    filter: &ScanFilter,
    warnings: &mut ReadWarnings,
) -> Result<Vec<Source>, DataError> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Source::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let before = out.len();
                let mut skipped = Skipped::default();
                walk(p, p, filter, &mut out, &mut skipped, warnings)?;
                let message = skipped.message();
                if out.len() == before {
                    return Err(DataError::Empty {
                        path: p.clone(),
                        problem: match message {
                            Some(m) => format!("directory holds no file to read: {m}"),
                            None => {
                                "directory holds no .txt, .md, .html, .csv or .jsonl files".into()
                            }
                        },
                    });
                }
                if let Some(m) = message {
                    warnings.push(format!("{}: {m}", p.display()));
                }
            }
            Ok(_) => out.push(Source::File(p.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let problem = if std::fs::symlink_metadata(p).is_ok() {
                    "a symbolic link to a file that does not exist"
                } else {
                    "no such file or directory"
                };
                return Err(DataError::Io {
                    path: p.clone(),
                    error: std::io::Error::new(std::io::ErrorKind::NotFound, problem),
                });
            }
            // A symbolic link loop, a directory that may not be searched:
            // said as such.
            Err(error) => {
                return Err(DataError::Io {
                    path: p.clone(),
                    error,
                });
            }
        }
    }
    Ok(out)
}

/// What a file's name says about how it is read (the one place file
/// extensions are looked at; any case: `NEWS.CSV.GZ` is a gzip-compressed
/// CSV collection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileType {
    /// The format its extension names; `None` for a file stance does not
    /// read from a walked directory (read as text when named).
    pub format: Option<InputFormat>,
    /// A `.tsv` collection: fields separated by tabs.
    pub tsv: bool,
    /// Ends in `.gz`: decompressed as it is read.
    pub gzip: bool,
}

/// Extensions read, after any `.gz`.
const EXTENSIONS: [(&str, InputFormat); 9] = [
    (".txt", InputFormat::Text),
    (".md", InputFormat::Markdown),
    (".markdown", InputFormat::Markdown),
    (".html", InputFormat::Html),
    (".htm", InputFormat::Html),
    (".csv", InputFormat::Csv),
    (".tsv", InputFormat::Csv),
    (".jsonl", InputFormat::Jsonl),
    (".ndjson", InputFormat::Jsonl),
];

/// See [`FileType`].
pub fn file_type(p: &Path) -> FileType {
    let name = p.to_string_lossy().to_lowercase();
    let (name, gzip) = match name.strip_suffix(".gz") {
        Some(stem) => (stem, true),
        None => (name.as_str(), false),
    };
    FileType {
        format: EXTENSIONS
            .iter()
            .find(|(e, _)| name.ends_with(e))
            .map(|&(_, f)| f),
        tsv: name.ends_with(".tsv"),
        gzip,
    }
}

/// What a file that is not a regular file is, for messages.
fn file_kind(m: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    filter: &ScanFilter,
    out: &mut Vec<Source>,
    skipped: &mut Skipped,
    warnings: &mut ReadWarnings,
) -> Result<(), DataError> {
    let io = |error| DataError::Io {
        path: dir.to_path_buf(),
        error,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for p in entries {
        // Symbolic links to directories are not followed (no loops): only
        // a real directory is entered.
        let Ok(own) = std::fs::symlink_metadata(&p) else {
            // Removed since the directory was listed.
            continue;
        };
        if own.is_dir() {
            walk(root, &p, filter, out, skipped, warnings)?;
            continue;
        }
        let rel = p.strip_prefix(root).unwrap_or(&p);
        if own.file_type().is_symlink() && std::fs::metadata(&p).is_ok_and(|m| m.is_dir()) {
            skipped.add("symbolic links to directories, not followed", rel);
            continue;
        }
        if let Some(why) = filter.skip_reason(rel) {
            skipped.add(why, rel);
            continue;
        }
        match std::fs::metadata(&p) {
            Ok(m) if m.is_file() => out.push(Source::File(p)),
            Ok(m) if m.is_dir() => {}
            Ok(m) => warnings.push(format!(
                "{}: skipped: {} (only regular files are read from a directory)",
                p.display(),
                file_kind(&m)
            )),
            Err(e) => {
                let why = if e.kind() == std::io::ErrorKind::NotFound {
                    "a symbolic link to a file that does not exist".to_string()
                } else {
                    e.to_string()
                };
                warnings.push(format!("{}: skipped: {why}", p.display()));
            }
        }
    }
    Ok(())
}
