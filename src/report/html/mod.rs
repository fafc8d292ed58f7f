//! The self-contained HTML form of a report (`stance report --format html`).
//!
//! One file, no scripts and no external assets: inline CSS (with a print
//! stylesheet) and inline SVG charts drawn with `plotters`' SVG backend,
//! which writes text as SVG `<text>` elements, so no font files are read.
//!
//! The page holds, from the top:
//!
//! - the charts: the four label shares per group as stacked horizontal
//!   bars, and, when the grouping starts with a time dimension, the
//!   escalation ratio over time with its 95 % Wilson interval as a band;
//! - the summary table, with the columns of the table output;
//! - the most escalatory sentences per group, with `--top`;
//! - every kept document with each scored sentence coloured by its label,
//!   its four probabilities and top terms shown on hover and on keyboard
//!   focus, and boilerplate lines greyed, in document order.
//!
//! The charts and table cover every document; the per-document section
//! holds at most [`DetailDocs::max`] documents and says how many were left
//! out.
//!
//! Elements tests can count: every scored sentence is
//! `<span class="sent lab-LABEL" data-label="LABEL">`, every boilerplate line
//! `<p class="boiler">`, every document `<article class="doc">`; the charts
//! are `<svg id="chart-shares">` and `<svg id="chart-escalation">`.

mod charts;
mod palette;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{GroupRow, Report, Totals, shorten, wilson};
use crate::label::Label;
use crate::model::StanceModel;
use crate::score::{ScoredDocument, ScoredSentence};
use charts::{CorrectedBar, corrected_svg, escalation_svg, reliability_svg, shares_svg};

/// Default number of documents shown sentence by sentence.
pub const DEFAULT_DETAIL_DOCS: usize = 200;

/// The scored documents kept for the per-document section: the first
/// `max` in input order; the others are only counted, so memory stays
/// bounded however large the input.
#[derive(Debug, Clone)]
pub struct DetailDocs {
    max: usize,
    kept: Vec<ScoredDocument>,
    left_out: usize,
}

impl DetailDocs {
    /// Keeps at most `max` documents.
    pub fn new(max: usize) -> DetailDocs {
        DetailDocs {
            max,
            kept: Vec::new(),
            left_out: 0,
        }
    }

    /// Keeps `d` if there is room, else counts it as left out.
    pub fn push(&mut self, d: ScoredDocument) {
        if self.kept.len() < self.max {
            self.kept.push(d);
        } else {
            self.left_out += 1;
        }
    }

    /// True when the next [`DetailDocs::push`] keeps its document.
    pub fn has_room(&self) -> bool {
        self.kept.len() < self.max
    }

    /// The most documents kept.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The kept documents, in input order.
    pub fn docs(&self) -> &[ScoredDocument] {
        &self.kept
    }

    /// Documents seen but not kept.
    pub fn left_out(&self) -> usize {
        self.left_out
    }
}

/// What the page says about how it was made.
#[derive(Debug, Clone, Default)]
pub struct HtmlMeta {
    /// Inputs as given on the command line.
    pub inputs: Vec<String>,
    /// Model name or path.
    pub model: String,
}

use super::summary::ratio;

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The group's key in grouping order, e.g. `RUS / 2022`.
fn key_text(report: &Report, row: &GroupRow) -> String {
    report
        .group_by
        .iter()
        .map(|&g| row.key.text(g))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The page's style sheet: the palette's custom properties (the label
/// colours `--det`, `--esc`, `--dip`, `--neu` and their `-bg` tints, from
/// [`palette`], which the charts use too), then `report.css`, which refers
/// to them.
fn css() -> String {
    format!(
        ":root {{ color-scheme: light; --ink: #1b1b1b; --muted: #5a5a5a; --rule: #d9d9d9;\n  {} }}\n{}",
        palette::css_properties(),
        include_str!("report.css")
    )
}

/// Renders the page: `report` covers every document, `details` holds the
/// documents shown sentence by sentence (with the top terms their
/// sentences were scored with: [`crate::score::explain_document`]), and
/// `model` gives its card and share estimator (the page never scores).
pub fn render(
    report: &Report,
    details: &DetailDocs,
    model: &StanceModel,
    meta: &HtmlMeta,
) -> Result<String, String> {
    let totals = report.totals();
    let grouping = report
        .group_by
        .iter()
        .map(|g| g.name())
        .collect::<Vec<_>>()
        .join(", ");
    let bars: Vec<(String, [f64; Label::COUNT], usize)> = report
        .rows
        .iter()
        .map(|r| {
            let s = r.shares.0;
            (key_text(report, r), s, r.sentences)
        })
        .collect();
    let shares_chart = shares_svg(&bars)?;
    let time = report.time_series();
    let time_chart = match &time {
        Some(t) if !t.points.is_empty() => {
            Some(escalation_svg(&t.points, model.share_estimator())?)
        }
        _ => None,
    };
    let corrected_bars: Vec<CorrectedBar> = report
        .rows
        .iter()
        .filter_map(|r| {
            Some(CorrectedBar {
                name: key_text(report, r),
                escalation: r.corrected.get(Label::EscalationWarning)?,
                diplomacy: r.corrected.get(Label::Diplomacy)?,
                counted_escalation: r.escalation_ratio?,
            })
        })
        .collect();
    let corrected_chart = if corrected_bars.is_empty() {
        None
    } else {
        Some(corrected_svg(&corrected_bars)?)
    };
    // The reliability diagram of the first held-out set with calibration
    // figures (for the shipped model: the news test split).
    let reliability = model
        .card
        .held_out
        .iter()
        .find_map(|h| h.calibration.as_ref().map(|c| (h, c)));
    let reliability_chart = match reliability {
        Some((_, c)) => Some(reliability_svg(c)?),
        None => None,
    };
    let has_top = report.rows.iter().any(|r| !r.top.is_empty());
    let inputs = if meta.inputs.is_empty() {
        "standard input".to_string()
    } else {
        meta.inputs.join(", ")
    };
    let page_title = format!("Stance report: {}", shorten(&inputs, 80));
    let docs = details.docs();

    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content={"stance " (env!("CARGO_PKG_VERSION"))};
                title { (page_title) }
                style { (PreEscaped(css())) }
            }
            body {
                main {
                    header {
                        h1 { "Stance report" }
                        p.meta {
                            "Input: " code { (inputs) }
                            " · grouped by " b { (grouping) }
                            " · model " code { (meta.model) }
                        }
                        ul.cards {
                            li { b { (totals.documents) } span { "documents" } }
                            li { b { (totals.sentences) } span { "sentences scored" } }
                            li {
                                b { (totals.boilerplate) }
                                span { span.swatch.boilerplate aria-hidden="true" {} " boilerplate lines left out (greyed)" }
                            }
                        }
                        (legend(&totals))
                    }
                    section #charts aria-labelledby="charts-h" {
                        h2 #charts-h { "Charts" }
                        @if let Some(svg) = &time_chart {
                            figure {
                                (PreEscaped(svg))
                                figcaption {
                                    "Escalation ratio (escalation-warning sentences / scored sentences) per "
                                    (report.group_by[0].name())
                                    @if report.group_by.len() > 1 { ", summed over the other grouping dimensions" }
                                    ", with its 95 % Wilson interval as the shaded band; n is the number of scored sentences."
                                    @if model.share_estimator().is_some() {
                                        " The black line is the corrected escalation share (counting corrected for the classifier's known errors), with its 95 % interval, which includes the classifier's error, as whiskers: quote this one for how much escalation language there is."
                                    }
                                    @if let Some(undated) = time.as_ref().map(|t| t.undated_documents) {
                                        @if undated > 0 {
                                            " " (undated) " document(s) without a date are left out of this chart."
                                        }
                                    }
                                }
                            }
                        }
                        @if let Some(svg) = &corrected_chart {
                            figure {
                                (PreEscaped(svg))
                                figcaption {
                                    "Corrected escalation-warning (orange) and diplomacy (green) shares of each group ("
                                    (grouping) "), with their 95 % intervals; the hollow circle is the counted escalation ratio. "
                                    "Corrected shares undo the classifier's measured confusions (" (report.share_method.as_deref().unwrap_or("")) ", see the README)."
                                }
                            }
                        }
                        figure {
                            (PreEscaped(&shares_chart))
                            figcaption {
                                "Share of each label among the scored sentences of each group ("
                                (grouping) "); n is the number of scored sentences. Colours as in the legend above."
                            }
                        }
                    }
                    section #summary aria-labelledby="summary-h" {
                        h2 #summary-h { "Summary by " (grouping) }
                        (summary_table(report, &totals, model.share_estimator()))
                    }
                    @if has_top {
                        section #top aria-labelledby="top-h" {
                            h2 #top-h { "Most escalatory sentences per group" }
                            @for r in &report.rows {
                                @if !r.top.is_empty() {
                                    h3 { (key_text(report, r)) }
                                    ol.top-list {
                                        @for t in &r.top {
                                            li {
                                                span.prob { (format!("{:.2}", t.escalation_prob)) }
                                                " " (t.text) " "
                                                small.meta { "[" (t.doc) " #" (t.sentence) ", " (t.label) "]" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if let (Some(svg), Some((h, c))) = (&reliability_chart, reliability) {
                        section #calibration aria-labelledby="calibration-h" {
                            h2 #calibration-h { "Appendix: how far the probabilities can be trusted" }
                            figure {
                                (PreEscaped(svg))
                                figcaption {
                                    "Reliability of the model's probabilities on " (h.method) " (" (h.rows) " sentences): "
                                    "in each of ten bins, the share of sentences that have the label against their mean probability. "
                                    "Hollow: the classifier's raw probabilities; filled: calibrated (the probabilities this report uses). "
                                    "Escalation-warning expected calibration error: raw "
                                    (format!("{:.3}", c.raw.per_label[Label::EscalationWarning].ece))
                                    ", calibrated "
                                    (format!("{:.3}", c.calibrated.per_label[Label::EscalationWarning].ece)) "."
                                }
                            }
                        }
                    }
                    section #documents aria-labelledby="documents-h" {
                        h2 #documents-h { "Documents, sentence by sentence" }
                        @if details.left_out() > 0 {
                            p.note {
                                "Showing the first " (docs.len()) " of " (docs.len() + details.left_out())
                                " documents; " b { (details.left_out()) " document(s) left out" }
                                " of this section (raise the limit with --html-docs). "
                                "The charts and the summary cover every document."
                            }
                        }
                        @if docs.is_empty() {
                            p { "No documents are shown in detail (--html-docs " (details.max()) ")." }
                        } @else {
                            p.hint {
                                "Each scored sentence is coloured by its label. Hover over a sentence, or move to it with Tab, to see its four probabilities and the terms that pushed it toward its label. "
                                "Boilerplate lines (left out of scoring) are greyed."
                            }
                            @if docs.len() > 1 {
                                details.doc-index {
                                    summary { "Index of the " (docs.len()) " documents below" }
                                    ol {
                                        @for (i, d) in docs.iter().enumerate() {
                                            li { a href={"#doc-" (i + 1)} { (doc_name(d)) } " " small.meta { (doc_summary(d)) } }
                                        }
                                    }
                                }
                            }
                            @for (i, d) in docs.iter().enumerate() {
                                (document(i + 1, d))
                            }
                        }
                    }
                    footer {
                        "Generated by stance " (env!("CARGO_PKG_VERSION"))
                        ". Labels follow the project's annotation guide; probabilities are the model's, not ground truth."
                    }
                }
            }
        }
    };
    Ok(markup.into_string())
}

/// The legend, which also gives each label's share over every document.
fn legend(totals: &Totals) -> Markup {
    html! {
        ul.legend aria-label="Labels, with their share of all scored sentences" {
            @for l in Label::ALL {
                li {
                    span.legend-name {
                        span class={"swatch lab-" (l)} aria-hidden="true" {}
                        b { (l) }
                    }
                    span.legend-share {
                        b { (pct(totals.share(l))) }
                        " of sentences (" (totals.counts[l]) ")"
                    }
                    span.meaning { (l.meaning()) }
                }
            }
        }
    }
}

/// Column heading of a label in the summary table.
fn short_name(label: Label) -> &'static str {
    match label {
        Label::EscalationWarning => "escalation",
        l => l.as_str(),
    }
}

fn summary_table(
    report: &Report,
    totals: &Totals,
    estimator: Option<&crate::quantify::ShareEstimator>,
) -> Markup {
    let overall = estimator.and_then(|e| e.estimate(&totals.prob_sums, totals.sentences));
    html! {
        div.table-wrap {
            table {
                thead {
                    tr {
                        @for g in &report.group_by { th.key scope="col" { (g.name()) } }
                        th scope="col" { "docs" }
                        th scope="col" { "sentences" }
                        th scope="col" { "boilerplate" }
                        @for l in Label::ALL {
                            th.th-lab scope="col" title={"share of sentences labeled " (l) " (count)"}
                                style={"border-bottom-color:" (palette::colours(l).css())} { (short_name(l)) }
                        }
                        th scope="col" title="escalation-warning sentences / scored sentences, with the 95 % Wilson interval" { "esc. ratio [95% CI]" }
                        @if report.share_method.is_some() {
                            th scope="col" title="escalation-warning share corrected for the classifier's errors, with a 95 % interval that includes them" { "esc. share [95%]" }
                            th scope="col" title="diplomacy share corrected for the classifier's errors, with a 95 % interval that includes them" { "dip. share [95%]" }
                        }
                        th scope="col" title="mean (calibrated) probability of escalation-warning" { "p(esc)" }
                        th scope="col" title="(escalation − diplomacy) / (escalation + diplomacy)" { "balance" }
                    }
                }
                tbody {
                    @for r in &report.rows {
                        tr {
                            @for g in &report.group_by {
                                td.key { (r.key.text(*g)) }
                            }
                            td { (r.documents) }
                            td { (r.sentences) }
                            td { (r.boilerplate) }
                            @for l in Label::ALL {
                                td {
                                    (pct(r.shares[l]))
                                    " " small { "(" (r.counts[l]) ")" }
                                }
                            }
                            td {
                                @match (r.escalation_ratio, r.escalation_ratio_low, r.escalation_ratio_high) {
                                    (Some(p), Some(lo), Some(hi)) => {
                                        (pct(p)) " "
                                        small { "[" (format!("{:.1}–{:.1}", 100.0 * lo, 100.0 * hi)) "]" }
                                    }
                                    _ => { "–" }
                                }
                            }
                            @if report.share_method.is_some() {
                                @for l in [Label::EscalationWarning, Label::Diplomacy] {
                                    td {
                                        @match r.corrected.get(l) {
                                            Some(e) => {
                                                (pct(e.share)) " "
                                                small { "[" (format!("{:.1}–{:.1}", 100.0 * e.low, 100.0 * e.high)) "]" }
                                            }
                                            None => { "–" }
                                        }
                                    }
                                }
                            }
                            td { (r.mean_escalation_prob.map_or("–".to_string(), |m| format!("{m:.3}"))) }
                            td { (r.escalation_diplomacy_balance.map(|b| format!("{b:+.2}")).unwrap_or_else(|| "–".into())) }
                        }
                    }
                }
                @if report.rows.len() > 1 {
                    tfoot {
                        tr {
                            td.key colspan=(report.group_by.len()) { "all" }
                            td { (totals.documents) }
                            td { (totals.sentences) }
                            td { (totals.boilerplate) }
                            @for l in Label::ALL {
                                td { (pct(totals.share(l))) " " small { "(" (totals.counts[l]) ")" } }
                            }
                            @let esc = totals.counts[Label::EscalationWarning];
                            @let (lo, hi) = wilson(esc, totals.sentences);
                            td {
                                (pct(ratio(esc, totals.sentences))) " "
                                small { "[" (format!("{:.1}–{:.1}", 100.0 * lo, 100.0 * hi)) "]" }
                            }
                            @if report.share_method.is_some() {
                                @for l in [Label::EscalationWarning, Label::Diplomacy] {
                                    td {
                                        @if let Some(e) = overall.map(|o| o[l.index()]) {
                                            (pct(e.share)) " "
                                            small { "[" (format!("{:.1}–{:.1}", 100.0 * e.low, 100.0 * e.high)) "]" }
                                        }
                                    }
                                }
                            }
                            td {}
                            td {}
                        }
                    }
                }
            }
        }
    }
}

fn doc_name(d: &ScoredDocument) -> String {
    match d
        .doc
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(t) => shorten(t, 90),
        None => d.doc.id.clone(),
    }
}

fn label_counts(d: &ScoredDocument) -> [usize; Label::COUNT] {
    let mut c = [0; Label::COUNT];
    for s in &d.sentences {
        c[s.prediction.label.index()] += 1;
    }
    c
}

fn doc_summary(d: &ScoredDocument) -> String {
    let c = label_counts(d);
    let n = d.sentences.len();
    format!(
        "({n} sentences, escalation {})",
        pct(ratio(c[Label::EscalationWarning.index()], n))
    )
}

/// One block of a document: sentences that start on the same line (one
/// paragraph or headline), or one boilerplate line.
enum Block<'a> {
    Sentences(usize, Vec<&'a ScoredSentence>),
    Boilerplate(&'a str),
}

/// The document's blocks in document order: sentences and boilerplate
/// lines merged by line (the title, line 0, first).
fn blocks(d: &ScoredDocument) -> Vec<Block<'_>> {
    let mut items: Vec<(usize, Option<&ScoredSentence>, &str)> = d
        .sentences
        .iter()
        .map(|s| (s.line, Some(s), s.text.as_str()))
        .chain(d.boilerplate.iter().map(|(l, t)| (*l, None, t.as_str())))
        .collect();
    items.sort_by_key(|&(line, s, _)| (line, s.is_none()));
    let mut out: Vec<Block> = Vec::new();
    for (line, s, text) in items {
        match s {
            Some(s) => match out.last_mut() {
                Some(Block::Sentences(l, v)) if *l == line => v.push(s),
                _ => out.push(Block::Sentences(line, vec![s])),
            },
            None => out.push(Block::Boilerplate(text)),
        }
    }
    out
}

fn document(n: usize, d: &ScoredDocument) -> Markup {
    let counts = label_counts(d);
    let total = d.sentences.len();
    html! {
        article.doc #{"doc-" (n)} aria-labelledby={"doc-" (n) "-h"} {
            div.doc-head {
                h3 #{"doc-" (n) "-h"} { (d.doc.id) }
                p.meta {
                    @if let Some(s) = &d.doc.source { "source " b { (s) } " · " }
                    @if let Some(date) = d.doc.date { "date " (date.format("%Y-%m-%d").to_string()) " · " }
                    (total) " sentences · " (d.boilerplate.len()) " boilerplate · escalation "
                    (pct(ratio(counts[Label::EscalationWarning.index()], total)))
                }
            }
            @if total > 0 {
                div.docbar role="img" aria-label={
                    "label shares: "
                    @for l in Label::ALL { (l) " " (pct(ratio(counts[l.index()], total))) "; " }
                } {
                    @for l in Label::ALL {
                        @if counts[l.index()] > 0 {
                            span style={"width:" (format!("{:.3}", 100.0 * ratio(counts[l.index()], total))) "%;background:" (palette::colours(l).css())}
                                title={(l) ": " (counts[l.index()])} {}
                        }
                    }
                }
            }
            div.doc-body {
                @for b in blocks(d) {
                    @match b {
                        Block::Sentences(line, sents) => {
                            p.para.title-line[line == 0] {
                                @for (j, s) in sents.iter().enumerate() {
                                    @if j > 0 { " " }
                                    (sentence(n, s))
                                }
                            }
                        }
                        Block::Boilerplate(text) => {
                            p.boiler title="boilerplate: left out of scoring" {
                                span.tag aria-hidden="true" { "boilerplate" }
                                span.vh { "Boilerplate, not scored: " }
                                (text)
                            }
                        }
                    }
                }
            }
        }
    }
}

fn sentence(doc: usize, s: &ScoredSentence) -> Markup {
    let label = s.prediction.label;
    let tip_id = format!("tip-{doc}-{}", s.index);
    let top = &s.top_terms;
    html! {
        span class={"sent lab-" (label)} data-label=(label) tabindex="0" aria-describedby=(tip_id) {
            span.vh { (label) ": " }
            (s.text)
            span.tip role="tooltip" id=(tip_id) {
                span.tip-head {
                    b { (label) } " · sentence " (s.index)
                    @if s.line > 0 { ", line " (s.line) } @else { " (title)" }
                }
                @for l in Label::ALL {
                    @let p = s.prediction.prob(l);
                    span.tip-row.pred[l == label] {
                        span.tip-name { (l) }
                        span.tip-bar aria-hidden="true" {
                            span.tip-fill style={"width:" (format!("{:.1}", 100.0 * p)) "%;background:" (palette::colours(l).css())} {}
                        }
                        span.tip-val { (format!("{p:.2}")) }
                    }
                }
                span.tip-terms {
                    @if top.is_empty() {
                        "No single term stands out."
                    } @else {
                        "Top terms toward " (label) ": "
                        @for (k, t) in top.iter().enumerate() {
                            @if k > 0 { ", " }
                            b { (t.term) } " (+" (format!("{:.2}", t.contribution)) ")"
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Document;
    use crate::report::{Grouping, ReportBuilder};
    use crate::score::{Segmentation, score_document};

    fn doc(id: &str, source: Option<&str>, date: Option<&str>, text: &str) -> Document {
        Document {
            id: id.into(),
            title: None,
            source: source.map(String::from),
            date: date.map(|d| crate::input::parse_date(d).unwrap()),
            text: text.into(),
            ..Document::default()
        }
    }

    fn scored(model: &StanceModel) -> Vec<ScoredDocument> {
        [
            doc(
                "a",
                Some("Wire <&>"),
                Some("2024-03-05"),
                "Talks resumed in Geneva. The risk of a wider war is growing.\n\nPrevious Article\n\nTroops <b>remain</b> on alert.",
            ),
            doc("b", Some("Daily"), Some("2024-04-01"), "Both sides called for restraint."),
            doc("c", Some("Daily"), None, "Missiles were moved to the border."),
        ]
        .into_iter()
        .map(|d| {
            let mut d = score_document(model, d, Segmentation::Split);
            crate::score::explain_document(model, &mut d, 3);
            d
        })
        .collect()
    }

    fn report(docs: &[ScoredDocument], grouping: &str) -> Report {
        let mut b = ReportBuilder::new(grouping.parse::<Grouping>().unwrap(), 1);
        for d in docs {
            b.add(d);
        }
        b.finish()
    }

    #[test]
    fn detail_docs_keep_the_first_max() {
        let model = StanceModel::embedded().unwrap();
        let mut keep = DetailDocs::new(2);
        for d in scored(&model) {
            keep.push(d);
        }
        assert_eq!(keep.docs().len(), 2);
        assert_eq!(keep.docs()[1].doc.id, "b");
        assert_eq!(keep.left_out(), 1);
    }

    #[test]
    fn blocks_follow_document_order() {
        let model = StanceModel::embedded().unwrap();
        let docs = scored(&model);
        let b = blocks(&docs[0]);
        assert_eq!(b.len(), 3, "paragraph, boilerplate, paragraph");
        assert!(matches!(&b[0], Block::Sentences(1, s) if s.len() == 2));
        assert!(matches!(&b[1], Block::Boilerplate("Previous Article")));
        assert!(matches!(&b[2], Block::Sentences(5, s) if s.len() == 1));
    }

    #[test]
    fn page_escapes_text_and_marks_every_sentence() {
        let model = StanceModel::embedded().unwrap();
        let docs = scored(&model);
        let r = report(&docs, "source,month");
        let mut keep = DetailDocs::new(10);
        for d in docs.iter().cloned() {
            keep.push(d);
        }
        let page = render(&r, &keep, &model, &HtmlMeta::default()).unwrap();
        let sentences: usize = docs.iter().map(|d| d.sentences.len()).sum();
        assert_eq!(page.matches("class=\"sent lab-").count(), sentences);
        assert_eq!(page.matches("<p class=\"boiler\"").count(), 1);
        // Each tooltip shows the terms the sentence was scored with.
        let explained = docs
            .iter()
            .flat_map(|d| &d.sentences)
            .filter(|s| !s.top_terms.is_empty())
            .count();
        assert!(explained > 0);
        assert_eq!(page.matches("Top terms toward ").count(), explained);
        assert!(!page.contains("<b>remain</b>") && page.contains("&lt;b&gt;remain"));
        assert!(!page.contains("Wire <&>") && page.contains("Wire &lt;&amp;&gt;"));
        assert!(page.contains("<svg id=\"chart-shares\""));
        assert!(
            !page.contains("chart-escalation"),
            "source first: no time chart"
        );
        // Keys in grouping order, not alphabetical order of dimension names.
        assert!(page.contains("Daily / 2024-04"));
    }
}
