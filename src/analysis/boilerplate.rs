//! Web-page furniture: the lines a scraped article carries that are not
//! its text ("Previous Article", "Share: Facebook X Email", bylines,
//! timestamps, wire credits, copyright lines, the titles of other
//! articles after "Related"). They are left out of scoring and counted.

use super::sentences::ends_sentence;

/// Lines that are web-page furniture, compared after lower-casing and
/// trimming trailing punctuation.
const BOILERPLATE_EXACT: &[&str] = &[
    "previous article",
    "next article",
    "previous post",
    "next post",
    "previous story",
    "next story",
    "leave a comment",
    "write a comment",
    "leave a reply",
    "post a comment",
    "add a comment",
    "comments",
    "comment",
    "share",
    "share this",
    "share this article",
    "share this story",
    "tweet",
    "print",
    "email",
    "subscribe",
    "subscribe now",
    "advertisement",
    "sponsored",
    "related",
    "related articles",
    "related posts",
    "related stories",
    "read more",
    "read next",
    "you may also like",
    "you might also like",
    "more from this author",
    "continue reading",
    "click here",
    "sign up",
    "log in",
    "login",
    "cancel reply",
    "loading",
    "skip to content",
    "back to top",
    "most read",
    "trending",
    "reuters",
    "file photo",
    "sign up here",
];

/// Line prefixes that mark web-page furniture. They apply only to short
/// lines (see [`BOILERPLATE_MAX_CHARS`]), never to paragraphs of text.
const BOILERPLATE_PREFIX: &[&str] = &[
    "share on ",
    "share this ",
    "share via ",
    "subscribe to ",
    "sign up for ",
    "follow us ",
    "click here",
    "tags:",
    "tagged:",
    "filed under",
    "posted in:",
    "©",
    "read more:",
    "related:",
    "also read:",
    "see also:",
    "your email address will not be published",
    "photo:",
    "photo credit",
    "image:",
    "credit:",
    "reporting by ",
    "editing by ",
    "writing by ",
    "additional reporting by ",
    "accept all cookies",
    "we use cookies",
    "this website uses cookies",
    "by continuing to use",
];

/// Longest line (in characters) that can be boilerplate: furniture is
/// short; a paragraph that happens to start with "Posted in" or "Shares"
/// is text.
pub const BOILERPLATE_MAX_CHARS: usize = 120;

/// Lines after which the next short line is the title of another article.
const NAVIGATION: &[&str] = &[
    "previous article",
    "next article",
    "previous post",
    "next post",
    "previous story",
    "next story",
    "read next",
    "related",
    "related articles",
    "related posts",
    "related stories",
    "you may also like",
    "you might also like",
];

fn normalised_line(line: &str) -> String {
    line.trim()
        .trim_end_matches(|c: char| c.is_ascii_punctuation() || c == '…' || c == '»')
        .trim()
        .to_lowercase()
}

/// True if a whole line is web-page furniture.
pub fn is_boilerplate_line(line: &str) -> bool {
    if is_wire_credit(line) {
        return true;
    }
    // Paragraphs are never boilerplate: decide before copying them.
    if line.len() > 4 * BOILERPLATE_MAX_CHARS
        || line.trim().chars().count() > BOILERPLATE_MAX_CHARS + 8
    {
        return false;
    }
    let norm = normalised_line(line);
    if norm.is_empty() || norm.chars().count() > BOILERPLATE_MAX_CHARS {
        return false;
    }
    let words: Vec<&str> = norm.split_whitespace().collect();
    // "(Reporting by …)", "—Copyright 2016 Associated Press", "(Reuters)"
    let bare = norm.trim_start_matches(['(', '[', '—', '–', '-', '*', ' ']);
    BOILERPLATE_EXACT.contains(&bare)
        || BOILERPLATE_PREFIX.iter().any(|p| bare.starts_with(p))
        || norm.contains("(photo:")
        || is_copyright(bare)
        || norm.contains("all rights reserved")
        // "Share", "Share: Facebook X Email"
        || (words[0].trim_end_matches(':') == "share" && words.len() <= 5)
        // "| 3 min read", "5 minute read"
        || (words.len() <= 6 && (norm.contains("min read") || norm.contains("minute read")))
        || is_byline(line.trim())
        || is_timestamp(&norm, line)
}

/// Wire-service credit lines, which run longer than other furniture:
/// "(Reporting by Sui-Lee Wee, Additional reporting by John Ruwitch in
/// SHANGHAI; Editing by Keith Weir)". A whole line in parentheses that
/// starts with a credit and has no sentence inside.
fn is_wire_credit(line: &str) -> bool {
    let t = line.trim();
    if t.len() > 600 || !t.starts_with('(') || !t.ends_with(')') {
        return false;
    }
    let inner = t[1..t.len() - 1].trim_start().to_lowercase();
    WIRE_CREDIT.iter().any(|p| inner.starts_with(p)) && !inner.contains(". ")
}

/// "Copyright 2016 Associated Press", "copyright © Reuters", "Copyright the
/// Associated Press"; not a headline such as "Copyright for civil rights
/// anthem challenged".
fn is_copyright(bare: &str) -> bool {
    let Some(rest) = bare.strip_prefix("copyright ") else {
        return false;
    };
    let next = rest.split_whitespace().next().unwrap_or_default();
    next.starts_with(|c: char| c.is_ascii_digit())
        || matches!(next, "©" | "(c)" | "the" | "by" | "reuters" | "thomson")
}

/// How wire credit lines start (after the opening parenthesis).
const WIRE_CREDIT: &[&str] = &[
    "reporting by",
    "additional reporting by",
    "writing by",
    "editing by",
    "compiled by",
    "reporting and writing by",
    "photo:",
    "photos:",
];

/// "Updated 10:42 a.m. ET, March 5, 2024", "Published 5 March 2024".
fn is_timestamp(norm: &str, line: &str) -> bool {
    ["updated ", "published ", "last updated", "posted "]
        .iter()
        .any(|p| norm.starts_with(p))
        && norm.chars().any(|c| c.is_ascii_digit())
        && !line.trim_end().ends_with(['.', '!', '?'])
}

/// "By Jane Doe", "By Jane Doe and John Smith, Reuters": a short line that
/// starts with "By" followed by capitalised names and has no verb-like
/// lower-case words.
fn is_byline(line: &str) -> bool {
    let Some(rest) = line
        .strip_prefix("By ")
        .or_else(|| line.strip_prefix("BY "))
    else {
        return false;
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 10
        && !ends_sentence(line)
        && words.iter().all(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            w.is_empty()
                || matches!(
                    w,
                    "and" | "in" | "for" | "of" | "the" | "de" | "van" | "von"
                )
                || w.chars().next().is_some_and(|c| c.is_uppercase())
        })
}

pub(super) fn is_navigation_line(line: &str) -> bool {
    NAVIGATION.contains(&normalised_line(line).as_str())
}
