//! The vocabulary indexed by word ids, and the per-thread token cache in
//! front of it: how a sentence's terms are found without writing them out
//! as strings.
//!
//! Every stem that occurs in a vocabulary term gets a word id; unigrams are
//! a table by word id, bigrams and trigrams are hashed by their word ids. A
//! token whose stem has no word id cannot be part of any vocabulary term.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::analysis::{FxHashMap, MAX_CACHED_TOKEN_BYTES, MAX_NGRAM};

/// No feature / no word.
pub(super) const NONE: u32 = u32::MAX;

/// The word-id index of a vocabulary.
#[derive(Clone, Default)]
pub(super) struct TermIndex {
    /// Identifies this index in the per-thread token caches.
    tag: u64,
    words: FxHashMap<Box<str>, u32>,
    unigram: Vec<u32>,
    bigram: FxHashMap<u64, u32>,
    trigram: FxHashMap<u128, u32>,
}

impl std::fmt::Debug for TermIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermIndex")
            .field("words", &self.words.len())
            .field("bigrams", &self.bigram.len())
            .field("trigrams", &self.trigram.len())
            .finish()
    }
}

fn pack2(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

fn pack3(a: u32, b: u32, c: u32) -> u128 {
    ((a as u128) << 64) | ((b as u128) << 32) | c as u128
}

impl TermIndex {
    /// Indexes `terms` (feature index = position). Every term must be 1 to
    /// `max_ngram` non-empty words joined by single spaces, and no term may
    /// appear twice.
    pub(super) fn build(terms: &[String], max_ngram: usize) -> Result<TermIndex, String> {
        static NEXT_TAG: AtomicU64 = AtomicU64::new(1);
        let mut index = TermIndex {
            tag: NEXT_TAG.fetch_add(1, Ordering::Relaxed),
            ..TermIndex::default()
        };
        let mut ids = Vec::with_capacity(MAX_NGRAM);
        for (i, term) in terms.iter().enumerate() {
            let parts = term.split(' ');
            let n = parts.clone().count();
            if n > max_ngram || parts.clone().any(str::is_empty) {
                return Err(format!(
                    "vocabulary term {term:?} is not 1 to {max_ngram} words joined by single spaces"
                ));
            }
            ids.clear();
            for w in parts {
                let next = index.words.len() as u32;
                let id = *index.words.entry(w.into()).or_insert(next);
                if id == next {
                    index.unigram.push(NONE);
                }
                ids.push(id);
            }
            let i = i as u32;
            let old = match ids[..] {
                [a] => std::mem::replace(&mut index.unigram[a as usize], i),
                [a, b] => index.bigram.insert(pack2(a, b), i).unwrap_or(NONE),
                [a, b, c] => index.trigram.insert(pack3(a, b, c), i).unwrap_or(NONE),
                _ => unreachable!("checked: 1 to {MAX_NGRAM} words"),
            };
            if old != NONE {
                return Err(format!("duplicate vocabulary term {term:?}"));
            }
        }
        Ok(index)
    }

    /// The word id of a stem, or [`NONE`].
    #[inline]
    pub(super) fn word(&self, stem: &str) -> u32 {
        self.words.get(stem).copied().unwrap_or(NONE)
    }

    /// The feature index of an n-gram of word ids (`None` if it is not in
    /// the vocabulary, or contains a word that is in no term).
    #[inline]
    pub(super) fn lookup_words(&self, gram: &[u32]) -> Option<u32> {
        let found = match *gram {
            [a] => *self.unigram.get(a as usize)?,
            [a, b] => *self.bigram.get(&pack2(a, b))?,
            [a, b, c] => *self.trigram.get(&pack3(a, b, c))?,
            _ => NONE,
        };
        (found != NONE).then_some(found)
    }

    /// [`TermIndex::lookup_words`] of an n-gram given as an iterator.
    #[inline]
    pub(super) fn lookup(&self, gram: impl ExactSizeIterator<Item = u32>) -> Option<u32> {
        let mut w = [NONE; MAX_NGRAM];
        let n = gram.len();
        for (slot, id) in w.iter_mut().zip(gram) {
            if id == NONE {
                return None;
            }
            *slot = id;
        }
        let found = match n {
            1 => self.unigram[w[0] as usize],
            2 => *self.bigram.get(&pack2(w[0], w[1]))?,
            3 => *self.trigram.get(&pack3(w[0], w[1], w[2]))?,
            _ => NONE,
        };
        (found != NONE).then_some(found)
    }

    /// The feature index of a term written as stems joined by spaces.
    pub(super) fn index_of(&self, term: &str) -> Option<u32> {
        let words: Vec<u32> = term.split(' ').map(|w| self.word(w)).collect();
        if words.len() > MAX_NGRAM {
            return None;
        }
        self.lookup(words.into_iter())
    }

    /// Runs `f` with this thread's token cache for this index (see
    /// [`TokenMaps::word`]) and a tokenizer buffer; `None` when the cache
    /// is in use on this thread (an outer call's callback scoring text).
    pub(super) fn with_token_cache<R>(
        &self,
        f: impl FnOnce(&mut TokenMaps<'_>, &mut String) -> R,
    ) -> Option<R> {
        TOKEN_CACHE.with(|cell| {
            let mut cache = cell.try_borrow_mut().ok()?;
            if cache.tag != self.tag {
                cache.clear();
                cache.tag = self.tag;
            }
            let TokenCache {
                short,
                long,
                bytes,
                buf,
                ..
            } = &mut *cache;
            let mut maps = TokenMaps { short, long, bytes };
            Some(f(&mut maps, buf))
        })
    }
}

/// Bytes each thread's token→word cache may hold (keys, values and table
/// overhead, estimated) before it is cleared: the cache is bounded by what
/// it stores, not by its number of entries, so text made of long distinct
/// words cannot grow it.
pub(super) const TOKEN_CACHE_BYTES: usize = 16 << 20;

/// Estimated bytes of one cache entry besides a long key's text: the
/// table's slot (key, value, control byte) and, for a long key, its
/// allocation.
const SHORT_ENTRY_BYTES: usize = 32;
const LONG_ENTRY_BYTES: usize = 48;

/// Per-thread cache from a lower-cased token to the word id of its stem
/// (or [`NONE`]) in the [`TermIndex`] whose tag it carries: one hash lookup
/// per token instead of stemming and looking the stem up. Tokens of up to
/// 16 bytes (nearly all) are keyed inline, zero-padded (a token never
/// contains a NUL), so a lookup reads no key from the heap (see
/// [`inline_key`]).
#[derive(Default)]
pub(super) struct TokenCache {
    tag: u64,
    short: FxHashMap<(u64, u64), u32>,
    pub(super) long: FxHashMap<Box<str>, u32>,
    /// Estimated bytes held by `short` and `long`.
    pub(super) bytes: usize,
    buf: String,
}

impl TokenCache {
    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
        self.bytes = 0;
    }

    /// Entries held (for tests).
    #[cfg(test)]
    pub(super) fn entries(&self) -> usize {
        self.short.len() + self.long.len()
    }
}

/// The maps and byte count of a [`TokenCache`], borrowed apart from its
/// buffer.
pub(super) struct TokenMaps<'a> {
    short: &'a mut FxHashMap<(u64, u64), u32>,
    long: &'a mut FxHashMap<Box<str>, u32>,
    bytes: &'a mut usize,
}

impl TokenMaps<'_> {
    /// Room for an entry of `cost` bytes: the maps are cleared when full.
    fn make_room(&mut self, cost: usize) {
        if *self.bytes + cost > TOKEN_CACHE_BYTES {
            self.short.clear();
            self.long.clear();
            *self.bytes = 0;
        }
        *self.bytes += cost;
    }

    /// The word id of `token`, computed by `word` on a miss.
    #[inline]
    pub(super) fn word(&mut self, token: &str, word: impl FnOnce(&str) -> u32) -> u32 {
        if let Some(key) = inline_key(token.as_bytes()) {
            if let Some(&w) = self.short.get(&key) {
                return w;
            }
            let w = word(token);
            self.make_room(SHORT_ENTRY_BYTES);
            self.short.insert(key, w);
            w
        } else if token.len() > MAX_CACHED_TOKEN_BYTES {
            word(token)
        } else if let Some(&w) = self.long.get(token) {
            w
        } else {
            let w = word(token);
            self.make_room(LONG_ENTRY_BYTES + token.len());
            self.long.insert(token.into(), w);
            w
        }
    }
}

/// The bytes of a token of at most 16 bytes as two little-endian words,
/// zero-padded; `None` for a longer token. Built from whole-word loads
/// (overlapping where the token is short) rather than a byte copy into a
/// padded buffer, which would stall on store forwarding.
#[inline(always)]
pub(super) fn inline_key(b: &[u8]) -> Option<(u64, u64)> {
    let n = b.len();
    let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes")) as u64;
    Some(match n {
        0 => (0, 0),
        1..=3 => (
            b[0] as u64 | (b[n / 2] as u64) << (8 * (n / 2)) | (b[n - 1] as u64) << (8 * (n - 1)),
            0,
        ),
        4..=7 => (u32_at(0) | u32_at(n - 4) << (8 * (n - 4)), 0),
        8 => (u64_at(0), 0),
        9..=16 => (u64_at(0), u64_at(n - 8) >> (8 * (16 - n))),
        _ => return None,
    })
}

thread_local! {
    pub(super) static TOKEN_CACHE: RefCell<TokenCache> = RefCell::new(TokenCache::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_key_is_the_zero_padded_bytes() {
        let text = "abcdefghijklmnopq";
        for n in 0..=17 {
            let b = &text.as_bytes()[..n];
            let expect = (n <= 16).then(|| {
                let mut k = [0u8; 16];
                k[..n].copy_from_slice(b);
                (
                    u64::from_le_bytes(k[..8].try_into().unwrap()),
                    u64::from_le_bytes(k[8..].try_into().unwrap()),
                )
            });
            assert_eq!(inline_key(b), expect, "length {n}");
        }
    }

    #[test]
    fn build_refuses_duplicates_and_malformed_terms() {
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(TermIndex::build(&t(&["a", "a b", "b"]), 2).is_ok());
        assert!(
            TermIndex::build(&t(&["a", "a"]), 2)
                .unwrap_err()
                .contains("duplicate")
        );
        assert!(TermIndex::build(&t(&["a b", "a b"]), 2).is_err());
        assert!(TermIndex::build(&t(&["a  b"]), 2).is_err());
        assert!(TermIndex::build(&t(&["a b c"]), 2).is_err());
        assert!(TermIndex::build(&t(&[""]), 2).is_err());
        let index = TermIndex::build(&t(&["a", "a b", "b c d"]), 3).unwrap();
        assert_eq!(index.index_of("a b"), Some(1));
        assert_eq!(index.index_of("b c d"), Some(2));
        assert_eq!(index.index_of("b"), None);
        assert_eq!(index.index_of("x"), None);
    }
}
