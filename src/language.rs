//! The language of a document, detected with [`whatlang`] (trigram
//! profiles of 69 languages; see `docs/inputs.md` for why this crate).
//!
//! The model is trained on English only: a document detected as another
//! language is reported and, unless asked otherwise (`--any-language`),
//! not scored. Short documents, and those the detector is not confident
//! about, are not judged ([`detect`] gives `None`) and are treated as
//! English.

use serde::Serialize;

/// Fewest letters a document needs to be judged.
pub const MIN_LETTERS: usize = 20;

/// Bytes of a document's text that are looked at (its start, after the
/// title): enough to tell a language, and a bound on the time spent.
pub const SAMPLE_BYTES: usize = 4096;

/// A detected language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Language {
    /// ISO 639-3 code: `eng`, `fra`, `deu`, `rus`, `cmn`…
    pub code: &'static str,
    /// English name: `English`, `French`…
    pub name: &'static str,
}

impl Language {
    /// True for English.
    pub fn is_english(&self) -> bool {
        self.code == "eng"
    }
}

/// The language of a document from its title and the start of its text;
/// `None` when it has fewer than [`MIN_LETTERS`] letters or the detector is
/// not confident (treated as English).
///
/// ```
/// use stance::language::detect;
/// let fr = "Les ministres des affaires étrangères ont convenu de reprendre les \
///           négociations à Genève la semaine prochaine.";
/// assert_eq!(detect(None, fr).unwrap().code, "fra");
/// let en = "Foreign ministers agreed to resume talks in Geneva next week. \
///           Both sides called for restraint after the border clashes.";
/// assert!(detect(None, en).unwrap().is_english());
/// assert_eq!(detect(Some("Talks"), "Oui."), None);
/// ```
pub fn detect(title: Option<&str>, text: &str) -> Option<Language> {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = match title {
        Some(t) => format!("{t}\n{}", &text[..end]),
        None => text[..end].to_string(),
    };
    if sample.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
        return None;
    }
    let info = whatlang::detect(&sample)?;
    info.is_reliable().then(|| Language {
        code: info.lang().code(),
        name: info.lang().eng_name(),
    })
}
