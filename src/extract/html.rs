//! The article of a saved web page: [`dom_smoothie`] (a port of Mozilla's
//! Readability, the algorithm behind Firefox's reader view) finds the main
//! content; everything else with text on the page (navigation, cookie
//! banners, share bars, "Related articles", comments, footers, photo
//! captions) is left out and listed, so it can be counted like other
//! boilerplate. See `docs/inputs.md` for why this crate.

use std::collections::HashSet;

use dom_query::Document;
use dom_smoothie::{Config, Readability, TextMode};

use super::{Extracted, collapse};

/// Elements that hold no readable text: removed before anything else.
const NOT_TEXT: &str = "script, style, noscript, template, svg, iframe, object, embed, canvas";

/// Deepest element nesting given to Readability (see [`extract`]).
pub const MAX_DEPTH: usize = 512;

/// Whether some node of `doc` is more than `limit` levels deep (a walk
/// without recursion: the nesting is what is in question).
fn deeper_than(doc: &Document, limit: usize) -> bool {
    let mut node = doc.root().first_child();
    let mut depth = 1;
    while let Some(n) = node {
        if depth > limit {
            return true;
        }
        if let Some(c) = n.first_child() {
            node = Some(c);
            depth += 1;
            continue;
        }
        let mut cur = n;
        node = loop {
            if let Some(s) = cur.next_sibling() {
                break Some(s);
            }
            match cur.parent() {
                Some(p) if depth > 1 => {
                    cur = p;
                    depth -= 1;
                }
                _ => break None,
            }
        };
    }
    false
}

/// Text of the page's `<body>` by lines, each collapsed, without empty ones
/// and without lines that have no letter or digit.
fn lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines()
        .map(collapse)
        .filter(|l| l.chars().any(char::is_alphanumeric))
}

/// Extracts the article of an HTML page (or of an HTML fragment such as a
/// feed's `<p>…</p><p>…</p>` body). The text has one paragraph per block,
/// separated by blank lines; a headline that repeats the title is dropped
/// from the text (the title is scored once, as the title). A page with no
/// text at all gives an empty text.
///
/// ```
/// let page = "<html><head><title>Talks resume | Daily</title></head><body>\
///     <nav><a href='/'>Home</a> <a href='/world'>World</a></nav>\
///     <article><h1>Talks resume</h1><p>Envoys met in Geneva on Friday.</p>\
///     <p>Both sides called for restraint.</p></article>\
///     <footer>© 2024 Daily</footer></body></html>";
/// let e = stance::extract::html::extract(page);
/// assert_eq!(e.title.as_deref(), Some("Talks resume"));
/// assert_eq!(e.text, "Envoys met in Geneva on Friday.\n\nBoth sides called for restraint.\n");
/// assert!(e.left_out.contains(&"© 2024 Daily".to_string()));
/// ```
pub fn extract(html: &str) -> Extracted {
    let doc = Document::from(html);
    doc.select(NOT_TEXT).remove();
    let page: Vec<String> = lines(&doc.select("body").formatted_text()).collect();
    // Readability's time grows with the square of the nesting (2,000
    // nested elements: seconds; 50,000: minutes). Real pages nest a few
    // dozen deep; a deeper one is read whole, as text, nothing left out.
    if deeper_than(&doc, MAX_DEPTH) {
        let title = doc
            .select("title")
            .iter()
            .map(|t| collapse(&t.text()))
            .find(|t| !t.is_empty());
        let mut text = page.join("\n");
        text.push('\n');
        return Extracted {
            title,
            text,
            left_out: Vec::new(),
        };
    }
    // Photo captions sit inside articles, and are furniture.
    doc.select("figcaption").remove();
    let h1 = doc
        .select("h1")
        .iter()
        .map(|h| collapse(&h.text()))
        .find(|t| !t.is_empty());
    let cfg = Config {
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    let article = Readability::with_document(doc, None, Some(cfg))
        .ok()
        .and_then(|mut r| r.parse().ok());
    let (title, body) = match article {
        Some(a) => (collapse(&a.title), a.text_content.to_string()),
        None => (String::new(), String::new()),
    };
    // Readability keeps the site name in a short `<title>` ("Talks resume
    // | Daily"); the page's headline is the same title without it.
    let title = match (Some(title).filter(|t| !t.is_empty()), h1) {
        (Some(t), Some(h)) if t.len() > h.len() && t.starts_with(&h) => Some(h),
        (t, h) => t.or(h),
    };
    let mut text = String::new();
    let mut kept = HashSet::new();
    for (i, para) in body.split("\n\n").enumerate() {
        let para_lines: Vec<String> = lines(para).collect();
        if para_lines.is_empty() {
            continue;
        }
        if i == 0 && title.as_deref() == Some(para_lines.join(" ").as_str()) {
            kept.insert(para_lines.join(" "));
            continue;
        }
        for l in para_lines {
            text.push_str(&l);
            text.push('\n');
            kept.insert(l);
        }
        text.push('\n');
    }
    // One blank line between paragraphs, none at the end.
    while text.ends_with("\n\n") {
        text.pop();
    }
    if let Some(t) = &title {
        kept.insert(t.clone());
    }
    let left_out = page.into_iter().filter(|l| !kept.contains(l)).collect();
    Extracted {
        title,
        text,
        left_out,
    }
}
