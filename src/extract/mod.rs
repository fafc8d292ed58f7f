//! Plain text out of marked-up documents: the article of a saved web page
//! ([`html`]) and the prose of a Markdown file ([`markdown`]), with
//! paragraph breaks kept and what was left out counted.
//!
//! Both give an [`Extracted`]: the text goes to the sentence splitter as if
//! it had been a `.txt` file, so a page and the plain text of its article
//! score the same sentences.

pub mod html;
pub mod markdown;

/// Text taken out of a marked-up document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    /// The document's own title (HTML: `og:title`, `<title>` less the site
    /// name, or `<h1>`; Markdown: `title` in the front matter).
    pub title: Option<String>,
    /// The text: paragraphs (and headings, list items) separated by blank
    /// lines.
    pub text: String,
    /// What was left out, one entry per line or block: navigation, banners,
    /// share bars, lists of other articles and comments of a page; code
    /// blocks, tables and HTML blocks of Markdown. Scripts, styles and
    /// comments in the markup are no text and are not listed.
    pub left_out: Vec<String>,
}

/// The rule by which a CSV or JSONL text field (and text on stdin) is read
/// as HTML: after leading whitespace it starts with `<`, and it contains
/// `<p` or `<html` (any case) within its first 64 KiB.
///
/// ```
/// use stance::extract::looks_like_html;
/// assert!(looks_like_html("  <div><p>Talks resumed.</p></div>"));
/// assert!(looks_like_html("<!DOCTYPE html><HTML><body>Hi</body></HTML>"));
/// assert!(!looks_like_html("<b>not a page</b> just a bold word"));
/// assert!(!looks_like_html("Prices rose <5% while <p> was quoted."));
/// ```
pub fn looks_like_html(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if !t.starts_with('<') {
        return false;
    }
    let mut end = t.len().min(64 << 10);
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    let head = t[..end].to_ascii_lowercase();
    head.contains("<p") || head.contains("<html")
}

/// `s` with every run of whitespace made one space, trimmed.
pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
