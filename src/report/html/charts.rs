//! The report's SVG charts, drawn with `plotters`' SVG backend, in the
//! page's palette ([`super::palette`]).

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::super::{TimePoint, wilson};
use super::palette::colours;
use super::ratio;
use crate::eval::CalibrationMetrics;
use crate::label::Label;
use crate::quantify::{ShareEstimate, ShareEstimator};
use crate::report::shorten;

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

/// Gives a plotters SVG an id and an accessible name, and lets CSS scale it.
fn finish_svg(svg: String, id: &str, label: &str) -> String {
    // `label` is ours (no user text), so it needs no escaping beyond quotes.
    debug_assert!(!label.contains(['"', '<', '&']));
    svg.replacen(
        "<svg ",
        &format!(r#"<svg id="{id}" class="chart" role="img" aria-label="{label}" "#),
        1,
    )
}

const FONT: &str = "sans-serif";
const CHART_W: u32 = 1080;

/// Layout of a chart with one horizontal row per group: rows get thinner
/// as groups grow (every group stays in the chart), names at the left.
struct GroupRows {
    n: usize,
    row_h: u32,
    label_size: u32,
    height: u32,
    label_w: u32,
}

impl GroupRows {
    fn new<'a>(names: impl Iterator<Item = &'a str>) -> GroupRows {
        let (mut n, mut longest) = (0, 4);
        for name in names {
            n += 1;
            longest = longest.max(name.chars().count());
        }
        let n = n.max(1);
        let row_h: u32 = match n {
            0..=40 => 30,
            41..=200 => 18,
            _ => 10,
        };
        GroupRows {
            n,
            row_h,
            label_size: if row_h < 18 { 11 } else { 16 },
            height: 56 + row_h * n as u32,
            label_w: (longest as u32 * 8 + 16).clamp(60, 330),
        }
    }

    /// The y coordinate of the middle of row `i` (row 0 at the top).
    fn mid(&self, i: usize) -> f64 {
        (self.n - i) as f64 - 0.5
    }
}

type GroupChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The axes of a one-row-per-group chart: a percentage x axis from 0 to
/// `x_max` described by `x_desc`, rows without a y axis.
fn group_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    rows: &GroupRows,
    x_max: f64,
    margin_right: u32,
    x_desc: &str,
) -> Result<GroupChart<'a, 'b>, String> {
    let mut chart = ChartBuilder::on(root)
        .margin_top(8)
        .margin_left(6)
        .margin_right(margin_right)
        .margin_bottom(4)
        .x_label_area_size(42)
        .y_label_area_size(rows.label_w)
        .build_cartesian_2d(0f64..x_max, 0f64..rows.n as f64)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(11)
        .x_max_light_lines(1)
        .x_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .x_desc(x_desc)
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 16))
        .bold_line_style(BLACK.mix(0.12))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(chart)
}

/// Writes a group's name at the left of row `i`.
fn draw_group_name(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    chart: &GroupChart<'_, '_>,
    rows: &GroupRows,
    i: usize,
    name: &str,
) -> Result<(), String> {
    let (lx, ly) = chart.backend_coord(&(0.0, rows.mid(i)));
    root.draw(&Text::new(
        shorten(name, 40),
        (lx - 8, ly),
        (FONT, rows.label_size)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center)),
    ))
    .map_err(|e| e.to_string())
}

/// Stacked horizontal bars of the four label shares, one bar per group.
pub(super) fn shares_svg(bars: &[(String, [f64; Label::COUNT], usize)]) -> Result<String, String> {
    let rows = GroupRows::new(bars.iter().map(|b| b.0.as_str()));
    let (n, bar_h, label_size) = (rows.n, rows.row_h, rows.label_size);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, rows.height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        // Thin bars carry no percentages.
        let mut chart = group_chart(&root, &rows, 1.0, 84, "share of scored sentences")?;
        for (i, (name, shares, sentences)) in bars.iter().enumerate() {
            let top = (n - i) as f64 - 0.14;
            let bottom = (n - i - 1) as f64 + 0.14;
            let mut x = 0.0;
            for l in Label::ALL {
                let w = shares[l.index()];
                if w <= 0.0 {
                    continue;
                }
                let st = colours(l);
                chart
                    .draw_series([Rectangle::new(
                        [(x, bottom), (x + w, top)],
                        rgb(st.solid).filled(),
                    )])
                    .map_err(|e| e.to_string())?;
                if w >= 0.05 && bar_h >= 18 {
                    let on = rgb(st.on_solid);
                    chart
                        .draw_series([Text::new(
                            format!("{:.0}%", 100.0 * w),
                            (x + w / 2.0, (top + bottom) / 2.0),
                            (FONT, 15)
                                .into_font()
                                .color(&on)
                                .pos(Pos::new(HPos::Center, VPos::Center)),
                        )])
                        .map_err(|e| e.to_string())?;
                }
                x += w;
            }
            draw_group_name(&root, &chart, &rows, i, name)?;
            let (rx, ry) = chart.backend_coord(&(1.0, rows.mid(i)));
            root.draw(&Text::new(
                format!("n = {sentences}"),
                (rx + 8, ry),
                (FONT, label_size.min(14))
                    .into_font()
                    .color(&RGBColor(0x44, 0x44, 0x44))
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(finish_svg(
        svg,
        "chart-shares",
        "Stacked bars: share of each label among the scored sentences of each group",
    ))
}

/// The escalation ratio over time as a line with its 95 % Wilson interval
/// as a band; one point per time key. With a share estimator, the
/// corrected escalation share too: a dark line with its 95 % interval as
/// whiskers.
pub(super) fn escalation_svg(
    points: &[TimePoint],
    estimator: Option<&ShareEstimator>,
) -> Result<String, String> {
    let m = points.len().max(1);
    let height = 340u32;
    let bounds: Vec<(f64, f64, f64)> = points
        .iter()
        .map(|p| {
            let (lo, hi) = wilson(p.escalation, p.sentences);
            (ratio(p.escalation, p.sentences), lo, hi)
        })
        .collect();
    let corrected: Vec<Option<ShareEstimate>> = points
        .iter()
        .map(|p| {
            estimator
                .and_then(|e| e.estimate(&p.prob_sums, p.sentences))
                .map(|e| e[Label::EscalationWarning.index()])
        })
        .collect();
    let top = bounds
        .iter()
        .map(|b| b.2)
        .chain(corrected.iter().flatten().map(|e| e.high))
        .fold(0.0f64, f64::max);
    // A round upper bound: the next multiple of 5 % above the band.
    let y_max = ((top * 1.1 * 20.0).ceil() / 20.0).clamp(0.05, 1.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(12)
            .margin_left(6)
            .margin_right(24)
            .margin_bottom(4)
            .x_label_area_size(56)
            .y_label_area_size(76)
            .build_cartesian_2d(-0.5f64..m as f64 - 0.5, 0f64..y_max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_max_light_lines(1)
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .y_desc("escalation-warning share")
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
            .bold_line_style(BLACK.mix(0.12))
            .draw()
            .map_err(|e| e.to_string())?;
        let esc = rgb(colours(Label::EscalationWarning).solid);
        // The band; a single point gets a narrow box instead.
        let band: Vec<(f64, f64)> = if bounds.len() == 1 {
            let (_, lo, hi) = bounds[0];
            vec![(-0.08, lo), (0.08, lo), (0.08, hi), (-0.08, hi)]
        } else {
            let lower = bounds.iter().enumerate().map(|(i, b)| (i as f64, b.1));
            let upper = bounds
                .iter()
                .enumerate()
                .rev()
                .map(|(i, b)| (i as f64, b.2));
            lower.chain(upper).collect()
        };
        if !band.is_empty() {
            chart
                .draw_series([Polygon::new(band, esc.mix(0.18).filled())])
                .map_err(|e| e.to_string())?;
        }
        let line: Vec<(f64, f64)> = bounds
            .iter()
            .enumerate()
            .map(|(i, b)| (i as f64, b.0))
            .collect();
        chart
            .draw_series([PathElement::new(line.clone(), esc.stroke_width(2))])
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(line.iter().map(|&p| Circle::new(p, 4, esc.filled())))
            .map_err(|e| e.to_string())?;
        if corrected.iter().any(Option::is_some) {
            let ink = RGBColor(0x1b, 0x1b, 0x1b);
            let pts: Vec<(f64, f64)> = corrected
                .iter()
                .enumerate()
                .filter_map(|(i, e)| e.map(|e| (i as f64, e.share)))
                .collect();
            chart
                .draw_series([PathElement::new(pts.clone(), ink.stroke_width(2))])
                .map_err(|e| e.to_string())?;
            for (i, e) in corrected.iter().enumerate() {
                let Some(e) = e else { continue };
                let x = i as f64;
                chart
                    .draw_series([
                        PathElement::new(vec![(x, e.low), (x, e.high)], ink.stroke_width(1)),
                        PathElement::new(
                            vec![(x - 0.06, e.low), (x + 0.06, e.low)],
                            ink.stroke_width(1),
                        ),
                        PathElement::new(
                            vec![(x - 0.06, e.high), (x + 0.06, e.high)],
                            ink.stroke_width(1),
                        ),
                    ])
                    .map_err(|e| e.to_string())?;
            }
            chart
                .draw_series(pts.iter().map(|&p| {
                    Rectangle::new([(p.0 - 0.05, p.1), (p.0 + 0.05, p.1)], ink.stroke_width(7))
                }))
                .map_err(|e| e.to_string())?;
        }
        // Category labels under the axis; every `step`-th when crowded.
        let plot_w = CHART_W as usize - 100;
        let widest = points.iter().map(|p| p.key.len().max(7)).max().unwrap_or(7) * 8 + 14;
        let step = (widest * m).div_ceil(plot_w).max(1);
        let grey = RGBColor(0x44, 0x44, 0x44);
        for (i, p) in points.iter().enumerate() {
            if i % step != 0 {
                continue;
            }
            let (x, y) = chart.backend_coord(&(i as f64, 0.0));
            root.draw(&Text::new(
                p.key.clone(),
                (x, y + 8),
                (FONT, 16)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(|e| e.to_string())?;
            root.draw(&Text::new(
                format!("n = {}", p.sentences),
                (x, y + 28),
                (FONT, 14)
                    .into_font()
                    .color(&grey)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(finish_svg(
        svg,
        "chart-escalation",
        if estimator.is_some() {
            "Line chart over time: the counted escalation ratio (orange, with its 95% Wilson interval as a shaded band) and the corrected escalation share (black, with its 95% interval as whiskers)"
        } else {
            "Line chart: escalation-warning share of scored sentences over time, with its 95% Wilson interval as a shaded band"
        },
    ))
}

/// One group's row in the corrected-shares chart: its name, corrected
/// escalation and diplomacy shares, and counted escalation ratio.
pub(super) struct CorrectedBar {
    pub name: String,
    pub escalation: ShareEstimate,
    pub diplomacy: ShareEstimate,
    pub counted_escalation: f64,
}

/// Dot-and-whisker rows: per group, the corrected escalation and diplomacy
/// shares with their 95 % intervals, and the counted escalation ratio as
/// a hollow mark.
pub(super) fn corrected_svg(bars: &[CorrectedBar]) -> Result<String, String> {
    let rows = GroupRows::new(bars.iter().map(|b| b.name.as_str()));
    let top = bars
        .iter()
        .map(|b| {
            b.escalation
                .high
                .max(b.diplomacy.high)
                .max(b.counted_escalation)
        })
        .fold(0.0f64, f64::max);
    let x_max = ((top * 1.1 * 20.0).ceil() / 20.0).clamp(0.05, 1.0);
    let esc = rgb(colours(Label::EscalationWarning).solid);
    let dip = rgb(colours(Label::Diplomacy).solid);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, rows.height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = group_chart(
            &root,
            &rows,
            x_max,
            24,
            "corrected share, with 95% interval",
        )?;
        for (i, b) in bars.iter().enumerate() {
            let mid = rows.mid(i);
            for (e, colour, dy) in [(b.escalation, esc, 0.15), (b.diplomacy, dip, -0.15)] {
                let y = mid + dy;
                chart
                    .draw_series([PathElement::new(
                        vec![(e.low, y), (e.high, y)],
                        colour.stroke_width(2),
                    )])
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series([Circle::new((e.share, y), 4, colour.filled())])
                    .map_err(|e| e.to_string())?;
            }
            chart
                .draw_series([Circle::new(
                    (b.counted_escalation, mid + 0.15),
                    5,
                    esc.stroke_width(1),
                )])
                .map_err(|e| e.to_string())?;
            draw_group_name(&root, &chart, &rows, i, &b.name)?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(finish_svg(
        svg,
        "chart-corrected",
        "Dot and whisker chart: corrected escalation-warning (orange) and diplomacy (green) shares of each group with their 95% intervals; hollow circles mark the counted escalation ratio",
    ))
}

/// Reliability diagram: one panel per label, observed share against mean
/// probability per bin, raw (hollow) and calibrated (filled), with the
/// diagonal of perfect calibration.
pub(super) fn reliability_svg(c: &CalibrationMetrics) -> Result<String, String> {
    let (w, h) = (CHART_W, 300u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let panels = root.split_evenly((1, Label::COUNT));
        for (panel, l) in panels.iter().zip(Label::ALL) {
            let colour = rgb(colours(l).solid);
            let mut chart = ChartBuilder::on(panel)
                .caption(l.as_str(), (FONT, 16))
                .margin(8)
                .x_label_area_size(36)
                .y_label_area_size(44)
                .build_cartesian_2d(0f64..1f64, 0f64..1f64)
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .x_labels(6)
                .y_labels(6)
                .max_light_lines(0)
                .x_label_formatter(&|v| format!("{:.1}", v))
                .y_label_formatter(&|v| format!("{:.1}", v))
                .x_desc("probability")
                .y_desc(if l == Label::Deterrence {
                    "observed share"
                } else {
                    ""
                })
                .label_style((FONT, 13))
                .axis_desc_style((FONT, 13))
                .bold_line_style(BLACK.mix(0.12))
                .draw()
                .map_err(|e| e.to_string())?;
            chart
                .draw_series([PathElement::new(
                    vec![(0.0, 0.0), (1.0, 1.0)],
                    BLACK.mix(0.4).stroke_width(1),
                )])
                .map_err(|e| e.to_string())?;
            for (q, filled) in [(&c.raw, false), (&c.calibrated, true)] {
                let bins = &q.per_label[l].bins;
                let pts: Vec<(f64, f64)> = bins
                    .iter()
                    .filter(|b| b.rows > 0)
                    .map(|b| (b.mean_prob, b.observed))
                    .collect();
                let stroke = if filled {
                    colour.stroke_width(2)
                } else {
                    colour.mix(0.5).stroke_width(1)
                };
                chart
                    .draw_series([PathElement::new(pts.clone(), stroke)])
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(pts.iter().map(|&p| {
                        if filled {
                            Circle::new(p, 4, colour.filled())
                        } else {
                            Circle::new(p, 4, colour.stroke_width(1))
                        }
                    }))
                    .map_err(|e| e.to_string())?;
            }
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(finish_svg(
        svg,
        "chart-reliability",
        "Reliability diagrams, one per label: observed share of sentences with the label against their mean probability, in ten bins; hollow points raw probabilities, filled points calibrated; the diagonal is perfect calibration",
    ))
}
