//! Text analysis: sentence splitting, tokenizing, stemming and n-grams.
//!
//! [`Analyzer`] is the one object that turns a sentence into tokens: the
//! tokenizer ([`tokenize()`]), then the Snowball stemmer, each token carrying
//! the byte range of its word in the text. The n-gram stage ([`NGrams`])
//! makes terms of them. The fitted vectorizer
//! ([`crate::features::FittedTfidf`]) owns the analyzer and runs these
//! stages, with the settings stored in the model file, at training and at
//! scoring time alike, so the two cannot drift.
//!
//! ```
//! use stance::analysis::{Analyzer, AnalyzerConfig};
//!
//! let analyzer = Analyzer::new(AnalyzerConfig::default());
//! let terms = analyzer.terms("Tensions are escalating in the Baltic.");
//! assert_eq!(terms, ["tension", "are", "tension are", "escal", "are escal", "in", "escal in",
//!                    "the", "in the", "baltic", "the baltic"]);
//! ```

pub mod boilerplate;
pub mod ngrams;
pub mod sentences;
pub mod tokenize;

use std::ops::Range;

use std::cell::RefCell;

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};

pub use ngrams::{MAX_NGRAM, NGrams};
pub use sentences::{Segment, SegmentKind, split_document};
pub use tokenize::{NUMBER_TOKEN, tokenize, tokenize_spans};

/// Analyzer settings. They are saved in the model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerConfig {
    /// Apply the Snowball English stemmer to every token.
    pub stem: bool,
    /// Largest n-gram length (1 = unigrams only, 2 = unigrams and bigrams;
    /// at most [`MAX_NGRAM`]).
    pub max_ngram: usize,
}

impl AnalyzerConfig {
    /// Checks the settings: `max_ngram` in `1..=`[`MAX_NGRAM`].
    pub fn check(&self) -> Result<(), String> {
        if (1..=MAX_NGRAM).contains(&self.max_ngram) {
            Ok(())
        } else {
            Err(format!(
                "n-gram length {} is not in 1..={MAX_NGRAM}",
                self.max_ngram
            ))
        }
    }
}

/// One token of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// The word as the tokenizer normalised it (lower case, hyphens
    /// removed, a possessive `'s` dropped, a number as [`NUMBER_TOKEN`]).
    pub text: &'a str,
    /// The stem the model sees (the same as `text` without stemming).
    pub stem: &'a str,
    /// Where the word is in the analysed text, in bytes (the word as
    /// written: `Russia's`, `cease-fire`).
    pub span: Range<usize>,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            stem: true,
            max_ngram: 2,
        }
    }
}

/// Bytes each thread's token→stem cache may hold (token and stem text plus
/// an estimated 64 bytes of table slot and allocations per entry) before it
/// is cleared. Tokens longer than
/// [`MAX_CACHED_TOKEN_BYTES`](MAX_CACHED_TOKEN_BYTES) are
/// stemmed without it.
const STEM_CACHE_BYTES: usize = 16 << 20;

/// Tokens longer than this many bytes are stemmed and looked up without
/// the per-thread caches (the analyzer's stems, the vectorizer's word ids):
/// they are rare, and each would cost its length in the cache.
pub(crate) const MAX_CACHED_TOKEN_BYTES: usize = 64;

/// A `HashMap` with rustc's fast, non-cryptographic hasher, for the
/// per-thread stem cache and the model's term index. Keys are the text's
/// own words, so hash flooding is not a concern worth SipHash's cost.
pub(crate) use rustc_hash::FxHashMap;

/// Per-thread scratch space of the analyzer, so that the hot path does not
/// allocate per token or per sentence.
#[derive(Default)]
struct Scratch {
    /// Tokenizer buffer.
    buf: String,
    /// The stemmed tokens of the current text, back to back.
    stems: String,
    /// Byte ranges of each stemmed token in `stems`.
    spans: Vec<(u32, u32)>,
    /// The n-gram being built.
    gram: String,
}

/// Token → stem, with the bytes the cache holds beside it.
type StemMap = FxHashMap<Box<str>, Box<str>>;

thread_local! {
    static STEM_CACHE: RefCell<(StemMap, usize)> = RefCell::new((FxHashMap::default(), 0));
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` on this thread's scratch space, or on a fresh one if it is
/// already in use (a callback that analyses text inside another analysis).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// Tokenizer, stemmer and n-gram filter behind one small type.
pub struct Analyzer {
    config: AnalyzerConfig,
    stemmer: Stemmer,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("config", &self.config)
            .finish()
    }
}

impl Clone for Analyzer {
    fn clone(&self) -> Self {
        Analyzer::new(self.config.clone())
    }
}

impl Analyzer {
    /// Builds an analyzer from its settings.
    ///
    /// # Panics
    ///
    /// If the settings fail [`AnalyzerConfig::check`] (training parameters
    /// and model files are checked before an analyzer is built).
    pub fn new(config: AnalyzerConfig) -> Analyzer {
        if let Err(e) = config.check() {
            panic!("invalid analyzer settings: {e}");
        }
        Analyzer {
            config,
            stemmer: Stemmer::create(Algorithm::English),
        }
    }

    /// The settings this analyzer was built with.
    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// The stemmed tokens of `text`, in order (no n-grams).
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_token(text, |t| out.push(t.stem.to_string()));
        out
    }

    /// The terms of `text` as strings, in the order the n-gram stage makes
    /// them: each token's stem, then the n-grams (up to `max_ngram` words,
    /// joined by a single space) that end with it.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_term(text, |t| out.push(t.to_string()));
        out
    }

    /// Calls `f` on every token of `text`, in order, without allocating
    /// (stems come from a per-thread cache).
    pub fn for_each_token(&self, text: &str, mut f: impl FnMut(Token<'_>)) {
        let mut run = |buf: &mut String| {
            tokenize_spans(text, buf, |tok, span| {
                self.with_stem(tok, |stem| {
                    f(Token {
                        text: tok,
                        stem,
                        span,
                    })
                })
            })
        };
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut s) => run(&mut s.buf),
            Err(_) => run(&mut String::new()),
        })
    }

    /// Calls `f` on every term of `text` without collecting them, in the
    /// order of [`Analyzer::terms`]. Nothing is allocated per token: the
    /// stems and the n-gram being written go into per-thread scratch space.
    pub fn for_each_term(&self, text: &str, mut f: impl FnMut(&str)) {
        with_scratch(|s| {
            let Scratch {
                buf,
                stems,
                spans,
                gram,
            } = s;
            stems.clear();
            spans.clear();
            tokenize(text, buf, |tok| {
                self.with_stem(tok, |st| {
                    let start = stems.len() as u32;
                    stems.push_str(st);
                    spans.push((start, stems.len() as u32));
                })
            });
            let word = |k: usize| &stems[spans[k].0 as usize..spans[k].1 as usize];
            let mut grams = NGrams::new(self.config.max_ngram);
            for k in 0..spans.len() {
                grams.push(k, |g| {
                    gram.clear();
                    for (m, &w) in g.iter().enumerate() {
                        if m > 0 {
                            gram.push(' ');
                        }
                        gram.push_str(word(w));
                    }
                    f(gram);
                });
            }
        })
    }

    /// Stems one lower-cased token (numbers and the number token pass
    /// through), through a per-thread cache: stemming is most of the cost
    /// of analysis and real text repeats its words.
    pub fn stem(&self, token: &str) -> String {
        self.with_stem(token, str::to_string)
    }

    /// Calls `f` on the stem of `token` without allocating when the stem is
    /// cached. If the cache is in use (`f` of an outer call analysing text),
    /// the token is stemmed without it.
    pub(crate) fn with_stem<R>(&self, token: &str, f: impl FnOnce(&str) -> R) -> R {
        if !self.config.stem || token == NUMBER_TOKEN {
            return f(token);
        }
        if token.len() > MAX_CACHED_TOKEN_BYTES {
            return f(&self.stemmer.stem(token));
        }
        STEM_CACHE.with(|cell| {
            let Ok(mut cache) = cell.try_borrow_mut() else {
                return f(&self.stemmer.stem(token));
            };
            let (cache, bytes) = &mut *cache;
            if let Some(s) = cache.get(token) {
                return f(s);
            }
            let stemmed: Box<str> = self.stemmer.stem(token).into();
            let cost = 64 + token.len() + stemmed.len();
            if *bytes + cost > STEM_CACHE_BYTES {
                cache.clear();
                *bytes = 0;
            }
            *bytes += cost;
            let r = f(&stemmed);
            cache.insert(token.into(), stemmed);
            r
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_bigrams() {
        let a = Analyzer::new(AnalyzerConfig::default());
        assert_eq!(
            a.terms("Deterrence deters"),
            ["deterr", "deter", "deterr deter"]
        );
    }

    #[test]
    fn tokens_carry_their_words_place() {
        let a = Analyzer::new(AnalyzerConfig::default());
        let text = "NATO’s forces, on high alert.";
        let mut seen = Vec::new();
        a.for_each_token(text, |t| {
            seen.push((t.text.to_string(), t.stem.to_string(), &text[t.span]))
        });
        let words: Vec<(&str, &str, &str)> = seen
            .iter()
            .map(|(t, s, w)| (t.as_str(), s.as_str(), *w))
            .collect();
        assert_eq!(
            words,
            [
                ("nato", "nato", "NATO’s"),
                ("forces", "forc", "forces"),
                ("on", "on", "on"),
                ("high", "high", "high"),
                ("alert", "alert", "alert"),
            ]
        );
    }

    #[test]
    fn unigram_only_without_stemming() {
        let a = Analyzer::new(AnalyzerConfig {
            stem: false,
            max_ngram: 1,
        });
        assert_eq!(a.terms("Talks resumed"), ["talks", "resumed"]);
    }

    #[test]
    fn cache_gives_same_stems() {
        let a = Analyzer::new(AnalyzerConfig::default());
        let first = a.tokens("negotiations negotiating negotiated");
        let again = a.tokens("negotiations negotiating negotiated");
        assert_eq!(first, again);
        assert_eq!(first, ["negoti", "negoti", "negoti"]);
    }
}
