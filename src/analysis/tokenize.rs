//! Word tokenizer: Unicode-aware, lower-casing, with apostrophes, hyphens
//! and numbers handled the same way at training and scoring time.

use std::ops::Range;

/// The token that every number (`1945`, `3.5`, `12,000`, `21st`) becomes.
pub const NUMBER_TOKEN: &str = "<num>";

/// Splits `text` into lower-cased word tokens and calls `emit` for each.
///
/// Rules:
/// - A word is a run of alphanumeric characters. Internal apostrophes
///   (`'` or `’`) and hyphens (`-`, `‐`, `‑`) between two alphanumerics
///   are kept inside the word; hyphens are then removed, so `cease-fire`
///   and `ceasefire` are one token, and `de-escalation` stays distinct
///   from `escalation`.
/// - A trailing possessive `'s` is dropped (`Russia's` → `russia`); other
///   apostrophes are normalised to `'` (`don’t` → `don't`).
/// - Any word that contains a digit becomes [`NUMBER_TOKEN`], and so do
///   decimals and thousands separators inside numbers (`3.5`, `12,000`).
///
/// `buf` is scratch space reused across calls so that the hot loop does
/// not allocate per token. [`tokenize_spans`] gives each token's place in
/// `text` too.
pub fn tokenize(text: &str, buf: &mut String, mut emit: impl FnMut(&str)) {
    tokenize_spans(text, buf, |tok, _| emit(tok))
}

/// [`tokenize`], calling `emit` with each token and the byte range of the
/// word it came from in `text` (the whole word as written: `Russia's`,
/// `cease-fire`, `12,000`).
///
/// ```
/// use stance::analysis::tokenize_spans;
///
/// let text = "Russia's cease-fire";
/// let mut tokens = Vec::new();
/// tokenize_spans(text, &mut String::new(), |tok, span| tokens.push((tok.to_string(), &text[span])));
/// assert_eq!(tokens, [("russia".to_string(), "Russia's"), ("ceasefire".to_string(), "cease-fire")]);
/// ```
pub fn tokenize_spans(text: &str, buf: &mut String, mut emit: impl FnMut(&str, Range<usize>)) {
    // Walks the UTF-8 bytes directly: ASCII characters (nearly all of
    // English text) are decoded and lower-cased without the Unicode
    // tables, and nothing is allocated.
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        if b < 0x80 {
            if !b.is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            // Fast path: a run of ASCII alphanumerics whose end is certain
            // (not a joiner that joins, not a non-ASCII character) is the
            // whole word, emitted without copying when it is lower case.
            let (mut j, mut has_digit, mut has_upper) = (i, false, false);
            while j < n && bytes[j].is_ascii_alphanumeric() {
                has_digit |= bytes[j].is_ascii_digit();
                has_upper |= bytes[j].is_ascii_uppercase();
                j += 1;
            }
            let next = bytes.get(j + 1).copied();
            let ends = match bytes.get(j) {
                None => true,
                Some(&t) if t >= 0x80 => false,
                Some(b'\'' | b'-') => !next.is_some_and(|c| c >= 0x80 || c.is_ascii_alphanumeric()),
                Some(b'.' | b',') => {
                    !(has_digit && next.is_some_and(|c| c >= 0x80 || c.is_ascii_digit()))
                }
                Some(_) => true,
            };
            if ends {
                if has_digit {
                    emit(NUMBER_TOKEN, i..j);
                } else if has_upper {
                    buf.clear();
                    buf.push_str(&text[i..j]);
                    buf.make_ascii_lowercase();
                    emit(buf, i..j);
                } else {
                    emit(&text[i..j], i..j);
                }
                i = j;
                continue;
            }
        } else if !char_at(text, i).0.is_alphanumeric() {
            i += char_at(text, i).1;
            continue;
        }
        // General path: joiners and non-ASCII characters.
        buf.clear();
        let mut has_digit = false;
        let mut j = i;
        while j < n {
            let (c, len) = char_at(text, j);
            if c.is_alphanumeric() {
                has_digit |= c.is_numeric();
                if c.is_ascii() {
                    buf.push(c.to_ascii_lowercase());
                } else {
                    buf.extend(c.to_lowercase());
                }
                j += len;
                continue;
            }
            // A joiner between two alphanumerics stays inside the word (`j > i`
            // holds here: the word starts with an alphanumeric).
            let next = if j + len < n {
                char_at(text, j + len).0
            } else {
                break;
            };
            if !next.is_alphanumeric() {
                break;
            }
            match c {
                '\'' | '’' | 'ʼ' => {
                    buf.push('\'');
                    j += len;
                }
                '-' | '‐' | '‑' => j += len,
                '.' | ',' if has_digit && next.is_numeric() => j += len,
                _ => break,
            }
        }
        let start = std::mem::replace(&mut i, j);
        if has_digit {
            emit(NUMBER_TOKEN, start..j);
            continue;
        }
        if buf.ends_with("'s") {
            buf.truncate(buf.len() - 2);
        }
        if !buf.is_empty() {
            emit(buf, start..j);
        }
    }
}

/// The character starting at byte `i` of `s` (a char boundary) and its
/// length in bytes.
#[inline(always)]
fn char_at(s: &str, i: usize) -> (char, usize) {
    let b = s.as_bytes()[i];
    if b < 0x80 {
        return (b as char, 1);
    }
    let c = s[i..]
        .chars()
        .next()
        .expect("i is a char boundary inside s");
    (c, c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokenize(s, &mut String::new(), |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn lowercases_and_splits_on_punctuation() {
        assert_eq!(
            toks("NATO warned: \"Escalation!\""),
            ["nato", "warned", "escalation"]
        );
    }

    #[test]
    fn apostrophes_and_possessives() {
        assert_eq!(toks("Russia’s army"), ["russia", "army"]);
        assert_eq!(toks("We don't seek it"), ["we", "don't", "seek", "it"]);
        assert_eq!(toks("the states' rights"), ["the", "states", "rights"]);
    }

    #[test]
    fn hyphens_join_words() {
        assert_eq!(
            toks("a cease-fire and de-escalation"),
            ["a", "ceasefire", "and", "deescalation"]
        );
        assert_eq!(toks("a - b"), ["a", "b"]);
    }

    #[test]
    fn numbers_are_normalised() {
        assert_eq!(
            toks("In 1945, 12,000 troops; 3.5 per cent; the 21st century"),
            [
                "in", "<num>", "<num>", "troops", "<num>", "per", "cent", "the", "<num>", "century"
            ]
        );
    }

    #[test]
    fn unicode_words() {
        assert_eq!(toks("Zürich and Kyiv’s"), ["zürich", "and", "kyiv"]);
    }
}
