//! The model file format.
//!
//! ```text
//! STANCE-MODEL <format version>
//! sha256 <hex digest of the body>
//! length <body length in bytes>
//!
//! <body: the model as JSON>
//! ```
//!
//! The header makes a truncated, corrupted or newer-version file fail with
//! a message that says which, instead of a JSON parse error.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

const MAGIC: &str = "STANCE-MODEL";

/// Why a model file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
    /// The file does not start with the model header.
    #[error("not a stance model file (it does not start with \"STANCE-MODEL\")")]
    NotAModel,
    /// Written by a newer version of stance.
    #[error(
        "model format version {found} is newer than this build of stance supports ({FORMAT_VERSION}): upgrade stance"
    )]
    NewerVersion {
        /// The version in the file.
        found: u32,
    },
    /// Ends inside the header.
    #[error("truncated model file: it ends inside the header")]
    TruncatedHeader,
    /// Shorter than its header says.
    #[error("truncated model file: header says {expected} bytes of body, found {found}")]
    Truncated {
        /// Bytes the header announces.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// Content does not match its checksum, or cannot be parsed.
    #[error("corrupted model file: {0}")]
    Corrupt(String),
    /// Parts of the model disagree with each other.
    #[error("inconsistent model: {0}")]
    Inconsistent(String),
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The parsed header of a model file.
struct Header<'a> {
    digest: &'a str,
    /// Body length announced.
    length: usize,
    /// Bytes of the header itself.
    size: usize,
}

/// Parses the header at the start of `bytes` (the body need not follow).
fn header(bytes: &[u8]) -> Result<Header<'_>, ModelError> {
    if !bytes.starts_with(MAGIC.as_bytes()) {
        return Err(ModelError::NotAModel);
    }
    let mut rest = bytes;
    let mut header = Vec::new();
    for _ in 0..4 {
        let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
            return Err(ModelError::TruncatedHeader);
        };
        header.push(std::str::from_utf8(&rest[..nl]).map_err(|_| ModelError::NotAModel)?);
        rest = &rest[nl + 1..];
    }
    let version = header[0]
        .strip_prefix(MAGIC)
        .map(str::trim)
        .ok_or(ModelError::NotAModel)?;
    let version: u32 = version
        .parse()
        .map_err(|_| ModelError::Corrupt(format!("bad format version {version:?}")))?;
    if version > FORMAT_VERSION {
        return Err(ModelError::NewerVersion { found: version });
    }
    let digest = header[1]
        .strip_prefix("sha256 ")
        .ok_or_else(|| ModelError::Corrupt("missing sha256 line".into()))?;
    let length: usize = header[2]
        .strip_prefix("length ")
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| ModelError::Corrupt("missing or bad length line".into()))?;
    Ok(Header {
        digest,
        length,
        size: bytes.len() - rest.len(),
    })
}

/// Checks the header of a model file and returns its body.
pub fn open(bytes: &[u8]) -> Result<&[u8], ModelError> {
    let h = header(bytes)?;
    let rest = &bytes[h.size..];
    if rest.len() < h.length {
        return Err(ModelError::Truncated {
            expected: h.length,
            found: rest.len(),
        });
    }
    if rest.len() > h.length {
        return Err(ModelError::Corrupt(format!(
            "{} bytes after the end of the body",
            rest.len() - h.length
        )));
    }
    if sha256_hex(rest) != h.digest {
        return Err(ModelError::Corrupt(
            "checksum mismatch (the file was modified or damaged)".into(),
        ));
    }
    Ok(rest)
}

/// The largest model body read (the shipped model's is about 2 MB).
pub const MAX_BODY: usize = 1 << 30;

/// The longest header read (it is about 110 bytes).
const MAX_HEADER: u64 = 1024;

/// Reads the bytes of a model file for [`open`], checking the header before
/// the body: a file that is not a model is refused after its first bytes,
/// whatever its size or kind (`/dev/zero` included), a body larger than
/// [`MAX_BODY`] is refused before it is read, and a regular file whose size
/// disagrees with its header is refused unread. No more than the header
/// announces is ever read.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ModelError> {
    use std::io::{BufRead, Read};
    let io = |e: std::io::Error| ModelError::Io(e.to_string());
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(ModelError::Io("is a directory, not a model file".into()));
    }
    let mut reader = std::io::BufReader::new(file);
    let mut bytes = Vec::new();
    {
        let mut head = (&mut reader).take(MAX_HEADER);
        for _ in 0..4 {
            let n = head.read_until(b'\n', &mut bytes).map_err(io)?;
            let prefix = bytes.len().min(MAGIC.len());
            if bytes[..prefix] != MAGIC.as_bytes()[..prefix] {
                return Err(ModelError::NotAModel);
            }
            if n == 0 || !bytes.ends_with(b"\n") {
                break;
            }
        }
    }
    let h = match header(&bytes) {
        Err(ModelError::TruncatedHeader) if bytes.len() as u64 >= MAX_HEADER => {
            return Err(ModelError::Corrupt(format!(
                "the header is longer than {MAX_HEADER} bytes"
            )));
        }
        other => other?,
    };
    let (length, size) = (h.length, h.size);
    if length > MAX_BODY {
        return Err(ModelError::Corrupt(format!(
            "the header announces a body of {length} bytes, more than the {MAX_BODY} a model may have"
        )));
    }
    if meta.is_file() {
        let found = (meta.len() as usize).saturating_sub(size);
        if found < length {
            return Err(ModelError::Truncated {
                expected: length,
                found,
            });
        }
        if found > length {
            return Err(ModelError::Corrupt(format!(
                "{} bytes after the end of the body",
                found - length
            )));
        }
    }
    bytes.reserve_exact(length + 1);
    // One byte more than announced, so that extra bytes are seen.
    reader
        .take(length as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    Ok(bytes)
}

/// Writes a model file atomically (see [`crate::atomic`]).
pub fn write_atomic(path: &Path, body: &[u8]) -> Result<(), ModelError> {
    crate::atomic::write_atomic(path, |f| {
        write!(
            f,
            "{MAGIC} {FORMAT_VERSION}\nsha256 {}\nlength {}\n\n",
            sha256_hex(body),
            body.len()
        )?;
        f.write_all(body)
    })
    .map_err(ModelError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(body: &[u8]) -> Vec<u8> {
        let mut v = format!(
            "{MAGIC} {FORMAT_VERSION}\nsha256 {}\nlength {}\n\n",
            sha256_hex(body),
            body.len()
        )
        .into_bytes();
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn round_trip() {
        let f = file(b"{\"a\":1}");
        assert_eq!(open(&f).unwrap(), b"{\"a\":1}");
    }

    #[test]
    fn detects_damage() {
        let f = file(b"{\"a\":1}");
        assert!(matches!(
            open(&f[..f.len() - 2]),
            Err(ModelError::Truncated { .. })
        ));
        let mut g = f.clone();
        let last = g.len() - 2;
        g[last] = b'2';
        assert!(matches!(open(&g), Err(ModelError::Corrupt(_))));
        assert!(matches!(open(b"hello\nworld"), Err(ModelError::NotAModel)));
        let newer = String::from_utf8(f)
            .unwrap()
            .replace("STANCE-MODEL 1", "STANCE-MODEL 9");
        assert!(matches!(
            open(newer.as_bytes()),
            Err(ModelError::NewerVersion { found: 9 })
        ));
    }
}
