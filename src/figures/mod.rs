//! The figures stage: plotters draws each chart as SVG from the analysis, with every word
//! from the language file and an alternative text built from the same numbers.
//!
//! Text names `Libertinus Serif`, a family the embedded typst font book holds (typst
//! ignores generic families such as `sans-serif`), so a figure looks the same in the PDF.
//! The palette differs in lightness as well as hue, and every bar or cell also carries its
//! number, so no meaning rests on colour alone.

mod survey;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::analysis::Analysis;
use crate::lang::{Lang, Word};
use crate::problem::{build_err, Result};
use crate::study::{EventKind, Measure, Study};

/// The font named in the SVGs: typst ignores generic families, so it must be one the report embeds.
pub const FONT: &str = "Libertinus Serif";
const WIDTH: u32 = 820;
/// Tones that stay apart in greyscale and for colour-blind readers (after Okabe and Ito).
/// One colour has one meaning in every figure: individual interviews, group interviews,
/// participants, interviews, a spare grey, then the first and second model, then the
/// evaluation's own milestones. Parts of a whole (the breakdown figures) take the greys of
/// [`PARTS`] instead, so they never borrow a colour that means something else.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x0b, 0x3c, 0x6e),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x9c, 0xd2, 0xf0),
    RGBColor(0x6e, 0x2f, 0x5e),
    RGBColor(0xcc, 0xcc, 0xcc),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x99, 0x33, 0x66),
];
/// Where the models start in [`PALETTE`].
const MODEL_COLOURS: usize = 5;
/// The evaluation's milestones in the timeline.
const MILESTONE: RGBColor = PALETTE[7];
/// Parts of a whole, dark to light; each part also carries its label and value.
const PARTS: [RGBColor; 5] = [
    RGBColor(0x33, 0x33, 0x33),
    RGBColor(0x66, 0x66, 0x66),
    RGBColor(0x99, 0x99, 0x99),
    RGBColor(0xbb, 0xbb, 0xbb),
    RGBColor(0xdd, 0xdd, 0xdd),
];
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);

/// One chart in one language, as SVG with its alternative text.
#[derive(Clone, Debug)]
pub struct Figure {
    /// File stem in `figures/`: an id, so it cannot leave the folder.
    pub name: crate::study::Id,
    /// Its language.
    pub lang: String,
    /// The SVG markup.
    pub svg: String,
    /// The alternative text (PDF/UA requires one for every image).
    pub alt: String,
}

fn err<E: std::fmt::Debug>(e: E) -> crate::problem::Failure {
    build_err(format!("drawing a figure failed: {e:?}"))
}

fn text(size: u32) -> TextStyle<'static> {
    (FONT, size as f64).into_font().color(&INK)
}

fn anchored(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    text(size).pos(Pos::new(h, v))
}

/// Text on a light fill is dark; on a dark fill it is white.
fn ink_on(fill: &RGBColor) -> RGBColor {
    let lum = 0.299 * fill.0 as f64 + 0.587 * fill.1 as f64 + 0.114 * fill.2 as f64;
    if lum < 140.0 {
        WHITE
    } else {
        INK
    }
}

/// All figures of the study in one language.
pub fn draw_all(study: &Study, analysis: &Analysis, lang: &Lang) -> Result<Vec<Figure>> {
    let mut figures = vec![participants_by_region(study, analysis, lang)?];
    // A chart of hidden numbers only would be bars of nothing: left out, and the table
    // beside it says why.
    if analysis.by_model.iter().any(|(_, people, interviews)| people.value().is_some() || interviews.value().is_some())
    {
        figures.push(participants_by_model(study, analysis, lang)?);
    }
    if !study.codes.is_empty() {
        figures.push(evidence_heatmap(study, analysis, lang)?);
        figures.push(excerpts_by_theme(study, analysis, lang)?);
    }
    if !study.events.is_empty() {
        figures.push(policy_timeline(study, lang)?);
    }
    figures.extend(share_figures(study, lang)?);
    figures.extend(survey::draw(study, analysis, lang)?);
    Ok(figures)
}

/// Words joined into lines of at most `max` characters (a longer word stands alone).
fn wrap_label(label: &str, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= max => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// One group of horizontal bars: a label and one value per series (`None` = suppressed).
struct BarGroup {
    label: String,
    bars: Vec<(Option<f64>, String)>,
}

/// Horizontal grouped bars with a legend on top, a value at the end of each bar and a
/// light grid; used by every count chart so they read alike.
/// `colours` gives each series its palette entry, so one series (participants, say) has
/// the same colour in every figure.
// Longer than 80 lines on purpose: one drawing whose axes, bars, values and legend share
// one layout computed at the top; split, each piece would take that layout as arguments.
fn hbar_chart(
    series: &[String],
    colours: &[usize],
    groups: &[BarGroup],
    axis: &str,
    suppressed: &str,
) -> Result<String> {
    let colour = |i: usize| PALETTE[colours.get(i).copied().unwrap_or(i) % PALETTE.len()];
    let bar_h = 22u32;
    let group_gap = 18u32;
    let label_w = 250i32;
    // The legend wraps onto more rows when its entries would run past the right edge
    // (widths estimated generously: 10 px a character at 20 px).
    let mut legend: Vec<(i32, i32)> = Vec::new();
    let (mut lx, mut ly) = (label_w, 18);
    for name in series {
        let need = 24 + name.chars().count() as i32 * 10;
        if lx > label_w && lx + need > WIDTH as i32 {
            lx = label_w;
            ly += 28;
        }
        let x0 = if lx + need > WIDTH as i32 { (WIDTH as i32 - need).max(10) } else { lx };
        legend.push((x0, ly));
        lx = x0 + 40 + (name.chars().count() as i32) * 9;
    }
    let top = 60i32 + (ly - 18);
    let group_h = bar_h * series.len() as u32 + group_gap;
    let height = top as u32 + group_h * groups.len() as u32 + 50;
    let max = groups.iter().flat_map(|g| g.bars.iter().filter_map(|b| b.0)).fold(0.0f64, f64::max).max(1.0);
    let step = nice_step(max);
    let axis_max = (max / step).ceil() * step;
    let plot_w = (WIDTH as i32 - label_w - 60) as f64;
    let x = |v: f64| label_w + (v / axis_max * plot_w).round() as i32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        // Legend.
        for (i, (name, &(lx, ly))) in series.iter().zip(&legend).enumerate() {
            let color = colour(i);
            root.draw(&Rectangle::new([(lx, ly), (lx + 18, ly + 18)], color.filled())).map_err(err)?;
            root.draw(&Rectangle::new([(lx, ly), (lx + 18, ly + 18)], INK.stroke_width(1))).map_err(err)?;
            root.draw(&Text::new(name.clone(), (lx + 24, ly + 9), anchored(20, HPos::Left, VPos::Center)))
                .map_err(err)?;
        }
        // Grid and axis labels.
        let bottom = top + (group_h * groups.len() as u32) as i32;
        let mut v = 0.0;
        while v <= axis_max + 1e-9 {
            root.draw(&PathElement::new(vec![(x(v), top - 6), (x(v), bottom)], GRID.stroke_width(1))).map_err(err)?;
            root.draw(&Text::new(format_tick(v), (x(v), bottom + 6), anchored(17, HPos::Center, VPos::Top)))
                .map_err(err)?;
            v += step;
        }
        root.draw(&Text::new(
            axis.to_string(),
            (label_w + plot_w as i32 / 2, bottom + 28),
            anchored(18, HPos::Center, VPos::Top),
        ))
        .map_err(err)?;
        for (gi, group) in groups.iter().enumerate() {
            let gy = top + (gi as u32 * group_h) as i32;
            let mid = gy + (bar_h * series.len() as u32) as i32 / 2;
            // A long label is wrapped (lines separated by `\n`), never cut.
            let lines: Vec<&str> = group.label.lines().collect();
            let (size, step) = if lines.len() > 1 { (18, 19) } else { (20, 0) };
            for (li, line) in lines.iter().enumerate() {
                let dy = (2 * li as i32 - (lines.len() as i32 - 1)) * step / 2;
                root.draw(&Text::new(
                    line.to_string(),
                    (label_w - 12, mid + dy),
                    anchored(size, HPos::Right, VPos::Center),
                ))
                .map_err(err)?;
            }
            for (si, (value, label)) in group.bars.iter().enumerate() {
                let y0 = gy + (si as u32 * bar_h) as i32;
                let y1 = y0 + bar_h as i32 - 3;
                let color = colour(si);
                match value {
                    Some(v) => {
                        root.draw(&Rectangle::new([(x(0.0), y0), (x(*v), y1)], color.filled())).map_err(err)?;
                        root.draw(&Rectangle::new([(x(0.0), y0), (x(*v), y1)], INK.stroke_width(1))).map_err(err)?;
                        root.draw(&Text::new(
                            label.clone(),
                            (x(*v) + 6, (y0 + y1) / 2),
                            anchored(18, HPos::Left, VPos::Center),
                        ))
                        .map_err(err)?;
                    }
                    None => {
                        root.draw(&Text::new(
                            format!("{label} ({suppressed})"),
                            (x(0.0) + 6, (y0 + y1) / 2),
                            anchored(18, HPos::Left, VPos::Center),
                        ))
                        .map_err(err)?;
                    }
                }
            }
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// A step of 1, 2 or 5 × 10ⁿ giving at most about eight grid lines.
fn nice_step(max: f64) -> f64 {
    let raw = max / 8.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag).max(1.0)
}

fn format_tick(v: f64) -> String {
    format!("{}", v.round() as i64)
}

fn participants_by_region(study: &Study, a: &Analysis, lang: &Lang) -> Result<Figure> {
    let series =
        vec![lang.word(Word::IndividualInterviews), lang.word(Word::GroupInterviews), lang.word(Word::Participants)];
    let mut alt = vec![lang.word(Word::AltParticipantsByRegion)];
    // Each row of the analysis names its region: paired by id, never by position.
    let groups: Vec<BarGroup> = a
        .by_region
        .iter()
        .filter_map(|(id, c)| Some((study.region(id)?, c)))
        .map(|(r, c)| {
            alt.push(lang.say(
                Word::AltRegionRow,
                &[
                    ("region", r.name.get(&lang.code).into()),
                    ("individual", lang.int(c.individual)),
                    ("group", lang.int(c.group)),
                    ("participants", lang.int(c.participants)),
                ],
            ));
            BarGroup {
                label: r.name.get(&lang.code).to_string(),
                bars: [c.individual, c.group, c.participants].iter().map(|v| (Some(*v as f64), lang.int(*v))).collect(),
            }
        })
        .collect();
    let svg = hbar_chart(&series, &[0, 1, 2], &groups, &lang.word(Word::AxisCount), &lang.word(Word::Suppressed))?;
    Ok(Figure {
        name: crate::study::Id::fixed("participants-by-region"),
        lang: lang.code.clone(),
        svg,
        alt: alt.join(". ") + ".",
    })
}

fn participants_by_model(study: &Study, a: &Analysis, lang: &Lang) -> Result<Figure> {
    let k = a.k;
    let series = vec![lang.word(Word::Interviews), lang.word(Word::Participants)];
    let mut alt = vec![lang.word(Word::FigParticipantsByModel)];
    // Each row of the analysis names its model: paired by id, never by position.
    let groups: Vec<BarGroup> = a
        .by_model
        .iter()
        .filter_map(|(id, people, interviews)| Some((study.model(id)?, people, interviews)))
        .map(|(m, people, interviews)| {
            alt.push(lang.say(
                Word::AltModelRow,
                &[
                    ("model", m.name.get(&lang.code).into()),
                    ("interviews", lang.shown_in_text(interviews.get(), k)),
                    ("participants", lang.shown_in_text(people.get(), k)),
                ],
            ));
            BarGroup {
                label: m.name.get(&lang.code).to_string(),
                bars: vec![
                    (interviews.value().map(|v| v as f64), lang.shown(interviews.get(), k)),
                    (people.value().map(|v| v as f64), lang.shown(people.get(), k)),
                ],
            }
        })
        .collect();
    let svg = hbar_chart(&series, &[3, 2], &groups, &lang.word(Word::AxisCount), &lang.word(Word::Suppressed))?;
    Ok(Figure {
        name: crate::study::Id::fixed("participants-by-model"),
        lang: lang.code.clone(),
        svg,
        alt: alt.join(". ") + ".",
    })
}

fn theme_label(study: &Study, id: &str, lang: &Lang) -> String {
    study
        .codes
        .iter()
        .find(|c| c.id == id)
        .map(|c| {
            if c.section.is_empty() {
                c.label.get(&lang.code).to_string()
            } else {
                format!("{} {}", c.section, c.label.get(&lang.code))
            }
        })
        .unwrap_or_default()
}

/// Break a label into lines of at most `max` characters at word boundaries.
fn wrap(label: &str, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= max => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn excerpts_by_theme(study: &Study, a: &Analysis, lang: &Lang) -> Result<Figure> {
    let k = a.k;
    let series: Vec<String> = study.models.iter().map(|m| m.short.get(&lang.code).to_string()).collect();
    let mut alt = vec![lang.word_for(Word::FigExcerptsByTheme, study.meta.coding)];
    let groups: Vec<BarGroup> = a
        .themes
        .iter()
        .map(|t| {
            let label = theme_label(study, &t.theme, lang);
            let cells: Vec<String> = t
                .per_model(study)
                .map(|(m, e)| format!("{} {}", m.short.get(&lang.code), lang.shown_in_text(e.excerpts.get(), k)))
                .collect();
            alt.push(format!("{label}: {}", cells.join(", ")));
            BarGroup {
                label: wrap(&label, 24).join("\n"),
                bars: t
                    .per_model(study)
                    .map(|(_, e)| (e.excerpts.value().map(|v| v as f64), lang.shown(e.excerpts.get(), k)))
                    .collect(),
            }
        })
        .collect();
    let colours: Vec<usize> = (0..series.len()).map(|i| MODEL_COLOURS + i).collect();
    let svg = hbar_chart(&series, &colours, &groups, &lang.word(Word::AxisCount), &lang.word(Word::Suppressed))?;
    Ok(Figure {
        name: crate::study::Id::fixed("excerpts-by-theme"),
        lang: lang.code.clone(),
        svg,
        alt: alt.join(". ") + ".",
    })
}

/// Themes in rows, models in columns, each cell shaded by its excerpts and labelled with
/// the number; a suppressed cell is hatched and says so instead of showing a number.
// Longer than 80 lines on purpose: one drawing whose grid, shading, hatching and labels
// share one coordinate system; split, each piece would take the whole layout as arguments.
fn evidence_heatmap(study: &Study, a: &Analysis, lang: &Lang) -> Result<Figure> {
    let k = a.k;
    let label_w = 330i32;
    let cell_h = 40i32;
    let top = 50i32;
    let cols = study.models.len().max(1) as i32;
    let cell_w = (WIDTH as i32 - label_w - 20) / cols;
    // Column heads wrap between words to the cell's width (about 10 px a character); when a
    // word is still too wide, or a head needs more than three lines, the columns are
    // numbered and a key below the grid names each model.
    let fit = ((cell_w - 8) / 10).max(1) as usize;
    let wrapped: Vec<Vec<String>> = study.models.iter().map(|m| wrap_label(m.short.get(&lang.code), fit)).collect();
    let fits = wrapped.iter().all(|ls| ls.len() <= 3 && ls.iter().all(|l| l.chars().count() <= fit));
    let heads: Vec<Vec<String>> =
        if fits { wrapped } else { (1..=study.models.len()).map(|i| vec![i.to_string()]).collect() };
    let key: Vec<String> = if fits {
        Vec::new()
    } else {
        study
            .models
            .iter()
            .enumerate()
            .flat_map(|(i, m)| wrap_label(&format!("{}: {}", i + 1, m.short.get(&lang.code)), 70))
            .collect()
    };
    let head_lines = heads.iter().map(Vec::len).max().unwrap_or(1) as i32;
    let top = top + (head_lines - 1) * 22;
    let grid_bottom = top + cell_h * a.themes.len() as i32;
    let height = (grid_bottom + 20 + key.len() as i32 * 24) as u32;
    let max =
        a.themes.iter().flat_map(|t| t.by_model.iter().filter_map(|e| e.excerpts.value())).max().unwrap_or(1).max(1);
    let mut alt = vec![lang.word(Word::AltEvidenceHeatmap)];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        for (ci, lines) in heads.iter().enumerate() {
            let cx = label_w + ci as i32 * cell_w + cell_w / 2;
            for (li, line) in lines.iter().enumerate() {
                let y = top - 12 - (lines.len() as i32 - 1 - li as i32) * 22;
                root.draw(&Text::new(line.clone(), (cx, y), anchored(20, HPos::Center, VPos::Bottom))).map_err(err)?;
            }
        }
        for (li, line) in key.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (label_w, grid_bottom + 16 + li as i32 * 24),
                anchored(18, HPos::Left, VPos::Top),
            ))
            .map_err(err)?;
        }
        for (ri, t) in a.themes.iter().enumerate() {
            let y0 = top + ri as i32 * cell_h;
            let label = theme_label(study, &t.theme, lang);
            // Wrapped onto two lines at most, never cut.
            let lines = wrap(&label, 36);
            for (li, line) in lines.iter().enumerate() {
                let dy = (2 * li as i32 - (lines.len() as i32 - 1)) * 18 / 2;
                root.draw(&Text::new(
                    line.clone(),
                    (label_w - 10, y0 + cell_h / 2 - 2 + dy),
                    anchored(17, HPos::Right, VPos::Center),
                ))
                .map_err(err)?;
            }
            let mut cells_alt = Vec::new();
            for (ci, (m, e)) in t.per_model(study).enumerate() {
                let x0 = label_w + ci as i32 * cell_w;
                let (x1, y1) = (x0 + cell_w - 4, y0 + cell_h - 4);
                cells_alt.push(format!("{} {}", m.short.get(&lang.code), lang.shown_in_text(e.excerpts.get(), k)));
                match e.excerpts.value() {
                    Some(v) => {
                        // Light to dark blue by share of the largest cell.
                        let s = v as f64 / max as f64;
                        let mix = |lo: u8, hi: u8| (lo as f64 + (hi as f64 - lo as f64) * s).round() as u8;
                        let color = RGBColor(mix(0xf2, 0x0b), mix(0xf6, 0x3c), mix(0xfb, 0x6e));
                        root.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled())).map_err(err)?;
                        root.draw(&Text::new(
                            lang.int(v),
                            ((x0 + x1) / 2, (y0 + y1) / 2),
                            text(20).color(&ink_on(&color)).pos(Pos::new(HPos::Center, VPos::Center)),
                        ))
                        .map_err(err)?;
                    }
                    None => {
                        root.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled())).map_err(err)?;
                        let mut hx = x0;
                        while hx < x1 {
                            let end = (hx + (y1 - y0)).min(x1);
                            root.draw(&PathElement::new(vec![(hx, y1), (end, y1 - (end - hx))], GRID.stroke_width(2)))
                                .map_err(err)?;
                            hx += 12;
                        }
                        root.draw(&Rectangle::new([(x0, y0), (x1, y1)], INK.stroke_width(1))).map_err(err)?;
                        root.draw(&Text::new(
                            lang.word(Word::Suppressed),
                            ((x0 + x1) / 2, (y0 + y1) / 2),
                            anchored(18, HPos::Center, VPos::Center),
                        ))
                        .map_err(err)?;
                    }
                }
            }
            alt.push(lang.say(Word::AltHeatRow, &[("theme", label), ("cells", cells_alt.join(", "))]));
        }
        root.present().map_err(err)?;
    }
    Ok(Figure {
        name: crate::study::Id::fixed("evidence-heatmap"),
        lang: lang.code.clone(),
        svg,
        alt: alt.join(". ") + ".",
    })
}

/// Events on a proportional vertical time axis; each label sits in its own row to the
/// right, joined to its true date by a leader line, so clustered years never overlap.
/// Evaluation milestones are drawn as filled diamonds, policy events as open circles.
// Longer than 80 lines on purpose: one drawing whose axis, label rows and leader lines
// share one layout; split, each piece would take that layout as arguments.
fn policy_timeline(study: &Study, lang: &Lang) -> Result<Figure> {
    let mut events: Vec<_> = study.events.iter().collect();
    events.sort_by_key(|e| (e.date.year, e.date.month.unwrap_or(13), e.date.day.unwrap_or(32), e.id.clone()));
    // Each label wraps onto as many lines as it needs, so nothing is cut; its row starts
    // where the previous one ended.
    let line_h = 23i32;
    let gap = 6i32;
    let lines: Vec<Vec<String>> =
        events.iter().map(|e| wrap(&format!("{} – {}", lang.date(e.date), e.label.get(&lang.code)), 78)).collect();
    let mut row_y = Vec::new();
    let mut next = 0i32;
    for l in &lines {
        row_y.push(next);
        next += line_h * l.len() as i32 + gap;
    }
    let top = 70i32;
    let height = (top + next + 30) as u32;
    let axis_x = 120i32;
    let label_x = 250i32;
    let first = events.first().map(|e| e.date.year).unwrap_or(2000);
    let last = events.last().map(|e| e.date.year).unwrap_or(2001).max(first + 1);
    let span_px = row_y.last().copied().unwrap_or(0).max(1) as f64;
    let when = |d: &crate::study::PartialDate| {
        d.year as f64 + (d.month.unwrap_or(7) as f64 - 1.0) / 12.0 + (d.day.unwrap_or(15) as f64 - 1.0) / 365.0
    };
    let y_of = |t: f64| top + ((t - first as f64) / ((last + 1 - first) as f64) * span_px).round() as i32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        // Legend.
        root.draw(&Circle::new((axis_x, 22), 7, INK.stroke_width(2))).map_err(err)?;
        root.draw(&Text::new(lang.word(Word::LegendPolicy), (axis_x + 14, 22), anchored(19, HPos::Left, VPos::Center)))
            .map_err(err)?;
        let ex = axis_x + 260;
        root.draw(&Polygon::new(vec![(ex, 13), (ex + 9, 22), (ex, 31), (ex - 9, 22)], MILESTONE.filled()))
            .map_err(err)?;
        root.draw(&Text::new(lang.word(Word::LegendEvaluation), (ex + 14, 22), anchored(19, HPos::Left, VPos::Center)))
            .map_err(err)?;
        // Axis with a tick every five years.
        root.draw(&PathElement::new(
            vec![(axis_x, y_of(first as f64)), (axis_x, y_of((last + 1) as f64))],
            INK.stroke_width(2),
        ))
        .map_err(err)?;
        let mut year = first - first % 5;
        while year <= last + 1 {
            if year >= first {
                let y = y_of(year as f64);
                root.draw(&PathElement::new(vec![(axis_x - 8, y), (axis_x, y)], INK.stroke_width(2))).map_err(err)?;
                root.draw(&Text::new(year.to_string(), (axis_x - 14, y), anchored(18, HPos::Right, VPos::Center)))
                    .map_err(err)?;
            }
            year += 5;
        }
        for (i, e) in events.iter().enumerate() {
            let y = y_of(when(&e.date));
            let ly = top + row_y[i];
            root.draw(&PathElement::new(vec![(axis_x, y), (axis_x + 40, y), (label_x - 10, ly)], GRID.stroke_width(1)))
                .map_err(err)?;
            match e.kind {
                EventKind::Policy => {
                    root.draw(&Circle::new((axis_x, y), 6, WHITE.filled())).map_err(err)?;
                    root.draw(&Circle::new((axis_x, y), 6, INK.stroke_width(2))).map_err(err)?;
                }
                EventKind::Evaluation => {
                    root.draw(&Polygon::new(
                        vec![(axis_x, y - 8), (axis_x + 8, y), (axis_x, y + 8), (axis_x - 8, y)],
                        MILESTONE.filled(),
                    ))
                    .map_err(err)?;
                }
            }
            let style = if e.kind == EventKind::Evaluation { text(18).color(&MILESTONE) } else { text(18) };
            for (n, line) in lines[i].iter().enumerate() {
                let at = (label_x + if n > 0 { 16 } else { 0 }, ly + n as i32 * line_h);
                root.draw(&Text::new(line.clone(), at, style.clone().pos(Pos::new(HPos::Left, VPos::Center))))
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    let m = events.iter().filter(|e| e.kind == EventKind::Evaluation).count();
    let mut alt = vec![lang.say(
        Word::AltTimeline,
        &[
            ("n", lang.int(events.len() as u64)),
            ("first", first.to_string()),
            ("last", last.to_string()),
            ("m", lang.int(m as u64)),
        ],
    )];
    alt.extend(events.iter().map(|e| format!("{}: {}", lang.date(e.date), e.label.get(&lang.code))));
    Ok(Figure {
        name: crate::study::Id::fixed("policy-timeline"),
        lang: lang.code.clone(),
        svg,
        alt: alt.join(". ") + ".",
    })
}

/// Breakdown figures: the sets that name the same `figure` are drawn as one stacked bar
/// each (a whole of 100 %), segments labelled with their share and, below, a legend.
// Longer than 80 lines on purpose: one drawing per figure whose stacked bars and legend
// share one layout; split, each piece would take that layout as arguments.
fn share_figures(study: &Study, lang: &Lang) -> Result<Vec<Figure>> {
    let mut names: Vec<&str> = study.sets.iter().filter_map(|s| s.figure.as_deref()).collect();
    names.dedup();
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(*n));
    let mut out = Vec::new();
    for name in names {
        let sets: Vec<_> = study.sets.iter().filter(|s| s.figure.as_deref() == Some(name)).collect();
        let bar_h = 46i32;
        let label_h = 30i32;
        let legend_row = 28i32;
        let label_w = 40i32;
        let plot_w = WIDTH as i32 - 2 * label_w;
        let blocks: Vec<(i32, i32)> = {
            let mut y = 20;
            sets.iter()
                .map(|s| {
                    let parts = study.shares.iter().filter(|x| x.set == s.id).count() as i32;
                    let start = y;
                    y += label_h + bar_h + 14 + parts * legend_row + 24;
                    (start, y)
                })
                .collect()
        };
        let height = blocks.last().map(|b| b.1).unwrap_or(100) as u32;
        let mut alt = vec![lang.named(&format!("fig_{name}"))];
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            for (set, (y, _)) in sets.iter().zip(&blocks) {
                let parts: Vec<_> = study.shares.iter().filter(|x| x.set == set.id).collect();
                let total: f64 = parts.iter().map(|p| p.value).sum::<f64>().max(1e-9);
                root.draw(&Text::new(
                    set.title.get(&lang.code).to_string(),
                    (label_w, *y),
                    anchored(20, HPos::Left, VPos::Top),
                ))
                .map_err(err)?;
                let by = y + label_h;
                let mut x = label_w as f64;
                let mut alt_parts = Vec::new();
                for (i, p) in parts.iter().enumerate() {
                    let w = p.value / total * plot_w as f64;
                    let color = PARTS[i % PARTS.len()];
                    let (x0, x1) = (x.round() as i32, (x + w).round() as i32);
                    root.draw(&Rectangle::new([(x0, by), (x1, by + bar_h)], color.filled())).map_err(err)?;
                    root.draw(&Rectangle::new([(x0, by), (x1, by + bar_h)], WHITE.stroke_width(2))).map_err(err)?;
                    let value = share_text(lang, p.value, total, set.unit);
                    if w > 70.0 {
                        root.draw(&Text::new(
                            value.clone(),
                            ((x0 + x1) / 2, by + bar_h / 2),
                            text(19).color(&ink_on(&color)).pos(Pos::new(HPos::Center, VPos::Center)),
                        ))
                        .map_err(err)?;
                    }
                    let ly = by + bar_h + 14 + i as i32 * legend_row;
                    root.draw(&Rectangle::new([(label_w, ly), (label_w + 18, ly + 18)], color.filled()))
                        .map_err(err)?;
                    root.draw(&Rectangle::new([(label_w, ly), (label_w + 18, ly + 18)], INK.stroke_width(1)))
                        .map_err(err)?;
                    root.draw(&Text::new(
                        format!("{}: {value}", p.label.get(&lang.code)),
                        (label_w + 26, ly + 9),
                        anchored(18, HPos::Left, VPos::Center),
                    ))
                    .map_err(err)?;
                    alt_parts.push(
                        lang.say(Word::AltShareRow, &[("label", p.label.get(&lang.code).into()), ("value", value)]),
                    );
                    x += w;
                }
                alt.push(format!("{}: {}", set.title.get(&lang.code), alt_parts.join(", ")));
            }
            root.present().map_err(err)?;
        }
        out.push(Figure {
            name: crate::study::Id::fixed(name),
            lang: lang.code.clone(),
            svg,
            alt: alt.join(". ") + ".",
        });
    }
    Ok(out)
}

/// A part of a whole: a percentage as given, a count with its share of the whole.
fn share_text(lang: &Lang, value: f64, total: f64, unit: Measure) -> String {
    match unit {
        Measure::Percent => lang.percent(value),
        _ => format!("{} ({})", lang.number(value), lang.percent((value / total * 100.0).round())),
    }
}
