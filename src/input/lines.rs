//! One-sentence-per-line input (`--sentences`), streamed in parts.

use std::io::{BufRead, Read};

use super::{Document, InputError, LINES_PER_PART, MAX_DOCUMENT_BYTES, PART_BYTES, Part};

/// One sentence per line, streamed in parts of [`LINES_PER_PART`] lines.
pub(super) fn read_lines<E: From<InputError>>(
    name: &str,
    mut reader: impl BufRead,
    mut f: impl FnMut(Document) -> Result<(), E>,
) -> Result<(), E> {
    let mut line = Vec::new();
    let mut text = String::new();
    let (mut lineno, mut sentences) = (0usize, 0usize);
    let mut part = Part::default();
    let mut in_part = 0usize;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_DOCUMENT_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| invalid!("{name}: {e}"))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        if n > MAX_DOCUMENT_BYTES {
            return Err(invalid!(
                "{name}:{lineno}: line longer than {} MiB; this is not one sentence per line",
                MAX_DOCUMENT_BYTES >> 20
            ));
        }
        let l = std::str::from_utf8(&line)
            .map_err(|_| invalid!("{name}:{lineno}: invalid UTF-8; save the file as UTF-8"))?;
        // A lone CR ends a line too (old Mac files), as in the other
        // readers: each piece is a line of its own, ended with LF here.
        let body = l.strip_suffix('\n').unwrap_or(l);
        let body = body.strip_suffix('\r').unwrap_or(body);
        if body.contains('\r') {
            let pieces: Vec<&str> = body.split('\r').collect();
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    lineno += 1;
                }
                text.push_str(piece);
                text.push('\n');
                if !piece.trim().is_empty() {
                    sentences += 1;
                }
            }
            in_part += pieces.len();
        } else {
            text.push_str(l);
            in_part += 1;
            if !l.trim().is_empty() {
                sentences += 1;
            }
        }
        if in_part >= LINES_PER_PART || text.len() >= PART_BYTES {
            let next = Part {
                index: part.index + 1,
                line_offset: lineno,
                sentence_offset: sentences,
            };
            f(Document {
                id: name.to_string(),
                text: std::mem::take(&mut text),
                part: Some(part),
                ..Document::default()
            })?;
            part = next;
            in_part = 0;
        }
    }
    if sentences == 0 {
        return Err(invalid!("{name}: empty input: nothing to score"));
    }
    if in_part > 0 || part.index == 0 {
        f(Document {
            id: name.to_string(),
            text,
            part: Some(part),
            ..Document::default()
        })?;
    }
    Ok(())
}
