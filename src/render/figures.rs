//! The views of the figures: captions, sizes, and figures placed after the paragraph of
//! the prose that first cites them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::typst_string;
use crate::figures::Figure;
use crate::lang::Lang;
use crate::study::Coding;

/// A figure as the skeleton prints it.
#[derive(Serialize)]
pub(super) struct FigureView {
    path: String,
    alt: String,
    caption: String,
    /// The caption's first sentence, for the list of figures.
    short_caption: String,
    /// Typst sizing made by the program: full text width, or for a tall figure a height
    /// that leaves room on the page for its caption.
    size: String,
}

/// A caption's first sentence: up to the first full stop that ends a sentence (followed
/// by a space and a capital letter), or the whole caption.
pub(super) fn first_sentence(caption: &str) -> String {
    let chars: Vec<(usize, char)> = caption.char_indices().collect();
    for w in chars.windows(3) {
        if let [(i, '.'), (_, ' '), (_, next)] = w {
            if next.is_uppercase() && caption[..*i].chars().count() >= 12 {
                return caption[..=*i].to_string();
            }
        }
    }
    caption.to_string()
}

/// The text block is about 16 cm wide; a figure taller than 19 cm at that width is sized
/// by height instead, so it never runs off the page.
pub(super) fn figure_size(svg: &str) -> String {
    let attr = |name: &str| -> Option<f64> {
        let start = svg.find(&format!("{name}=\""))? + name.len() + 2;
        svg[start..].split('"').next()?.parse().ok()
    };
    match (attr("width"), attr("height")) {
        (Some(w), Some(h)) if w > 0.0 && h / w * 16.0 > 19.0 => "height: 19cm".into(),
        _ => "width: 100%".into(),
    }
}

/// A figure the prose cites (`@fig-<name>`) is set right after the paragraph that first
/// cites it, in that chapter's file, instead of where the skeleton would put it (often after
/// the next section). Returns the figures still left for the skeleton to place.
pub(super) fn place_cited_figures(
    files: &mut BTreeMap<String, Vec<u8>>,
    chapters: &BTreeMap<String, String>,
    mut views: BTreeMap<String, FigureView>,
) -> BTreeMap<String, FigureView> {
    for path in chapters.values() {
        let Some(bytes) = files.get_mut(path) else { continue };
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        let mut placed = false;
        for name in views.keys().cloned().collect::<Vec<_>>() {
            let label = format!("@fig-{name}");
            // The label itself, not a longer one it begins (`@fig-unn` in `@fig-unn-x`).
            let found = text
                .match_indices(&label)
                .map(|(i, _)| i)
                .find(|&i| !text[i + label.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_'));
            let Some(at) = found else { continue };
            let end = text[at..].find("\n\n").map(|e| at + e).unwrap_or(text.len());
            let v = views.remove(&name).expect("a key of the map");
            let figure = format!(
                "\n\n#figure(\n  image({}, alt: {}, {}),\n  caption: flex-caption({}, {}),\n) <fig-{name}>\n",
                typst_string(&format!("/{}", v.path)),
                typst_string(&v.alt),
                v.size,
                typst_string(&v.caption),
                typst_string(&v.short_caption),
            );
            text.insert_str(end, &figure);
            placed = true;
        }
        if placed {
            // An included file sees only what it imports.
            *bytes = format!("#import \"/style.typ\": flex-caption\n{text}").into_bytes();
        }
    }
    views
}

/// The views of this language's figures, by name, and their SVGs into `files`.
pub(super) fn figure_views(
    figures: &[Figure],
    lang: &Lang,
    coding: Coding,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> BTreeMap<String, FigureView> {
    let code = &lang.code;
    for f in figures.iter().filter(|f| &f.lang == code) {
        files.insert(format!("figures/{}.svg", f.name), f.svg.clone().into_bytes());
    }
    figures
        .iter()
        .filter(|f| &f.lang == code)
        .map(|f| {
            let caption = lang.named_for(&format!("figcap_{}", f.name), coding);
            (
                f.name.to_string(),
                FigureView {
                    path: format!("figures/{}.svg", f.name),
                    alt: f.alt.clone(),
                    short_caption: first_sentence(&caption),
                    caption,
                    size: figure_size(&f.svg),
                },
            )
        })
        .collect()
}
