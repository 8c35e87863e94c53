//! Diverging stacked bars for the questionnaire's answers: one chart per counted item, a
//! bar per group shown (all respondents, then each model where the small-cell rule lets
//! the item be split). Negative options stack to the left of a centre line, positive ones
//! to the right, a neutral middle option straddles it, and "no answer" options stand
//! apart in a panel of their own on the same scale, so they neither push the bar sideways
//! nor hide in it. Yes/no items are drawn the same way: "no" left, "yes" right.
//!
//! Every segment's length is its share of the group (the same pixels per percent in both
//! panels); a segment wide enough carries its share, the legend names every option in
//! words and the alternative text gives every number, so nothing rests on colour.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{anchored, err, ink_on, text, wrap, Figure, INK, WIDTH};
use crate::analysis::survey::{Group, ItemResult};
use crate::analysis::Analysis;
use crate::lang::{Lang, Word};
use crate::problem::Result;
use crate::study::survey::Item;
use crate::study::{Id, Study};

/// Where the group labels end and the centre line stands.
const LABEL_W: i32 = 200;
const CENTRE: i32 = 400;
/// Pixels per percentage point, in both panels.
const SCALE: f64 = 1.9;
/// Where the "no answer" panel starts.
const APART: i32 = 620;
/// Height of one bar and the space between bars.
const BAR_H: i32 = 26;
const ROW_GAP: i32 = 22;

/// Negative (orange) and positive (purple) tones, darkest outermost, after the
/// colour-blind-safe PuOr scheme; they differ in lightness too, for greyscale.
const NEGATIVE: [RGBColor; 3] = [RGBColor(0xb3, 0x58, 0x06), RGBColor(0xe0, 0x82, 0x14), RGBColor(0xfd, 0xb8, 0x63)];
const POSITIVE: [RGBColor; 3] = [RGBColor(0x54, 0x27, 0x88), RGBColor(0x80, 0x73, 0xac), RGBColor(0xb2, 0xab, 0xd2)];
const NEUTRAL: RGBColor = RGBColor(0xd9, 0xd9, 0xd9);
const NO_ANSWER: RGBColor = RGBColor(0xf2, 0xf2, 0xf2);

/// The chart of every counted item whose total may be shown, in one language.
pub(crate) fn draw(study: &Study, a: &Analysis, lang: &Lang) -> Result<Vec<Figure>> {
    let Some(results) = &a.survey else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for r in &results.items {
        let Some(item) = study.survey.item(&r.item) else { continue };
        if r.groups.first().is_none_or(|g| g.counts.is_none()) {
            continue;
        }
        let Ok(name) = Id::parse(&format!("survey-{}", item.id)) else { continue };
        let (svg, alt) = chart(study, item, r, results.k, lang)?;
        out.push(Figure { name, lang: lang.code.clone(), svg, alt });
    }
    Ok(out)
}

/// The fill of option `i` of `item`.
fn colour(item: &Item, i: usize) -> RGBColor {
    let side = |s: i32| (0..item.options.len()).filter(|&j| item.side(j) == Some(s)).collect::<Vec<_>>();
    match item.side(i) {
        None => NO_ANSWER,
        Some(0) => NEUTRAL,
        Some(s) => {
            let members = side(s);
            let at = members.iter().position(|&j| j == i).unwrap_or(0);
            // Outermost darkest: for negatives the first listed, for positives the last.
            let depth = if s < 0 { at } else { members.len() - 1 - at };
            let tones = if s < 0 { &NEGATIVE } else { &POSITIVE };
            tones[depth.min(tones.len() - 1)]
        }
    }
}

/// Each option's segment as (option, left, right) in pixels, edges rounded once so the
/// segments tile without gaps; options with no answers have no segment.
pub(crate) fn segments(item: &Item, shares: &[f64]) -> Vec<(usize, i32, i32)> {
    let w = |i: usize| shares.get(i).copied().unwrap_or(0.0) * SCALE;
    let n = item.options.len();
    let neutral: f64 = (0..n).filter(|&i| item.side(i) == Some(0)).map(w).sum();
    let mut out = Vec::new();
    let mut edge = CENTRE as f64 - neutral / 2.0;
    // Negative options from the centre outwards (listed most negative first).
    for i in (0..n).rev().filter(|&i| item.side(i) == Some(-1)) {
        out.push((i, (edge - w(i)).round() as i32, edge.round() as i32));
        edge -= w(i);
    }
    let mut edge = CENTRE as f64 - neutral / 2.0;
    for i in (0..n).filter(|&i| matches!(item.side(i), Some(0) | Some(1))) {
        out.push((i, edge.round() as i32, (edge + w(i)).round() as i32));
        edge += w(i);
    }
    let mut edge = APART as f64;
    for i in (0..n).filter(|&i| item.side(i).is_none()) {
        out.push((i, edge.round() as i32, (edge + w(i)).round() as i32));
        edge += w(i);
    }
    out.retain(|(_, l, r)| r > l);
    out
}

/// A group's name in the chart and the alternative text.
fn group_name(study: &Study, g: &Group, lang: &Lang) -> String {
    match &g.model {
        None => lang.word(Word::SurveyAll),
        Some(id) => {
            study.models.iter().find(|m| &m.id == id).map(|m| m.short.get(&lang.code).to_string()).unwrap_or_default()
        }
    }
}

/// Legend rows: each option's swatch position and label, wrapping at the right edge.
fn legend(item: &Item, lang: &Lang) -> Vec<(usize, i32, i32)> {
    let (mut x, mut y) = (LABEL_W, 14);
    let mut out = Vec::new();
    for (i, o) in item.options.iter().enumerate() {
        let need = 30 + o.get(&lang.code).chars().count() as i32 * 9;
        if x > LABEL_W && x + need > WIDTH as i32 {
            x = LABEL_W;
            y += 26;
        }
        out.push((i, x, y));
        x += need + 14;
    }
    out
}

/// One item's chart and its alternative text.
fn chart(study: &Study, item: &Item, r: &ItemResult, k: u32, lang: &Lang) -> Result<(String, String)> {
    let keys = legend(item, lang);
    let has_apart = !item.no_answer.is_empty();
    let top = keys.last().map(|k| k.2).unwrap_or(14) + 30 + if has_apart { 24 } else { 0 };
    let row_h = BAR_H + ROW_GAP;
    let height = (top + row_h * r.groups.len() as i32 + 10) as u32;
    let mut alt = vec![lang.say(Word::SurveyAlt, &[("question", item.question.get(&lang.code).to_string())])];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        for &(i, x, y) in &keys {
            let c = colour(item, i);
            root.draw(&Rectangle::new([(x, y), (x + 16, y + 16)], c.filled())).map_err(err)?;
            root.draw(&Rectangle::new([(x, y), (x + 16, y + 16)], INK.stroke_width(1))).map_err(err)?;
            let label = item.options[i].get(&lang.code).to_string();
            root.draw(&Text::new(label, (x + 22, y + 8), anchored(17, HPos::Left, VPos::Center))).map_err(err)?;
        }
        if has_apart {
            root.draw(&Text::new(
                lang.word(Word::SurveyApart),
                (APART, top - 8),
                anchored(16, HPos::Left, VPos::Bottom),
            ))
            .map_err(err)?;
        }
        let bottom = top + row_h * r.groups.len() as i32 - ROW_GAP + 6;
        root.draw(&PathElement::new(vec![(CENTRE, top - 6), (CENTRE, bottom)], INK.stroke_width(1))).map_err(err)?;
        for (gi, g) in r.groups.iter().enumerate() {
            let y0 = top + gi as i32 * row_h;
            let name = group_name(study, g, lang);
            let n = lang.shown(g.n, k);
            for (li, line) in wrap(&name, 22).iter().chain([&lang.say(Word::SurveyN, &[("n", n.clone())])]).enumerate()
            {
                let at = (LABEL_W - 10, y0 + 2 + li as i32 * 17);
                root.draw(&Text::new(line.clone(), at, anchored(16, HPos::Right, VPos::Top))).map_err(err)?;
            }
            let Some(shares) = &g.shares else {
                let note = lang.say(Word::SurveyHidden, &[("k", k.to_string())]);
                root.draw(&Text::new(
                    note.clone(),
                    (CENTRE + 8, y0 + BAR_H / 2),
                    anchored(16, HPos::Left, VPos::Center),
                ))
                .map_err(err)?;
                alt.push(format!("{name}: {note}"));
                continue;
            };
            for (i, x0, x1) in segments(item, shares) {
                let c = colour(item, i);
                root.draw(&Rectangle::new([(x0, y0), (x1, y0 + BAR_H)], c.filled())).map_err(err)?;
                if item.side(i).is_none() {
                    // The pale "no answer" fill needs an edge to be seen on white paper.
                    root.draw(&Rectangle::new([(x0, y0), (x1, y0 + BAR_H)], INK.stroke_width(1))).map_err(err)?;
                }
                if x1 - x0 >= 40 {
                    let label = lang.percent(shares[i].round());
                    let ink = ink_on(&c);
                    let style =
                        text(15).color(&ink).pos(plotters::style::text_anchor::Pos::new(HPos::Center, VPos::Center));
                    root.draw(&Text::new(label, ((x0 + x1) / 2, y0 + BAR_H / 2), style)).map_err(err)?;
                }
            }
            let parts: Vec<String> = item
                .options
                .iter()
                .zip(shares)
                .map(|(o, s)| format!("{} {}", o.get(&lang.code), lang.percent(s.round())))
                .collect();
            alt.push(format!("{name} ({}): {}", lang.say(Word::SurveyN, &[("n", n)]), parts.join(", ")));
        }
        root.present().map_err(err)?;
    }
    Ok((svg, alt.join(". ") + "."))
}
