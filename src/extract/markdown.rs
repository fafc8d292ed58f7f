//! The prose of a Markdown file, parsed with [`pulldown_cmark`] (CommonMark
//! plus tables, footnotes, strikethrough and YAML/TOML front matter):
//! headings, paragraphs, list items and quotes become paragraphs of plain
//! text (emphasis and link URLs dropped, link text kept); code blocks,
//! tables, HTML blocks and images are never sentences: code lines, table
//! rows and HTML blocks are left out and listed; front matter is read for
//! its `title` and otherwise dropped.
//!
//! Each paragraph is placed on the line where it starts in the Markdown
//! file, so the line numbers of scored sentences point into the file.

use pulldown_cmark::{Event, LinkType, MetadataBlockKind, Options, Parser, Tag, TagEnd};

use super::{Extracted, collapse};

/// Extracts the prose of a Markdown document.
///
/// ```
/// let md = "---\ntitle: \"Talks resume\"\n---\n# Talks resume\n\nEnvoys met in \
///           [Geneva](https://example.org) on *Friday*.\n\n```\nlet x = 1;\n```\n";
/// let e = stance::extract::markdown::extract(md);
/// assert_eq!(e.title.as_deref(), Some("Talks resume"));
/// assert_eq!(e.text.trim(), "Envoys met in Geneva on Friday.");
/// assert_eq!(e.left_out, ["let x = 1;"]);
/// ```
pub fn extract(md: &str) -> Extracted {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    // Byte offset of the start of every line, to find a block's line.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(md.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);

    let mut out = Extracted::default();
    let mut out_line = 1; // line of `out.text` the next character goes on
    let mut block = String::new();
    let mut block_line = 0;
    let mut headings = 0;
    // What the current text belongs to.
    let (mut in_code, mut in_meta, mut in_table, mut in_html) = (false, false, false, false);
    let mut skip_depth = 0usize; // inside an image or an autolink
    let mut code = String::new();
    let mut meta = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut html = String::new();

    // Writes the block as one paragraph at its source line.
    let flush = |block: &mut String, line: usize, out: &mut Extracted, out_line: &mut usize| {
        let text = collapse(block);
        block.clear();
        if text.is_empty() {
            return;
        }
        if let Some(prev) = out.text.lines().next_back().filter(|p| !p.is_empty()) {
            // Blocks on adjacent lines (tight list items) stay adjacent so
            // that lines keep their numbers, unless the sentence splitter
            // would join them as one wrapped line; otherwise a blank line
            // goes between.
            if *out_line < line || joins(prev, &text) {
                out.text.push('\n');
                *out_line += 1;
            }
        }
        while *out_line < line {
            out.text.push('\n');
            *out_line += 1;
        }
        out.text.push_str(&text);
        out.text.push('\n');
        *out_line += 1;
    };

    for (event, range) in Parser::new_ext(md, opts).into_offset_iter() {
        match event {
            Event::Start(Tag::MetadataBlock(_)) => in_meta = true,
            Event::End(TagEnd::MetadataBlock(kind)) => {
                in_meta = false;
                out.title = front_matter_title(&meta, kind);
            }
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut block, block_line, &mut out, &mut out_line);
                in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                out.left_out
                    .extend(code.lines().map(collapse).filter(|l| !l.is_empty()));
                code.clear();
            }
            Event::Start(Tag::Table(_)) => {
                flush(&mut block, block_line, &mut out, &mut out_line);
                in_table = true;
            }
            Event::End(TagEnd::Table) => in_table = false,
            Event::End(TagEnd::TableCell) => row.push(collapse(&std::mem::take(&mut cell))),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                let r = std::mem::take(&mut row).join(" | ");
                if r.chars().any(char::is_alphanumeric) {
                    out.left_out.push(r);
                }
            }
            Event::Start(Tag::HtmlBlock) => {
                flush(&mut block, block_line, &mut out, &mut out_line);
                in_html = true;
            }
            Event::End(TagEnd::HtmlBlock) => {
                in_html = false;
                let h = collapse(&std::mem::take(&mut html));
                if !h.is_empty() {
                    out.left_out.push(h);
                }
            }
            Event::Start(Tag::Image { .. }) => skip_depth += 1,
            Event::Start(Tag::Link {
                link_type: LinkType::Autolink | LinkType::Email,
                ..
            }) => skip_depth += 1,
            Event::End(TagEnd::Image) => skip_depth = skip_depth.saturating_sub(1),
            Event::End(TagEnd::Link) if skip_depth > 0 => skip_depth -= 1,
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::Item) => {
                // A list item's own text ends where its sub-list starts.
                flush(&mut block, block_line, &mut out, &mut out_line);
                block_line = line_of(range.start);
            }
            Event::End(TagEnd::Heading(_)) => {
                headings += 1;
                // A first heading that repeats the front matter's title is
                // the title, scored once.
                if headings == 1 && out.title.as_deref() == Some(collapse(&block).as_str()) {
                    block.clear();
                }
                flush(&mut block, block_line, &mut out, &mut out_line);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_)) => {
                flush(&mut block, block_line, &mut out, &mut out_line)
            }
            Event::Start(Tag::List(_)) => flush(&mut block, block_line, &mut out, &mut out_line),
            Event::Text(t) | Event::Code(t) => {
                if in_meta {
                    meta.push_str(&t);
                } else if in_code {
                    code.push_str(&t);
                } else if in_table {
                    cell.push_str(&t);
                } else if skip_depth == 0 {
                    if block.is_empty() && block_line == 0 {
                        block_line = line_of(range.start);
                    }
                    block.push_str(&t);
                }
            }
            Event::Html(t) if in_html => html.push_str(&t),
            Event::SoftBreak | Event::HardBreak if !in_table && !in_code => block.push(' '),
            // Inline HTML tags, footnote marks, rules, task boxes: no text.
            _ => {}
        }
    }
    flush(&mut block, block_line, &mut out, &mut out_line);
    while out.text.ends_with("\n\n") {
        out.text.pop();
    }
    out
}

/// Whether the sentence splitter reads `next` as the continuation of the
/// wrapped line `prev` (the rule of `analysis::sentences`: `prev` does not
/// end a sentence, and `next` starts in lower case or `prev` ends with a
/// joining character).
fn joins(prev: &str, next: &str) -> bool {
    let ends = prev
        .trim_end_matches(['"', '\'', '”', '’', ')', ']', '»'])
        .ends_with(['.', '!', '?', '…', ':']);
    !ends
        && (next.starts_with(char::is_lowercase) || prev.ends_with([',', ';', '-', '–', '—', '(']))
}

/// `title` of YAML (`title: Talks resume`) or TOML (`title = "Talks
/// resume"`) front matter, unquoted; only a top-level, one-line value.
fn front_matter_title(meta: &str, kind: MetadataBlockKind) -> Option<String> {
    let sep = match kind {
        MetadataBlockKind::YamlStyle => ':',
        MetadataBlockKind::PlusesStyle => '=',
    };
    meta.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(sep)?;
            (k.trim() == "title").then(|| v.trim())
        })
        .map(|v| {
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v)
                .trim()
                .to_string()
        })
        .filter(|t| !t.is_empty())
}
