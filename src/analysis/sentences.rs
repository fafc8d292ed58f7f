//! Sentence splitting for news articles and speeches. Which lines are
//! web-page furniture is decided in [`super::boilerplate`].
//!
//! ```
//! use stance::analysis::{split_document, SegmentKind};
//!
//! let doc = "Talks Resume\n\nGen. Smith met U.N. envoys at 11:05 p.m. on Friday. \
//!            \"We will respond,\" he said. Prices rose 3.5 per cent.\n\nLeave a Comment";
//! let segs = split_document(doc);
//! let texts: Vec<&str> = segs.iter().map(|s| s.text.as_str()).collect();
//! assert_eq!(texts, [
//!     "Talks Resume",
//!     "Gen. Smith met U.N. envoys at 11:05 p.m. on Friday.",
//!     "\"We will respond,\" he said.",
//!     "Prices rose 3.5 per cent.",
//!     "Leave a Comment",
//! ]);
//! assert_eq!(segs[4].kind, SegmentKind::Boilerplate);
//! ```

use serde::Serialize;

use super::boilerplate::{is_boilerplate_line, is_navigation_line};

/// What a segment of a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SegmentKind {
    /// A sentence or a headline: scored.
    Sentence,
    /// Web-page furniture ("Previous Article", "Leave a Comment", share and
    /// subscribe lines, links to other articles): left out of scoring and
    /// counted.
    Boilerplate,
}

/// One sentence (or boilerplate line) of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// The text, with its internal whitespace collapsed to single spaces.
    pub text: String,
    /// Sentence or boilerplate.
    pub kind: SegmentKind,
    /// 1-based line of the document where the segment's block starts: the
    /// paragraph, or the run of wrapped lines joined into one, that the
    /// sentence was split from (not always the line of the sentence
    /// itself: the second sentence of a one-line paragraph has the
    /// paragraph's line).
    pub block_line: usize,
    /// `Some(i)`: the segment is piece `i` (from 0) of a run of text longer
    /// than [`MAX_SENTENCE_CHARS`] characters without a sentence end, cut
    /// into pieces; `None` for a sentence as found.
    pub cut: Option<usize>,
}

/// Titles and abbreviations that are always followed by more of the same
/// sentence.
const ALWAYS_ABBREV: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Gen", "Lt", "Col", "Gov", "Sen", "Rep", "Prof", "Adm", "Capt", "Sgt",
    "Maj", "Brig", "Cmdr", "Rev", "Hon", "St", "Mt", "Ft", "Pres", "Amb", "Sec", "Gens", "Cpl",
    "Pvt", "vs", "v", "cf", "Messrs", "Mme", "Sens", "Reps", "Supt", "Insp",
];

/// Abbreviations that never end a sentence when a number follows
/// ("Jan. 5", "No. 3", "Art. 51").
const NUMBER_ABBREV: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "No",
    "Nos", "Art", "Arts", "Fig", "Vol", "para", "p", "pp", "Ch", "Sec",
];

/// Words that commonly start a sentence: after an ambiguous abbreviation
/// ("U.S.", "p.m.", "etc.", "Inc.") a split is made only before one of these.
const STARTERS: &[&str] = &[
    "The",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "But",
    "And",
    "In",
    "This",
    "That",
    "These",
    "Those",
    "A",
    "An",
    "On",
    "At",
    "Its",
    "His",
    "Her",
    "Their",
    "There",
    "As",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "Since",
    "So",
    "Yet",
    "Still",
    "However",
    "Meanwhile",
    "For",
    "Our",
    "What",
    "Why",
    "How",
    "Who",
    "Some",
    "Many",
    "Both",
    "Each",
    "Such",
    "Also",
    "Earlier",
    "Later",
    "Today",
    "Yesterday",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Officials",
    "Analysts",
    "Asked",
    "According",
    "Under",
    "With",
    "Without",
    "Moscow",
    "Washington",
    "Beijing",
    "Kyiv",
];

/// Ambiguous abbreviations: split after them only before a [`STARTERS`] word.
const AMBIGUOUS_ABBREV: &[&str] = &[
    "etc", "Inc", "Ltd", "Corp", "Co", "Jr", "Sr", "Bros", "approx", "est", "al",
];

pub(super) fn ends_sentence(line: &str) -> bool {
    let t = line
        .trim_end()
        .trim_end_matches(['"', '\'', '”', '’', ')', ']', '»']);
    t.ends_with(['.', '!', '?', '…', ':'])
}

/// A wrapped line continues on the next one when it does not end a
/// sentence and the next line starts in lower case or the line ends with a
/// joining character.
fn continues(prev: &str, next: &str) -> bool {
    if ends_sentence(prev) {
        return false;
    }
    let first = next.trim_start().chars().next();
    first.is_some_and(|c| c.is_lowercase())
        || prev.trim_end().ends_with([',', ';', '-', '–', '—', '('])
}

/// Splits a whole document into sentences and boilerplate lines.
///
/// Paragraphs are separated by blank lines. Inside a paragraph, a line
/// break is a wrap (joined) when the line does not end a sentence and the
/// next line starts in lower case; otherwise each line is its own block, so
/// headlines and list items without a full stop stay separate.
pub fn split_document(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut block = String::new();
    let mut block_line = 0;
    let mut after_navigation = false;

    let flush = |block: &mut String, line: usize, out: &mut Vec<Segment>, nav: &mut bool| {
        if block.is_empty() {
            return;
        }
        let is_single_line_title = !ends_sentence(block) && block.chars().count() <= 200;
        if is_boilerplate_line(block) || (*nav && is_single_line_title) {
            *nav = is_navigation_line(block);
            out.push(Segment {
                text: collapse(block),
                kind: SegmentKind::Boilerplate,
                block_line: line,
                cut: None,
            });
        } else {
            *nav = false;
            split_into(block, &mut |text, cut| {
                out.push(Segment {
                    text,
                    kind: SegmentKind::Sentence,
                    block_line: line,
                    cut,
                })
            });
        }
        block.clear();
    };

    let mut prev_line: Option<&str> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            flush(&mut block, block_line, &mut out, &mut after_navigation);
            prev_line = None;
            continue;
        }
        let join = prev_line.is_some_and(|p| continues(p, line));
        if !join {
            flush(&mut block, block_line, &mut out, &mut after_navigation);
            block_line = i + 1;
        } else if !block.ends_with(['-', '–', '—']) {
            block.push(' ');
        }
        block.push_str(line);
        prev_line = Some(line);
    }
    flush(&mut block, block_line, &mut out, &mut after_navigation);
    out
}

/// `s` trimmed, with every run of whitespace replaced by one space.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.trim().chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

fn is_opening(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '‘' | '(' | '[' | '«')
}

/// Longest sentence, in characters. Longer runs of text without a sentence
/// end (a table flattened into one line, a scraped page without
/// punctuation, a hostile input) are not sentences: they are cut into
/// pieces of at most this many characters, each at the last clause
/// boundary (`,` `;` `:` or a dash followed by a space) in its second half,
/// else at the last space, else after exactly this many characters; every
/// piece is scored, and the cut is reported (see [`Segment::cut`]).
pub const MAX_SENTENCE_CHARS: usize = 1000;

/// Splits one paragraph into sentences (none longer than
/// [`MAX_SENTENCE_CHARS`]: longer ones are cut into pieces).
pub fn split_sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    split_into(paragraph, &mut |s, _| out.push(s));
    out
}

/// Cuts `sentence` (trimmed) into pieces of at most [`MAX_SENTENCE_CHARS`]
/// characters, as [`split_sentences`] does: one piece, itself, when it is
/// not longer.
pub fn cut_long_sentence(sentence: &str) -> Vec<String> {
    let mut out = Vec::new();
    emit_capped(sentence, &mut |s, _| out.push(s));
    out
}

/// Hands `s`, trimmed, to `emit` with `None` if it is short enough, else
/// in pieces numbered `Some(0)`, `Some(1)`, ...
fn emit_capped(s: &str, emit: &mut dyn FnMut(String, Option<usize>)) {
    let mut s = s.trim();
    if s.len() <= MAX_SENTENCE_CHARS || s.chars().nth(MAX_SENTENCE_CHARS).is_none() {
        if !s.is_empty() {
            emit(s.to_string(), None);
        }
        return;
    }
    let mut piece = 0;
    while !s.is_empty() {
        let Some((limit, _)) = s.char_indices().nth(MAX_SENTENCE_CHARS) else {
            emit(s.to_string(), Some(piece));
            return;
        };
        let window = &s[..limit];
        let half = window
            .char_indices()
            .nth(MAX_SENTENCE_CHARS / 2)
            .map_or(0, |(b, _)| b);
        let mut clause = None;
        let mut space = None;
        let mut prev: Option<(usize, char)> = None;
        for (b, c) in window[half..].char_indices() {
            if c == ' ' {
                space = Some(half + b);
                if let Some((pb, pc)) = prev
                    && matches!(pc, ',' | ';' | ':' | '—' | '–' | '-')
                {
                    clause = Some(half + pb + pc.len_utf8());
                }
            }
            prev = Some((b, c));
        }
        let cut = clause.or(space).filter(|&c| c > 0).unwrap_or(limit);
        let head = s[..cut].trim();
        if !head.is_empty() {
            emit(head.to_string(), Some(piece));
            piece += 1;
        }
        s = s[cut..].trim_start();
    }
}

/// The sentences of one paragraph, each with its piece number if it was
/// cut (see [`emit_capped`]). Works on byte offsets into the collapsed
/// text: memory is the paragraph's copy and the sentences, whatever its
/// length.
fn split_into(paragraph: &str, emit: &mut dyn FnMut(String, Option<usize>)) {
    let text = collapse(paragraph);
    let n = text.len();
    let at = |b: usize| text[b..].chars().next();
    let is_term = |c: char| matches!(c, '.' | '!' | '?' | '…');
    let mut start = 0usize;
    let mut i = 0;
    while i < n {
        let c = at(i).expect("i is a char boundary before the end");
        if !is_term(c) {
            i += c.len_utf8();
            continue;
        }
        // The run of terminators ("?!", "...") and closing quotes/brackets.
        let term_start = i;
        let mut j = i;
        let mut terms = 0;
        while let Some(t) = at(j).filter(|&t| is_term(t)) {
            j += t.len_utf8();
            terms += 1;
        }
        let single_period = terms == 1 && c == '.';
        while let Some(t) = at(j).filter(|&t| is_closing(t)) {
            j += t.len_utf8();
        }
        if j >= n {
            break;
        }
        if at(j) != Some(' ') {
            i = j;
            continue;
        }
        // Next word.
        let next_start = j + 1;
        let Some(next_c) = at(next_start) else {
            break;
        };
        let mut k = next_start;
        while let Some(t) = at(k).filter(|&t| is_opening(t)) {
            k += t.len_utf8();
        }
        let next_word_first = at(k);
        let starts_upper = next_word_first.is_some_and(|c| c.is_uppercase() || c.is_numeric())
            || (is_opening(next_c) && next_word_first.is_some_and(|c| !c.is_lowercase()));
        if !starts_upper {
            i = j;
            continue;
        }
        let split = if single_period {
            let next_word_end = text[k..].find(' ').map_or(n, |p| k + p);
            let next_word = &text[k..next_word_end];
            let next_is_number = next_word_first.is_some_and(|c| c.is_numeric());
            let byte_dot = term_start;
            let word_start = text[..byte_dot].rfind(' ').map(|p| p + 1).unwrap_or(0);
            let word = text[word_start..byte_dot].trim_start_matches(is_opening);
            let at_start = text[start..word_start].trim().is_empty();
            period_ends_sentence(word, next_word, next_is_number, at_start)
        } else {
            true
        };
        if split {
            emit_capped(&text[start..j], emit);
            start = next_start;
        }
        i = j;
    }
    emit_capped(&text[start..], emit);
}

/// Decides whether a period after `word` ends the sentence, given the next
/// word (already known to start with an upper-case letter or a digit).
fn period_ends_sentence(
    word: &str,
    next_word: &str,
    next_is_number: bool,
    at_sentence_start: bool,
) -> bool {
    if word.is_empty() {
        return true;
    }
    if ALWAYS_ABBREV.contains(&word) {
        return false;
    }
    // A list marker at the start of a sentence: "1. Talks resume Monday".
    if at_sentence_start && (word.chars().all(|c| c.is_ascii_digit()) || word.len() == 1) {
        return false;
    }
    if next_is_number && NUMBER_ABBREV.contains(&word) {
        return false;
    }
    let mut letters = word.chars();
    let first = letters.next();
    // An initial: "J. Smith", "George W. Bush".
    if letters.next().is_none() && first.is_some_and(|c| c.is_uppercase()) {
        return false;
    }
    let is_starter = STARTERS.contains(&next_word.trim_end_matches([',', ':', ';']));
    // Dotted initialisms ("U.S.", "U.N.", "p.m.", "e.g.") and ambiguous
    // abbreviations end a sentence only before a typical sentence start.
    if word.contains('.') || AMBIGUOUS_ABBREV.contains(&word) {
        return is_starter;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(s: &str) -> Vec<String> {
        split_sentences(s)
    }

    #[test]
    fn titles_and_initials() {
        assert_eq!(
            sents("Gen. Mark Milley and Mr. Blinken spoke. George W. Bush did not."),
            [
                "Gen. Mark Milley and Mr. Blinken spoke.",
                "George W. Bush did not."
            ]
        );
    }

    #[test]
    fn dotted_initialisms() {
        assert_eq!(
            sents(
                "The U.S. Navy sailed past. The U.N. Security Council met in the U.S. The vote failed."
            ),
            [
                "The U.S. Navy sailed past.",
                "The U.N. Security Council met in the U.S.",
                "The vote failed."
            ]
        );
    }

    #[test]
    fn times_dates_and_decimals() {
        assert_eq!(
            sents(
                "The missile was launched at 11:05 p.m. Tuesday, on Jan. 5, and flew 3.5 km. It fell into the sea."
            ),
            [
                "The missile was launched at 11:05 p.m. Tuesday, on Jan. 5, and flew 3.5 km.",
                "It fell into the sea."
            ]
        );
    }

    #[test]
    fn quotes_after_full_stop() {
        assert_eq!(
            sents("He said: “We will not back down.” The ministry declined to comment."),
            [
                "He said: “We will not back down.”",
                "The ministry declined to comment."
            ]
        );
        assert_eq!(
            sents("\"Any attack will be met with force!\" the envoy said. Talks resumed."),
            [
                "\"Any attack will be met with force!\" the envoy said.",
                "Talks resumed."
            ]
        );
    }

    #[test]
    fn ellipses_and_questions() {
        assert_eq!(
            sents("Is this a red line? Nobody knows... The talks continue… and go on."),
            [
                "Is this a red line?",
                "Nobody knows...",
                "The talks continue… and go on."
            ]
        );
    }

    #[test]
    fn lowercase_after_period_does_not_split() {
        assert_eq!(
            sents("Troops (approx. two brigades) moved in."),
            ["Troops (approx. two brigades) moved in."]
        );
    }

    #[test]
    fn numbered_articles_do_not_split() {
        assert_eq!(
            sents("Under Art. 51 of the Charter, No. 5 applies. It is clear."),
            [
                "Under Art. 51 of the Charter, No. 5 applies.",
                "It is clear."
            ]
        );
    }

    #[test]
    fn headline_and_paragraphs() {
        let doc = "NATO Warns Moscow\nAnalysts say the risk is rising. Others disagree.\n\nA second paragraph";
        let segs = split_document(doc);
        let texts: Vec<&str> = segs.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "NATO Warns Moscow",
                "Analysts say the risk is rising.",
                "Others disagree.",
                "A second paragraph"
            ]
        );
        assert_eq!(segs[0].block_line, 1);
        assert_eq!(segs[1].block_line, 2);
        assert_eq!(segs[3].block_line, 4);
    }

    #[test]
    fn hard_wrapped_lines_are_joined() {
        let doc = "I have the honour\nto inform the Assembly of the\nsuccessful elections. Millions\nvoted.";
        let texts: Vec<String> = split_document(doc).into_iter().map(|s| s.text).collect();
        assert_eq!(
            texts,
            [
                "I have the honour to inform the Assembly of the successful elections.",
                "Millions voted."
            ]
        );
    }

    #[test]
    fn boilerplate_and_navigation_links() {
        let doc = "The talks ended.\n\nPrevious Article\n\nAustralia Publishes Sanctions List\n\nNext Article\n\nAnother Story Title\n\nWrite a Comment\n\nLeave a Comment\nShare on Facebook";
        let segs = split_document(doc);
        let kinds: Vec<SegmentKind> = segs.iter().map(|s| s.kind).collect();
        assert_eq!(segs[0].kind, SegmentKind::Sentence);
        assert!(
            kinds[1..].iter().all(|k| *k == SegmentKind::Boilerplate),
            "{segs:?}"
        );
        assert_eq!(segs.len(), 8);
    }

    #[test]
    fn numbered_list_items_keep_their_number() {
        assert_eq!(
            sents("1. Talks resume Monday in Geneva. 2. The ceasefire holds."),
            [
                "1. Talks resume Monday in Geneva.",
                "2. The ceasefire holds."
            ]
        );
    }

    #[test]
    fn paragraphs_are_never_boilerplate() {
        let doc = "Posted in Estonia since 2017, the NATO battlegroup is ready to deter any incursion.\n\n\
                   Shares fell sharply.\n\n\
                   Copyright disputes between the two firms were settled in court last year, the ministry said, \
                   and officials added that all rights reserved under the old treaty remain in force.";
        let segs = split_document(doc);
        assert!(
            segs.iter().all(|s| s.kind == SegmentKind::Sentence),
            "{segs:?}"
        );
        assert_eq!(segs.len(), 3);
    }

    #[test]
    fn bylines_credits_and_cookie_banners() {
        for l in [
            "By Jane Doe and John Smith",
            "BY ANDREW ROTH in Moscow",
            "Photo: Reuters/Ints Kalnins",
            "Reporting by Andrius Sytas; Editing by Alex Richardson",
            "Updated 10:42 a.m. ET, March 5, 2024",
            "| 3 min read",
            "Accept all cookies",
            "Share: Facebook X Email",
            // Real lines of the 2016 wire corpus (../shared/news).
            "(Reporting by Sui-Lee Wee , Additional reporting by John Ruwitch in SHANGHAI; Editing by Keith Weir )",
            "(Additional reporting by Phoenix Tso in Los Angeles and Chris Michaud in New York; Editing by Meredith Mazzilli and Clarence Fernandez)",
            "(Reporting By Alexandria Sage; Editing by Keith Weir )",
            "(Photo: HECTOR RETAMAL, AFP/Getty Images)",
            "Breaking News (Photo: Tory Hargro, USA TODAY)",
            "(Reuters)",
            "—Copyright 2016 Associated Press",
            "Sign up here.",
        ] {
            assert!(is_boilerplate_line(l), "{l}");
        }
        for l in [
            "By midnight, the troops had crossed the border.",
            "Share prices fell after the missile test.",
            "Updated estimates suggest 500 troops crossed the border.",
            "(Reuters) – U.S. health officials are investigating 14 reports of the Zika virus that may been transmitted through sex.",
            "Copyright for civil rights anthem 'We Shall Overcome' challenged",
        ] {
            assert!(!is_boilerplate_line(l), "{l}");
        }
    }

    #[test]
    fn boilerplate_lines() {
        for l in [
            "Leave a Comment",
            "Share this article",
            "© 2024 Example News. All rights reserved.",
            "Tags: NATO, Russia",
            "Subscribe to our newsletter",
        ] {
            assert!(is_boilerplate_line(l), "{l}");
        }
        for l in [
            "Share prices fell sharply after the missile test.",
            "Comments by the minister drew criticism.",
        ] {
            assert!(!is_boilerplate_line(l), "{l}");
        }
    }
}
