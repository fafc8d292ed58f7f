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

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{GroupRow, Report, shorten, wilson};
use crate::label::Label;
use crate::model::StanceModel;
use crate::score::{ScoredDocument, ScoredSentence};
use charts::{
    CorrectedBar, corrected_svg, escalation_svg, reliability_svg, shares_svg, style, time_series,
};

/// Default number of documents shown sentence by sentence.
pub const DEFAULT_DETAIL_DOCS: usize = 200;

/// What each label means, for the legend (from the annotation guide).
fn meaning(label: Label) -> &'static str {
    match label {
        Label::Deterrence => {
            "strength, readiness or credible costs as the way to prevent aggression"
        }
        Label::EscalationWarning => {
            "the danger that a conflict starts, widens, intensifies or turns into confrontation"
        }
        Label::Diplomacy => "talks, agreements, de-escalation, restraint or cooperation",
        Label::Neutral => "none of the three framings",
    }
}

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

/// Sums over every group.
struct Totals {
    documents: usize,
    sentences: usize,
    boilerplate: usize,
    counts: [usize; Label::COUNT],
    prob_sums: [f64; Label::COUNT],
}

impl Totals {
    fn of(rows: &[GroupRow]) -> Totals {
        let mut t = Totals {
            documents: 0,
            sentences: 0,
            boilerplate: 0,
            counts: [0; Label::COUNT],
            prob_sums: [0.0; Label::COUNT],
        };
        for r in rows {
            t.documents += r.documents;
            t.sentences += r.sentences;
            t.boilerplate += r.boilerplate;
            for l in Label::ALL {
                t.counts[l.index()] += r.counts.get(&l).copied().unwrap_or(0);
                t.prob_sums[l.index()] += r.prob_sums[l.index()];
            }
        }
        t
    }

    fn share(&self, l: Label) -> f64 {
        ratio(self.counts[l.index()], self.sentences)
    }
}

fn ratio(k: usize, n: usize) -> f64 {
    if n == 0 { 0.0 } else { k as f64 / n as f64 }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The group's key in grouping order, e.g. `RUS / 2022`.
fn key_text(report: &Report, row: &GroupRow) -> String {
    report
        .group_by
        .iter()
        .map(|g| row.key.get(g.name()).map(String::as_str).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" / ")
}

const CSS: &str = r#"
:root { color-scheme: light; --ink: #1b1b1b; --muted: #5a5a5a; --rule: #d9d9d9;
  --det: #0072B2; --esc: #D55E00; --dip: #009E73; --neu: #BBBBBB;
  --det-bg: #d9e9f6; --esc-bg: #fbe1cd; --dip-bg: #d2f0e6; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
main { max-width: 74rem; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
h1 { font-size: 1.75rem; margin: 0 0 .25rem; line-height: 1.2; }
h2 { font-size: 1.3rem; margin: 2.25rem 0 .6rem; padding-bottom: .25rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 0; overflow-wrap: anywhere; }
p { margin: .5rem 0; }
.meta { color: var(--muted); margin: 0; font-size: .92rem; overflow-wrap: anywhere; }
.meta code { font-size: .88rem; }
.cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: .9rem 0 0; padding: 0; list-style: none; }
.cards + .cards { margin-top: .6rem; }
.cards li { border: 1px solid var(--rule); border-radius: 6px; padding: .45rem .8rem; min-width: 8.5rem; }
.cards b { display: block; font-size: 1.3rem; font-variant-numeric: tabular-nums; }
.cards span { color: var(--muted); font-size: .85rem; }
.legend { display: grid; grid-template-columns: repeat(auto-fit, minmax(13.5rem, 1fr)); gap: .6rem;
  padding: 0; margin: .6rem 0 0; list-style: none; font-size: .88rem; line-height: 1.35; }
.legend li { border: 1px solid var(--rule); border-radius: 6px; padding: .45rem .8rem; }
.legend-name { display: flex; align-items: center; gap: .45rem; }
.legend-share { display: block; color: var(--muted); margin: .15rem 0; }
.legend-share b { font-size: 1.3rem; color: var(--ink); font-variant-numeric: tabular-nums; }
.legend .meaning { display: block; color: var(--muted); font-size: .8rem; }
.swatch { display: inline-block; width: 1.9rem; height: .95rem; border-radius: 2px; flex: none; vertical-align: -.1rem; }
.swatch.lab-deterrence { background: var(--det-bg); border-bottom: 3px solid var(--det); }
.swatch.lab-escalation-warning { background: var(--esc-bg); border-bottom: 3px double var(--esc); border-bottom-width: 4px; }
.swatch.lab-diplomacy { background: var(--dip-bg); border-bottom: 3px dashed var(--dip); }
.swatch.lab-neutral { background: #fff; border: 1px solid var(--rule); }
.swatch.boilerplate { background: #f3f3f3; border: 1px dashed #aaa; }
figure { margin: 1rem 0 1.5rem; }
figcaption { color: var(--muted); font-size: .88rem; margin-top: .3rem; }
svg.chart { display: block; width: 100%; max-width: 1080px; height: auto; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: .88rem; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .45rem; border-bottom: 1px solid var(--rule); text-align: right; vertical-align: top; white-space: nowrap; }
th { background: #f5f5f5; font-weight: 600; position: sticky; top: 0; }
th.key, td.key { text-align: left; white-space: normal; min-width: 6rem; overflow-wrap: anywhere; }
td small { color: var(--muted); }
tfoot td { font-weight: 600; border-top: 2px solid #999; }
.th-lab { border-bottom: 3px solid; }
.note { background: #fff8e1; border-left: 4px solid #e0b000; padding: .5rem .8rem; }
.hint { color: var(--muted); font-size: .92rem; }
.top-list { font-size: .93rem; padding-left: 1.2rem; }
.top-list li { margin: .25rem 0; }
.top-list .prob { font-variant-numeric: tabular-nums; color: var(--esc); font-weight: 600; }
details.doc-index { margin: .75rem 0; font-size: .9rem; }
details.doc-index summary { cursor: pointer; color: #0b57a4; }
details.doc-index ol { columns: 2 26rem; column-gap: 2.5rem; padding-left: 2.2rem; margin: .5rem 0; }
details.doc-index li { break-inside: avoid; margin-bottom: .2rem; }
details.doc-index a { color: #0b57a4; }
article.doc { border: 1px solid var(--rule); border-radius: 8px; padding: .9rem 1.1rem; margin: 1rem 0 1.5rem; }
.doc-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem 1rem; margin-bottom: .5rem; }
.docbar { display: flex; height: .55rem; border-radius: 3px; overflow: hidden; background: #eee; margin: .4rem 0 .8rem; max-width: 30rem; }
.docbar span { display: block; height: 100%; }
.doc-body { font-size: 1.02rem; line-height: 1.85; max-width: 48rem; }
.para { position: relative; margin: 0 0 .75rem; }
.para.title-line { font-weight: 650; font-size: 1.08rem; }
.sent { padding: .08rem .05rem; border-radius: 2px; -webkit-box-decoration-break: clone; box-decoration-break: clone; cursor: help; }
.sent.lab-deterrence { background: var(--det-bg); border-bottom: 2px solid var(--det); }
.sent.lab-escalation-warning { background: var(--esc-bg); border-bottom: 4px double var(--esc); }
.sent.lab-diplomacy { background: var(--dip-bg); border-bottom: 2px dashed var(--dip); }
.sent.lab-neutral { background: transparent; }
.sent:hover { outline: 1px solid #777; }
.sent:focus { outline: 3px solid #1a1a1a; outline-offset: 1px; }
.sent:focus:not(:focus-visible) { outline: 1px solid #777; }
.tip { display: none; position: absolute; left: 0; z-index: 10; width: min(27rem, 100%); margin-top: .3rem;
  background: #fff; color: var(--ink); border: 1px solid #888; border-radius: 6px; padding: .55rem .75rem;
  box-shadow: 0 4px 14px rgba(0,0,0,.18); font-size: .85rem; line-height: 1.45; font-weight: 400; cursor: auto; }
.sent:hover > .tip, .sent:focus > .tip, .sent:focus-within > .tip { display: block; }
.tip-head { display: block; margin-bottom: .35rem; }
.tip-head b { text-transform: none; }
.tip-row { display: grid; grid-template-columns: 8.8rem 1fr 3rem; align-items: center; gap: .5rem; }
.tip-row.pred { font-weight: 700; }
.tip-bar { display: block; height: .55rem; background: #eee; border-radius: 2px; overflow: hidden; }
.tip-fill { display: block; height: 100%; }
.tip-val { text-align: right; font-variant-numeric: tabular-nums; }
.tip-terms { display: block; margin-top: .4rem; color: var(--muted); }
.tip-terms b { color: var(--ink); font-weight: 600; }
.boiler { color: #8a8a8a; font-size: .88rem; font-style: italic; line-height: 1.5; margin: 0 0 .6rem;
  border-left: 3px dashed #c8c8c8; padding-left: .5rem; }
.boiler .tag { font-style: normal; font-size: .72rem; text-transform: uppercase; letter-spacing: .04em;
  border: 1px solid #c8c8c8; border-radius: 3px; padding: 0 .3rem; margin-right: .4rem; }
.vh { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 40rem) { main { padding: 1rem .8rem 3rem; } .tip-row { grid-template-columns: 7.5rem 1fr 2.6rem; } }
@media print {
  @page { margin: 14mm 12mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  figure, tr, .legend, .cards { break-inside: avoid; }
  .legend { grid-template-columns: repeat(4, 1fr); }
  details.doc-index, .hint { display: none; }
  .tip, .sent:hover > .tip, .sent:focus > .tip, .sent:focus-within > .tip { display: none; }
  .sent:hover, .sent:focus { outline: none; }
  th { position: static; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  th, td { padding: .15rem .25rem; white-space: normal; }
  td small { display: block; }
  article.doc { border: none; padding: 0; margin: 0 0 1rem; }
  .doc-head { break-after: avoid; }
  .doc-body { max-width: none; line-height: 1.6; font-size: 10pt; }
  .para { break-inside: auto; }
  a { color: inherit; text-decoration: none; }
}
"#;

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
    let totals = Totals::of(&report.rows);
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
            let mut s = [0.0; Label::COUNT];
            for l in Label::ALL {
                s[l.index()] = r.shares.get(&l).copied().unwrap_or(0.0);
            }
            (key_text(report, r), s, r.sentences)
        })
        .collect();
    let shares_chart = shares_svg(&bars)?;
    let time = time_series(report);
    let time_chart = match &time {
        Some((points, _)) if !points.is_empty() => {
            Some(escalation_svg(points, model.share_estimator())?)
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
                style { (PreEscaped(CSS)) }
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
                                    @if let Some((_, undated)) = &time {
                                        @if *undated > 0 {
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
                                    (format!("{:.3}", c.raw.per_label[&Label::EscalationWarning].ece))
                                    ", calibrated "
                                    (format!("{:.3}", c.calibrated.per_label[&Label::EscalationWarning].ece)) "."
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
                        " of sentences (" (totals.counts[l.index()]) ")"
                    }
                    span.meaning { (meaning(l)) }
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
                                style={"border-bottom-color:" (style(l).css_solid)} { (short_name(l)) }
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
                                td.key { (r.key.get(g.name()).map(String::as_str).unwrap_or("")) }
                            }
                            td { (r.documents) }
                            td { (r.sentences) }
                            td { (r.boilerplate) }
                            @for l in Label::ALL {
                                td {
                                    (pct(r.shares.get(&l).copied().unwrap_or(0.0)))
                                    " " small { "(" (r.counts.get(&l).copied().unwrap_or(0)) ")" }
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
                                td { (pct(totals.share(l))) " " small { "(" (totals.counts[l.index()]) ")" } }
                            }
                            @let esc = totals.counts[Label::EscalationWarning.index()];
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
                            span style={"width:" (format!("{:.3}", 100.0 * ratio(counts[l.index()], total))) "%;background:" (style(l).css_solid)}
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
                            span.tip-fill style={"width:" (format!("{:.1}", 100.0 * p)) "%;background:" (style(l).css_solid)} {}
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
    fn time_series_sums_other_dimensions_and_skips_undated() {
        let model = StanceModel::embedded().unwrap();
        let docs = scored(&model);
        let r = report(&docs, "month,source");
        let (points, undated) = time_series(&r).unwrap();
        assert_eq!(undated, 1);
        let keys: Vec<&str> = points.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["2024-03", "2024-04"]);
        assert_eq!(points[0].sentences, docs[0].sentences.len());
        assert!(time_series(&report(&docs, "source,month")).is_none());
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
