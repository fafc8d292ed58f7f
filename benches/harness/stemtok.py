"""Tokenizer shared by the scikit-learn peer (and, without stemming, fastText).

Lower-case, words = runs of letters/digits with internal apostrophes or
hyphens (close to stance's tokenizer), Snowball English stemming through
PyStemmer's C implementation (batch call, with its internal cache).
It lives in its own module so that the pickled vectorizer can be loaded by
any process that has this directory on sys.path.
"""
import re

import Stemmer

WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_STEMMER = Stemmer.Stemmer("english")


def words(text):
    return WORD.findall(text.lower())


def stem_tokens(text):
    return _STEMMER.stemWords(WORD.findall(text.lower()))
