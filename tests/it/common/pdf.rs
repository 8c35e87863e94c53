//! Reading a PDF back the way a reader's viewer does: every glyph drawn on every page, with
//! the character it stands for (from the font's ToUnicode map) and where its ink lies.
//!
//! Built on the PDF interpreter that typst already compiles in (for PDF images), so the tests
//! need nothing but cargo and compile no dependency the program does not already use.

use std::path::Path;

use hayro_interpret::font::Glyph as PdfGlyph;
use hayro_interpret::TransformExt;
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterCache, InterpreterSettings, Paint,
    PathDrawMode, SoftMask,
};
use hayro_syntax::Pdf;
use kurbo::{Affine, BezPath, Point, Rect, Shape};

/// One glyph as printed: its text, its ink box and its pen position, in points from the top
/// left corner of its page.
#[derive(Debug, Clone)]
pub struct Glyph {
    /// The character(s) the glyph stands for; empty when the font does not say.
    pub text: String,
    /// The ink of the glyph (empty for a space).
    pub ink: Rect,
    /// Where the pen stood: the glyph's origin on its baseline.
    pub origin: Point,
    /// Where the pen moves after it (origin plus advance).
    pub end_x: f64,
    /// The font size in points.
    pub size: f64,
}

/// Every page's glyphs, in the order the content stream draws them.
pub fn glyphs(path: &Path) -> Vec<Vec<Glyph>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let pdf = Pdf::new(bytes).unwrap_or_else(|e| panic!("{} is not a readable PDF: {e:?}", path.display()));
    let settings = InterpreterSettings::default();
    let cache = InterpreterCache::new();
    let mut pages = Vec::new();
    for page in pdf.pages().iter() {
        let (w, h) = page.render_dimensions();
        let mut ctx = Context::new(
            page.initial_transform(true).to_kurbo(),
            Rect::new(0.0, 0.0, w as f64, h as f64),
            &cache,
            page.xref(),
            settings.clone(),
        );
        let mut device = Collector::default();
        hayro_interpret::interpret_page(page, &mut ctx, &mut device);
        pages.push(device.glyphs);
    }
    pages
}

/// The text of a PDF as lines on each page, read top to bottom and left to right (like
/// `pdftotext -layout` without the column padding); pages separated by a form feed.
pub fn text(path: &Path) -> String {
    glyphs(path).iter().map(|page| page_lines(page).join("\n")).collect::<Vec<_>>().join("\n\u{c}")
}

/// The text of a PDF in the order it is drawn (like `pdftotext -raw`): a table cell's text
/// stays together even when its neighbour wraps onto more lines.
pub fn raw_text(path: &Path) -> String {
    let mut out = String::new();
    for page in glyphs(path) {
        let mut prev: Option<&Glyph> = None;
        for g in &page {
            if let Some(p) = prev {
                let same_line = (g.origin.y - p.origin.y).abs() < 0.3 * p.size.max(g.size);
                if !same_line {
                    out.push('\n');
                } else if needs_space(p, g) {
                    out.push(' ');
                }
            }
            out.push_str(&g.text);
            prev = Some(g);
        }
        out.push('\u{c}');
    }
    out
}

/// Running text as one line: words broken at a line end joined again (typst marks its own
/// hyphenation with a soft hyphen in running text but with a plain hyphen in table cells, so a
/// hyphen at a line end between two letters is kept and the line joined), whitespace
/// collapsed.
pub fn flat(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\u{ad}' || c == '-' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let mut k = j + 1;
            while k < chars.len() && chars[k].is_whitespace() {
                k += 1;
            }
            let breaks = j < chars.len() && chars[j] == '\n';
            let joins = breaks && i > 0 && chars[i - 1].is_alphabetic() && k < chars.len() && chars[k].is_alphabetic();
            if c == '-' {
                out.push(c);
            }
            i = if joins { k } else { i + 1 };
            continue;
        }
        out.push(c);
        i += 1;
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`flat`] without any hyphen: for finding a sentence whether or not typst broke one of its
/// words, or one of its compounds, at a line end. Apply it to both sides of a comparison.
pub fn loose(s: &str) -> String {
    flat(s).replace('-', "")
}

fn needs_space(prev: &Glyph, next: &Glyph) -> bool {
    let gap = next.origin.x - prev.end_x;
    !prev.text.ends_with(char::is_whitespace)
        && !next.text.starts_with(char::is_whitespace)
        && (gap > 0.15 * prev.size.max(next.size) || gap < -0.5 * prev.size.max(next.size))
}

/// Lines of one page: glyphs grouped by baseline, each line ordered left to right.
fn page_lines(page: &[Glyph]) -> Vec<String> {
    let mut sorted: Vec<&Glyph> = page.iter().collect();
    sorted.sort_by(|a, b| a.origin.y.total_cmp(&b.origin.y).then(a.origin.x.total_cmp(&b.origin.x)));
    let mut lines: Vec<Vec<&Glyph>> = Vec::new();
    for g in sorted {
        match lines.last_mut() {
            Some(line) if (g.origin.y - line[0].origin.y).abs() < 0.3 * g.size.max(line[0].size) => line.push(g),
            _ => lines.push(vec![g]),
        }
    }
    lines
        .into_iter()
        .map(|mut line| {
            line.sort_by(|a, b| a.origin.x.total_cmp(&b.origin.x));
            let mut s = String::new();
            for (i, g) in line.iter().enumerate() {
                if i > 0 && needs_space(line[i - 1], g) {
                    s.push(' ');
                }
                s.push_str(&g.text);
            }
            s
        })
        .collect()
}

/// Pairs of glyphs on one page whose ink overlaps by more than `tolerance` points in both
/// directions, as (page index, first text, second text). Glyphs of one word touch (kerning,
/// ligatures, accents), so the check compares words: runs of glyphs drawn one after the other
/// on one baseline.
pub fn overlaps(path: &Path, tolerance: f64) -> Vec<(usize, String, String)> {
    let mut found = Vec::new();
    for (p, page) in glyphs(path).iter().enumerate() {
        let words = words(page);
        for i in 0..words.len() {
            for j in i + 1..words.len() {
                let (a, b) = (&words[i], &words[j]);
                let inter = a.1.intersect(b.1);
                if inter.width() > tolerance && inter.height() > tolerance {
                    found.push((p, a.0.clone(), b.0.clone()));
                }
            }
        }
    }
    found
}

/// Words of a page with their ink boxes.
fn words(page: &[Glyph]) -> Vec<(String, Rect)> {
    let mut out: Vec<(String, Rect)> = Vec::new();
    let mut prev: Option<&Glyph> = None;
    for g in page {
        let blank = g.text.trim().is_empty() || g.ink.area() == 0.0;
        let joins = prev.is_some_and(|p| {
            (g.origin.y - p.origin.y).abs() < 0.1 * p.size && !needs_space(p, g) && g.origin.x >= p.origin.x
        });
        if blank {
            prev = None;
            continue;
        }
        match (joins, out.last_mut()) {
            (true, Some(last)) => {
                last.0.push_str(&g.text);
                last.1 = last.1.union(g.ink);
            }
            _ => out.push((g.text.clone(), g.ink)),
        }
        prev = Some(g);
    }
    out
}

#[derive(Default)]
struct Collector {
    glyphs: Vec<Glyph>,
}

impl<'a> Device<'a> for Collector {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'a>>) {}
    fn set_blend_mode(&mut self, _: BlendMode) {}
    fn draw_path(&mut self, _: &BezPath, _: Affine, _: &Paint<'a>, _: &PathDrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph(
        &mut self,
        glyph: &PdfGlyph<'a>,
        transform: Affine,
        glyph_transform: Affine,
        _: &Paint<'a>,
        _: &GlyphDrawMode,
    ) {
        // Glyph outlines come in units of 1/1000 em; `full` maps them onto the page.
        let full = transform * glyph_transform;
        let origin = full * Point::ZERO;
        let size = ((full * Point::new(0.0, 1000.0)) - origin).hypot();
        let text = match glyph.as_unicode() {
            Some(hayro_interpret::hayro_cmap::BfString::Char(c)) => c.to_string(),
            Some(hayro_interpret::hayro_cmap::BfString::String(s)) => s,
            None => String::new(),
        };
        let (ink, advance) = match glyph {
            PdfGlyph::Outline(o) => {
                let path = full * o.outline();
                let ink = if path.elements().is_empty() {
                    Rect::from_origin_size(origin, (0.0, 0.0))
                } else {
                    path.bounding_box()
                };
                (ink, o.advance_width().map(f64::from))
            }
            PdfGlyph::Type3(_) => (Rect::from_origin_size(origin, (0.0, 0.0)), None),
        };
        let end_x = match advance {
            Some(a) => (full * Point::new(a, 0.0)).x,
            None => ink.x1.max(origin.x),
        };
        self.glyphs.push(Glyph { text, ink, origin, end_x, size });
    }
    fn draw_image(&mut self, _: Image<'a, '_>, _: Affine) {}
    fn pop_clip_path(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}
