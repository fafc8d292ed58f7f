//! Inputs as analysts have them: saved web pages, Markdown files, and
//! documents in other languages, run through the real binary.

mod common;

use std::path::Path;

use common::{jsonl, repo, stance, stance_stdin};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A whole article of the shipped test set: its title and its sentences in
/// order (sentence ids `DOC#s0` (the title), `DOC#s1`, …).
struct Article {
    id: String,
    title: String,
    sentences: Vec<String>,
}

impl Article {
    /// The article's paragraphs: three sentences each.
    fn paragraphs(&self) -> Vec<String> {
        self.sentences.chunks(3).map(|c| c.join(" ")).collect()
    }

    /// The article as a plain-text file would have it.
    fn plain(&self) -> String {
        format!("{}\n\n{}\n", self.title, self.paragraphs().join("\n\n"))
    }
}

fn article(doc: &str) -> Article {
    let mut rdr = csv::Reader::from_path(repo("data/news-test.csv")).unwrap();
    let mut rows: Vec<(usize, String)> = rdr
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[4] == doc)
        .map(|r| {
            let n = r[0].rsplit_once("#s").unwrap().1.parse().unwrap();
            (n, r[1].to_string())
        })
        .collect();
    rows.sort();
    assert!(
        rows.iter().enumerate().all(|(i, (n, _))| i == *n),
        "{doc} is whole"
    );
    let mut texts = rows.into_iter().map(|(_, t)| t);
    Article {
        id: doc.into(),
        title: texts.next().unwrap(),
        sentences: texts.collect(),
    }
}

/// Whole articles of `data/news-test.csv` used as page content.
const ARTICLES: [&str; 4] = [
    "wire2016-1096",
    "wire2016-1182",
    "wire2016-1417",
    "wire2016-1000",
];

fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Furniture every page carries, whatever its layout.
const HEAD_EXTRAS: &str = r#"<meta name="viewport" content="width=device-width">
<style>body{font-family:Georgia,serif}.share a{margin:0 4px}</style>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag("js",new Date());</script>"#;

const COOKIES: &str = r#"<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience on our site and to show you relevant advertising.</p><button>Accept all cookies</button> <a href="/privacy">Privacy policy</a></div>"#;

const NAV: &str = r#"<header class="site-header"><a class="logo" href="/">The Daily Ledger</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li><li><a href="/business">Business</a></li><li><a href="/opinion">Opinion</a></li></ul></nav>
<form class="search"><input name="q" placeholder="Search"></form></header>"#;

const SHARE: &str = r#"<div class="share-bar"><span>Share</span> <a href="/share">Facebook</a> <a href="/share">Twitter</a> <a href="/share">Email</a></div>"#;

const RELATED: &str = r#"<aside class="related"><h3>Related articles</h3><ul>
<li><a href="/a/1">Oil prices slip as traders weigh supply outlook</a></li>
<li><a href="/a/2">Parliament debates budget amid protests in the capital</a></li>
<li><a href="/a/3">Five things to know about the election this week</a></li></ul></aside>"#;

const COMMENTS: &str = r#"<section id="comments" class="comments"><h3>2 Comments</h3>
<div class="comment"><p class="author">jdoe</p><p>This is exactly what I have been saying for years and nobody listens to me.</p></div>
<div class="comment"><p class="author">mk77</p><p>Great reporting, thanks for covering this story so thoroughly.</p></div>
<h3>Leave a Reply</h3><form><textarea></textarea><button>Post Comment</button></form></section>"#;

const FOOTER: &str = r#"<footer><p>© 2016 The Daily Ledger. All rights reserved.</p><ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li><li><a href="/terms">Terms of use</a></li></ul></footer>
<!-- analytics: page view --><script src="/js/app.js"></script>"#;

/// Text of the furniture above, none of which may be scored.
const FURNITURE: &[&str] = &[
    "cookies",
    "Daily Ledger",
    "Politics",
    "Facebook",
    "Oil prices slip",
    "Five things",
    "nobody listens",
    "Great reporting",
    "Leave a Reply",
    "All rights reserved",
    "About us",
    "dataLayer",
    "font-family",
    "analytics",
    "photo of",
];

/// The article in one of four page layouts seen on news sites: a blog
/// (`<article>` with share bars), a news site (`<main>`, a photo with its
/// caption, a newsletter box), a table-less "div soup" with a sidebar and
/// no semantic elements, and a page with the headline only in `<title>`.
fn page(a: &Article, layout: usize) -> String {
    let title = esc(&a.title);
    let body: String = a
        .paragraphs()
        .iter()
        .map(|p| format!("<p>{}</p>\n", esc(p)))
        .collect();
    let content = match layout {
        0 => format!(
            r#"<article class="post"><h1 class="entry-title">{title}</h1>
<p class="byline">By Staff Reporter | <time datetime="2016-02-24">February 24, 2016</time></p>{SHARE}
<div class="entry-content">{body}</div>{SHARE}</article>"#
        ),
        1 => format!(
            r#"<main><div class="article-header"><h1>{title}</h1><div class="meta">Updated 2016-02-24 10:42</div></div>
<div class="story-body"><figure><img src="/img/1.jpg" alt=""><figcaption>A photo of the scene on Tuesday. REUTERS/File Photo</figcaption></figure>
{body}</div>
<div class="newsletter"><h4>Sign up for our newsletter</h4><p>Get the top stories in your inbox every morning.</p></div></main>"#
        ),
        2 => format!(
            r#"<div id="wrapper"><div id="content"><div class="left-col"><div class="headline"><h1>{title}</h1></div>
<!-- article start -->{body}<!-- article end --></div>
<div class="sidebar"><h3>Most read</h3><ol><li><a href="/m/1">Five things to know about the election this week</a></li><li><a href="/m/2">Oil prices slip as traders weigh supply outlook</a></li></ol></div></div></div>"#
        ),
        _ => format!(r#"<div class="story">{body}</div>"#),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} | The Daily Ledger</title>\n<meta property=\"og:site_name\" content=\"The Daily Ledger\">\n{HEAD_EXTRAS}</head>\n<body>{COOKIES}\n{NAV}\n{content}\n{RELATED}\n{COMMENTS}\n{FOOTER}</body></html>\n"
    )
}

fn texts(recs: &[serde_json::Value]) -> Vec<String> {
    recs.iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect()
}

fn score_texts(args: &[&str]) -> Vec<String> {
    let mut a = vec!["score", "--format", "jsonl", "-q"];
    a.extend(args);
    texts(&jsonl(&stance(&a).ok()))
}

#[test]
fn saved_pages_score_the_sentences_of_their_article() {
    let dir = tempfile::tempdir().unwrap();
    for (layout, doc) in ARTICLES.iter().enumerate() {
        let a = article(doc);
        let txt = dir.path().join(format!("{doc}.txt"));
        std::fs::write(&txt, a.plain()).unwrap();
        let html = dir.path().join(format!("{doc}.html"));
        std::fs::write(&html, page(&a, layout)).unwrap();
        let want = score_texts(&[s(&txt)]);
        assert!(want.len() > a.sentences.len() / 2, "{}", a.id);
        let got = score_texts(&[s(&html)]);
        assert_eq!(got, want, "layout {layout}, {}", a.id);
        for t in &got {
            for f in FURNITURE {
                assert!(!t.contains(f), "furniture scored in layout {layout}: {t}");
            }
        }
        // What was left out is counted as boilerplate.
        let table = stance(&["score", s(&html)]).ok();
        let header = table.lines().next().unwrap();
        let n: usize = header
            .split(", ")
            .nth(1)
            .and_then(|p| p.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{header}"));
        assert!(
            n >= 15,
            "layout {layout}: only {n} lines left out: {header}"
        );
    }
}

#[test]
fn htm_a_directory_of_pages_and_input_format_html() {
    let dir = tempfile::tempdir().unwrap();
    let a = article(ARTICLES[1]);
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, a.plain()).unwrap();
    let want = score_texts(&[s(&plain)]);
    let pages = dir.path().join("saved");
    std::fs::create_dir(&pages).unwrap();
    std::fs::write(pages.join("a.htm"), page(&a, 0)).unwrap();
    std::fs::write(pages.join("b.HTML"), page(&a, 2)).unwrap();
    let recs = jsonl(&stance(&["score", s(&pages), "--format", "jsonl", "-q"]).ok());
    let docs: Vec<&str> = recs.iter().map(|r| r["doc"].as_str().unwrap()).collect();
    assert_eq!(recs.len(), 2 * want.len());
    assert!(docs[0].ends_with("a.htm") && docs[want.len()].ends_with("b.HTML"));
    // A page saved under another name, read as HTML when told so.
    let odd = dir.path().join("page.txt");
    std::fs::write(&odd, page(&a, 1)).unwrap();
    assert_eq!(
        score_texts(&[s(&odd), "--input-format", "html"]),
        want,
        "--input-format html"
    );
    // A page piped to stdin is recognised by its markup.
    let out = stance_stdin(
        &["score", "--format", "jsonl", "-q"],
        Some(page(&a, 1).as_bytes()),
    )
    .ok();
    assert_eq!(texts(&jsonl(&out)), want, "stdin");
}

#[test]
fn html_in_a_collection_field_is_read_as_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let a = article(ARTICLES[2]);
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, a.plain()).unwrap();
    let want = score_texts(&[s(&plain)]);
    // A feed's body: paragraphs in <p>, no page around them; the title is
    // a column.
    let fragment: String = a
        .paragraphs()
        .iter()
        .map(|p| format!("<p>{}</p>", esc(p)))
        .collect();
    let jl = dir.path().join("feed.jsonl");
    let rows = [
        serde_json::json!({"id": "page", "text": page(&a, 0)}),
        serde_json::json!({"id": "fragment", "title": a.title, "text": fragment}),
        serde_json::json!({"id": "prose", "text": "<b>Bold</b> is not HTML here. Talks resumed on Friday."}),
    ];
    let body: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&jl, body).unwrap();
    let recs = jsonl(&stance(&["score", s(&jl), "--format", "jsonl", "-q"]).ok());
    let of = |id: &str| -> Vec<String> {
        texts(
            &recs
                .iter()
                .filter(|r| r["doc"] == id)
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(of("page"), want);
    assert_eq!(of("fragment"), want);
    assert_eq!(
        of("prose"),
        ["<b>Bold</b> is not HTML here.", "Talks resumed on Friday."]
    );
    // The same in CSV.
    let csv_path = dir.path().join("feed.csv");
    let mut w = csv::Writer::from_path(&csv_path).unwrap();
    w.write_record(["id", "text"]).unwrap();
    w.write_record(["page", &page(&a, 3)]).unwrap();
    w.flush().unwrap();
    assert_eq!(score_texts(&[s(&csv_path)]), want, "CSV");
}

#[test]
fn a_page_without_text_is_an_error_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty.html");
    std::fs::write(
        &p,
        "<html><head><style>p{}</style></head><body><script>x()</script></body></html>",
    )
    .unwrap();
    let err = stance(&["score", s(&p)]).err();
    assert!(err.contains("empty.html: no article text found"), "{err}");
}

fn lines_of(recs: &[serde_json::Value]) -> Vec<u64> {
    recs.iter().map(|r| r["line"].as_u64().unwrap()).collect()
}

#[test]
fn markdown_is_read_as_prose() {
    let recs = jsonl(
        &stance(&[
            "score",
            "tests/data/markdown/briefing-notes.md",
            "--format",
            "jsonl",
            "-q",
        ])
        .ok(),
    );
    assert_eq!(
        texts(&recs),
        [
            "Weekly security briefing",
            "The foreign ministers met in Geneva on Friday.",
            "They agreed to resume talks next week, and both sides called for restraint.",
            "What was said",
            "The envoy warned that further missile tests would trigger a regional crisis.",
            "Officials said the alliance stands ready to defend every member.",
            "A nested note: the summit is planned for June.",
            "\"We will respond to any attack,\" the minister said.",
            "Briefings are posted at every Monday.",
        ]
    );
    // Line numbers point into the Markdown file.
    assert_eq!(lines_of(&recs), [1, 5, 5, 8, 10, 11, 12, 14, 27]);
    // Table rows (3), the code line and the HTML block are left out, counted.
    let table = stance(&["score", "tests/data/markdown/briefing-notes.md"]).ok();
    assert!(
        table.contains("(9 sentences, 5 boilerplate lines left out)"),
        "{table}"
    );
}

#[test]
fn markdown_front_matter_gives_the_title_and_is_not_text() {
    let recs = jsonl(
        &stance(&[
            "score",
            "tests/data/markdown/blog-post.markdown",
            "--format",
            "jsonl",
            "-q",
        ])
        .ok(),
    );
    assert_eq!(
        texts(&recs),
        [
            // From the front matter; the heading that repeats it is not
            // scored twice.
            "Why the ceasefire talks stalled",
            "Negotiators left the capital on Tuesday without an agreement.",
            "Mediators said the gap on prisoner exchanges remained wide.",
            "First, both delegations rejected the draft text.",
            "Second, the security guarantees were left for later.",
            "Read the full statement for details.",
        ]
    );
    let toml = score_texts(&["tests/data/markdown/toml-front-matter.md"]);
    assert_eq!(
        toml,
        [
            "Sanctions update",
            "The council extended sanctions for another six months."
        ]
    );
    // Read as plain text when told so: the markup is then scored.
    let raw = score_texts(&[
        "tests/data/markdown/blog-post.markdown",
        "--input-format",
        "text",
    ]);
    assert!(raw.iter().any(|t| t.contains("title:")), "{raw:?}");
}

const FRENCH: &str = "Les ministres des affaires étrangères se sont réunis vendredi à Genève.\n\nIls ont convenu de reprendre les négociations la semaine prochaine et ont appelé les deux parties à la retenue.\n";
const GERMAN: &str = "Die Außenminister trafen sich am Freitag in Genf.\n\nSie vereinbarten, die Gespräche in der kommenden Woche fortzusetzen, und riefen beide Seiten zur Zurückhaltung auf.\n";
const ENGLISH: &str = "Foreign ministers met in Geneva on Friday.\n\nThey agreed to resume talks next week and urged both sides to show restraint.\n";

#[test]
fn documents_not_in_english_are_reported_and_left_out() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("de.txt", GERMAN),
        ("en.txt", ENGLISH),
        ("fr.txt", FRENCH),
        // Under 20 letters: not judged, scored as English.
        ("short.txt", "Merci beaucoup.\n"),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let r = stance(&["score", s(dir.path()), "--format", "jsonl"]);
    let err = r.stderr.clone();
    let recs = jsonl(&r.ok());
    let docs: std::collections::BTreeSet<String> = recs
        .iter()
        .map(|r| {
            let d = r["doc"].as_str().unwrap();
            d.rsplit('/').next().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        docs.into_iter().collect::<Vec<_>>(),
        ["en.txt", "short.txt"]
    );
    for r in &recs {
        let short = r["doc"].as_str().unwrap().ends_with("short.txt");
        let want = if short {
            serde_json::Value::Null
        } else {
            "eng".into()
        };
        assert_eq!(r["language"], want, "{r}");
    }
    assert!(
        err.contains("de.txt: not in English (German): left out"),
        "{err}"
    );
    assert!(
        err.contains("fr.txt: not in English (French): left out"),
        "{err}"
    );
    assert!(
        err.contains(
            "in 2 documents; 0 boilerplate lines left out; 2 documents not in English left out"
        ),
        "{err}"
    );

    // --any-language scores them, and says so.
    let r = stance(&["score", s(dir.path()), "--format", "csv", "--any-language"]);
    let err = r.stderr.clone();
    let out = r.ok();
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let header = rdr.headers().unwrap().clone();
    assert_eq!(header.iter().next_back(), Some("language"));
    let langs: Vec<String> = rdr
        .records()
        .map(|r| r.unwrap().iter().next_back().unwrap().to_string())
        .collect();
    assert!(langs.iter().any(|l| l == "fra") && langs.iter().any(|l| l == "deu"));
    assert!(
        err.contains("2 documents not in English scored anyway"),
        "{err}"
    );

    // The table names what it did not score.
    let table = stance(&["score", s(&dir.path().join("fr.txt"))]).ok();
    assert!(
        table.contains("(not in English: French; not scored"),
        "{table}"
    );
}

#[test]
fn report_counts_documents_not_in_english_per_group() {
    let dir = tempfile::tempdir().unwrap();
    let jl = dir.path().join("c.jsonl");
    let mut body = String::new();
    let rows = [
        ("a1", "A", ENGLISH),
        ("a2", "A", FRENCH),
        ("b1", "B", ENGLISH),
        ("b2", "B", GERMAN),
        ("b3", "B", FRENCH),
    ];
    for (id, source, text) in rows {
        body.push_str(&serde_json::json!({"id": id, "source": source, "text": text}).to_string());
        body.push('\n');
    }
    // More documents not in English than are named in warnings.
    for i in 0..6 {
        body.push_str(
            &serde_json::json!({"id": format!("c{i}"), "source": "C", "text": FRENCH}).to_string(),
        );
        body.push('\n');
    }
    std::fs::write(&jl, body).unwrap();
    let r = stance(&["report", s(&jl), "--by", "source", "--format", "csv"]);
    let err = r.stderr.clone();
    let out = r.ok();
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r[0].to_string(),
                r[col("documents")].to_string(),
                r[col("documents_not_english")].to_string(),
            )
        })
        .collect();
    let want = [("A", "1", "1"), ("B", "1", "2"), ("C", "0", "6")]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()));
    assert_eq!(got, want);
    assert_eq!(&rows[2][col("sentences")], "0");
    // Warnings are bounded: five named, the rest counted.
    assert_eq!(err.matches("not in English (").count(), 5, "{err}");
    assert!(
        err.contains("... and 4 more documents not in English"),
        "{err}"
    );

    let json: serde_json::Value = serde_json::from_str(
        &stance(&[
            "report",
            s(&jl),
            "--by",
            "source",
            "--format",
            "json",
            "--any-language",
        ])
        .ok(),
    )
    .unwrap();
    let b = &json["rows"][1];
    assert_eq!(b["documents"], 3);
    assert_eq!(b["documents_not_english"], 2);
}
