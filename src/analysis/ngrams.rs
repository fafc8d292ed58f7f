//! The n-gram stage: the one definition of which runs of tokens are terms.
//!
//! A term of n words is n consecutive tokens of one sentence, for
//! 1 ≤ n ≤ `max_ngram` (at most [`MAX_NGRAM`]). [`NGrams`] is fed the tokens
//! of a sentence one at a time and hands on every n-gram that ends at the
//! token just fed, shortest first. The vocabulary is fitted through it
//! ([`crate::features`]), sentences are turned into feature ids through it
//! at training and scoring time, and [`crate::analysis::Analyzer::terms`]
//! writes its n-grams as strings through it: the rule is written once.
//!
//! ```
//! use stance::analysis::NGrams;
//!
//! let mut grams = NGrams::new(2);
//! let mut out = Vec::new();
//! for word in ["no", "first", "use"] {
//!     grams.push(word, |g| out.push(g.join(" ")));
//! }
//! assert_eq!(out, ["no", "first", "no first", "use", "first use"]);
//! ```

/// Longest n-gram an analyzer can make.
pub const MAX_NGRAM: usize = 3;

/// The last tokens of a sentence, to make the n-grams ending at each new
/// one. `T` is whatever stands for a token: its text, its word id, its
/// position.
#[derive(Debug, Clone)]
pub struct NGrams<T> {
    max: usize,
    /// The last tokens fed, oldest first; only the last `filled` are of
    /// this sentence. `None` until the first token.
    window: Option<[T; MAX_NGRAM]>,
    filled: usize,
}

impl<T: Copy> NGrams<T> {
    /// A stage making n-grams of 1 to `max_ngram` tokens.
    ///
    /// # Panics
    ///
    /// If `max_ngram` is 0 or more than [`MAX_NGRAM`] (analyzer settings are
    /// checked before an analyzer is built: see
    /// [`crate::train::TrainParams::check`] and model loading).
    pub fn new(max_ngram: usize) -> NGrams<T> {
        assert!(
            (1..=MAX_NGRAM).contains(&max_ngram),
            "n-gram length {max_ngram} is not in 1..={MAX_NGRAM}"
        );
        NGrams {
            max: max_ngram,
            window: None,
            filled: 0,
        }
    }

    /// Feeds the next token of the sentence and calls `emit` on each n-gram
    /// that ends with it, as a slice of tokens in sentence order: the
    /// unigram, then the bigram, then the trigram (as far as `max_ngram`
    /// and the tokens fed so far allow).
    #[inline]
    pub fn push(&mut self, token: T, mut emit: impl FnMut(&[T])) {
        // (On the hot path of scoring: plain copies, no rotate or memmove.)
        let w = match &mut self.window {
            Some(w) => {
                for k in 0..MAX_NGRAM - 1 {
                    w[k] = w[k + 1];
                }
                w[MAX_NGRAM - 1] = token;
                w
            }
            None => self.window.insert([token; MAX_NGRAM]),
        };
        self.filled = (self.filled + 1).min(self.max);
        for n in 1..=self.filled {
            emit(&w[MAX_NGRAM - n..]);
        }
    }

    /// Forgets the tokens fed: the next token starts a new sentence (or a
    /// new run, after a token that can be in no n-gram).
    pub fn reset(&mut self) {
        self.filled = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(max: usize, words: &[&str]) -> Vec<String> {
        let mut g = NGrams::new(max);
        let mut out = Vec::new();
        for w in words {
            g.push(*w, |s| out.push(s.join(" ")));
        }
        out
    }

    #[test]
    fn every_run_of_up_to_max_tokens_once() {
        assert_eq!(grams(1, &["a", "b", "c"]), ["a", "b", "c"]);
        assert_eq!(
            grams(3, &["a", "b", "c", "d"]),
            ["a", "b", "a b", "c", "b c", "a b c", "d", "c d", "b c d"]
        );
        assert!(grams(2, &[]).is_empty());
    }

    #[test]
    fn reset_starts_a_new_sentence() {
        let mut g = NGrams::new(2);
        let mut out = Vec::new();
        g.push("a", |s| out.push(s.join(" ")));
        g.reset();
        g.push("b", |s| out.push(s.join(" ")));
        assert_eq!(out, ["a", "b"]);
    }
}
