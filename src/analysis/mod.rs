//! Text analysis: sentence splitting, tokenizing, stemming and n-grams.
//!
//! [`Analyzer`] is the single object that turns a sentence into the terms the
//! model sees. The same analyzer, with the settings stored in the model file,
//! is used at training and at scoring time, so the two cannot drift.
//!
//! ```
//! use stance::analysis::{Analyzer, AnalyzerConfig};
//!
//! let analyzer = Analyzer::new(AnalyzerConfig::default());
//! let terms = analyzer.terms("Tensions are escalating in the Baltic.");
//! assert_eq!(terms, ["tension", "are", "escal", "in", "the", "baltic",
//!                    "tension are", "are escal", "escal in", "in the", "the baltic"]);
//! ```

pub mod sentences;
pub mod tokenize;

use std::cell::RefCell;
use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};

pub use sentences::{Segment, SegmentKind, split_document};
pub use tokenize::{NUMBER_TOKEN, tokenize};

/// Analyzer settings. They are saved in the model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerConfig {
    /// Apply the Snowball English stemmer to every token.
    pub stem: bool,
    /// Largest n-gram length (1 = unigrams only, 2 = unigrams and bigrams).
    pub max_ngram: usize,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            stem: true,
            max_ngram: 2,
        }
    }
}

/// Entries kept in each thread's token→stem cache before it is cleared.
const STEM_CACHE_CAP: usize = 200_000;

thread_local! {
    static STEM_CACHE: RefCell<HashMap<String, Box<str>>> = RefCell::new(HashMap::new());
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
    pub fn new(config: AnalyzerConfig) -> Analyzer {
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
        let mut buf = String::new();
        tokenize(text, &mut buf, |tok| out.push(self.stem(tok)));
        out
    }

    /// The terms of `text`: stemmed unigrams followed by the n-grams up to
    /// `max_ngram`, joined by a single space.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_term(text, |t| out.push(t.to_string()));
        out
    }

    /// Calls `f` on every term of `text` without collecting them; this is
    /// the scoring hot path.
    pub fn for_each_term(&self, text: &str, mut f: impl FnMut(&str)) {
        let tokens = self.tokens(text);
        for t in &tokens {
            f(t);
        }
        let mut gram = String::new();
        for n in 2..=self.config.max_ngram {
            for w in tokens.windows(n) {
                gram.clear();
                for (k, t) in w.iter().enumerate() {
                    if k > 0 {
                        gram.push(' ');
                    }
                    gram.push_str(t);
                }
                f(&gram);
            }
        }
    }

    /// Stems one lower-cased token (numbers and the number token pass
    /// through), through a per-thread cache: stemming is most of the cost
    /// of analysis and real text repeats its words.
    pub fn stem(&self, token: &str) -> String {
        if !self.config.stem || token == NUMBER_TOKEN {
            return token.to_string();
        }
        STEM_CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(s) = cache.get(token) {
                return s.to_string();
            }
            let stemmed = self.stemmer.stem(token).into_owned();
            if cache.len() >= STEM_CACHE_CAP {
                cache.clear();
            }
            cache.insert(token.to_string(), stemmed.clone().into_boxed_str());
            stemmed
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
