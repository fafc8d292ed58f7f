//! Word tokenizer: Unicode-aware, lower-casing, with apostrophes, hyphens
//! and numbers handled the same way at training and scoring time.

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
/// not allocate per token.
pub fn tokenize(text: &str, buf: &mut String, mut emit: impl FnMut(&str)) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let c = chars[i].1;
        if !c.is_alphanumeric() {
            i += 1;
            continue;
        }
        buf.clear();
        let mut has_digit = false;
        let mut j = i;
        while j < n {
            let c = chars[j].1;
            if c.is_alphanumeric() {
                has_digit |= c.is_numeric();
                for lc in c.to_lowercase() {
                    buf.push(lc);
                }
                j += 1;
            } else if j + 1 < n && chars[j + 1].1.is_alphanumeric() && j > i {
                // A joiner between two alphanumerics stays inside the word.
                match c {
                    '\'' | '’' | 'ʼ' => {
                        buf.push('\'');
                        j += 1;
                    }
                    '-' | '‐' | '‑' => j += 1,
                    '.' | ',' if has_digit && chars[j + 1].1.is_numeric() => j += 1,
                    _ => break,
                }
            } else {
                break;
            }
        }
        i = j;
        if has_digit {
            emit(NUMBER_TOKEN);
            continue;
        }
        if buf.ends_with("'s") {
            buf.truncate(buf.len() - 2);
        }
        if !buf.is_empty() {
            emit(buf);
        }
    }
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
