//! The HTML edition: the same typst sources as the PDF, compiled by typst's own HTML
//! export (typst-html, compiled into typst already) into one self-contained page per
//! language.
//!
//! The report's skeleton stays the same. Only its look changes: the HTML job serves
//! `report/templates/web.typ` where the PDF job serves `style.typ`, and web.typ builds the
//! same functions (`report`, `datatable`, `excerpt`, …) from HTML elements: real tables with
//! `<caption>` and `<th scope>`, figures with a text alternative, a `lang` on every passage
//! in another language. Two things typst cannot say are done here, on the encoded page:
//! the stylesheet (`web.css`) goes into `<head>`, and each figure's SVG (a file the program
//! drew itself) replaces the placeholder `<img>` web.typ left for it, so the page needs
//! nothing from anywhere else. Data still never becomes markup: typst escapes every text
//! and attribute, and only the program's own SVG files are inlined.

use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::utils::LazyHash;
use typst::{Feature, Library, LibraryExt};
use typst_html::{HtmlDocument, HtmlOptions};

use super::{describe, diagnostic, Job, MemoryWorld};
use crate::manifest;
use crate::problem::{build_err, Result};

/// The look of the HTML edition: the functions of style.typ, made of HTML elements.
pub(crate) const WEB_STYLE: &str = include_str!("../../report/templates/web.typ");
/// The page's stylesheet, inlined into `<head>`.
pub(crate) const WEB_CSS: &str = include_str!("../../report/templates/web.css");
/// The HTML edition's own template files, for the manifest's inputs.
pub(crate) const TEMPLATE_FILES: &[(&str, &str)] =
    &[("report/templates/web.typ", WEB_STYLE), ("report/templates/web.css", WEB_CSS)];

/// The placeholder web.typ gives an image's `src`; followed by the image's virtual path.
const INLINE_SVG: &str = "bsb-inline-svg:";

/// typst marks HTML export as experimental with a warning on every compile; `bsb` has
/// chosen it knowingly (its output is checked by the tests and in a browser), so the
/// warning would only be noise on every build.
const EXPERIMENTAL: &str = "html export is under active development";

/// HTML export is a feature typst enables at run time (no recompilation).
static HTML_LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().with_features([Feature::Html].into_iter().collect()).build()));

/// A typeset HTML page and what typst warned about on the way.
#[derive(Debug)]
pub(crate) struct Page {
    /// The page's bytes (UTF-8).
    pub(crate) bytes: Vec<u8>,
    /// typst's warnings, each with its file and line.
    pub(crate) warnings: Vec<String>,
}

/// The HTML edition's job: the PDF edition's sources with web.typ served as `style.typ`.
pub(crate) fn job(pdf: &Job) -> Job {
    let mut files = pdf.files.clone();
    files.insert("style.typ".into(), WEB_STYLE.as_bytes().to_vec());
    let mut origins = pdf.origins.clone();
    origins.insert("style.typ".into(), "report/templates/web.typ".into());
    Job {
        main: pdf.main.clone(),
        files,
        date: pdf.date,
        ident: pdf.ident.clone(),
        origins,
        originals: pdf.originals.clone(),
    }
}

/// A hash of everything the page is made from: unchanged, the page is too.
pub(crate) fn source_hash(job: &Job) -> String {
    let mut entries: std::collections::BTreeMap<String, String> =
        job.files.iter().map(|(k, v)| (k.clone(), manifest::sha256(v))).collect();
    entries.insert("main.typ".into(), manifest::sha256(job.main.as_bytes()));
    entries.insert("web.css".into(), manifest::sha256(WEB_CSS.as_bytes()));
    let (y, m, d) = job.date;
    entries.insert("date".into(), format!("{y}-{m}-{d}"));
    manifest::combined(&entries)
}

/// Typeset one HTML page, watched like the PDF (see [`super::typeset`]): an overrun is an
/// error, never the end of the process.
pub(crate) fn typeset_html(job: &Job) -> Result<Page> {
    super::watched(job, typeset_here)
}

/// Typeset one HTML page on the calling thread.
fn typeset_here(job: &Job) -> Result<Page> {
    let world = MemoryWorld::with_library(job, &HTML_LIBRARY)?;
    let compiled = typst::compile::<HtmlDocument>(&world);
    let warnings: Vec<String> = compiled
        .warnings
        .iter()
        .filter(|d| !d.message.starts_with(EXPERIMENTAL))
        .map(|d| diagnostic(&world, job, d))
        .collect();
    let document = compiled
        .output
        .map_err(|diags| build_err(format!("typesetting failed:\n  {}", describe(&world, job, &diags))))?;
    let page = typst_html::html(&document, &HtmlOptions { pretty: false })
        .map_err(|diags| build_err(format!("HTML export failed:\n  {}", describe(&world, job, &diags))))?;
    let page = inline_svgs(&page, |path| job.files.get(path.trim_start_matches('/')).map(|b| Bytes::new(b.clone())))?;
    Ok(Page { bytes: with_stylesheet(&page)?.into_bytes(), warnings })
}

/// The stylesheet, as the last thing in `<head>` (the character set must stay within the
/// page's first 1024 bytes).
fn with_stylesheet(page: &str) -> Result<String> {
    let at = page.find("</head>").ok_or_else(|| build_err("the HTML page has no <head>"))?;
    Ok(format!("{}<style>{}</style>{}", &page[..at], WEB_CSS.trim(), &page[at..]))
}

/// Replace every placeholder `<img src="bsb-inline-svg:PATH" alt="…">` by the SVG at
/// `PATH`, labelled with the same (already escaped) text alternative.
fn inline_svgs(page: &str, file: impl Fn(&str) -> Option<Bytes>) -> Result<String> {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    // Text cannot hold `<img ` (typst escapes every `<` in text), so each match is a tag.
    while let Some(at) = rest.find("<img ") {
        let tag_end = rest[at..].find('>').ok_or_else(|| build_err("an unclosed <img> in the HTML page"))? + at;
        let tag = &rest[at..tag_end];
        let Some(path) = attribute(tag, "src").and_then(|s| s.strip_prefix(INLINE_SVG)) else {
            out.push_str(&rest[..=tag_end]);
            rest = &rest[tag_end + 1..];
            continue;
        };
        out.push_str(&rest[..at]);
        let alt = attribute(tag, "alt").unwrap_or_default();
        let bytes =
            file(path).filter(|_| path.ends_with(".svg")).ok_or_else(|| build_err(format!("no figure {path}")))?;
        let svg = std::str::from_utf8(&bytes).map_err(|_| build_err(format!("{path} is not UTF-8")))?;
        out.push_str(&labelled_svg(svg, alt).ok_or_else(|| build_err(format!("{path} is not an SVG")))?);
        rest = &rest[tag_end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The value of `name="…"` in an encoded tag, as written (escaped).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// The SVG from its root element on, announced as one image with the text alternative
/// `alt` (so a screen reader reads that, not every label of the chart one by one).
fn labelled_svg(svg: &str, alt: &str) -> Option<String> {
    let root = svg.find("<svg")?;
    let body = svg[root + "<svg".len()..].trim_end();
    Some(format!("<svg role=\"img\" aria-label=\"{alt}\" class=\"chart\"{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_becomes_the_labelled_svg_and_text_stays_as_it_was() {
        let page = "<p>a &lt;img src=\"bsb-inline-svg:x.svg\"&gt;</p><img src=\"bsb-inline-svg:f/x.svg\" alt=\"two &quot;bars&quot;\"><p>b</p>";
        let svg = Bytes::new(b"<?xml version=\"1.0\"?>\n<svg width=\"2\" viewBox=\"0 0 2 2\"><rect/></svg>\n".to_vec());
        let out = inline_svgs(page, |p| (p == "f/x.svg").then(|| svg.clone())).unwrap();
        assert_eq!(
            out,
            "<p>a &lt;img src=\"bsb-inline-svg:x.svg\"&gt;</p><svg role=\"img\" aria-label=\"two &quot;bars&quot;\" class=\"chart\" width=\"2\" viewBox=\"0 0 2 2\"><rect/></svg><p>b</p>"
        );
        assert!(inline_svgs("<img src=\"bsb-inline-svg:/etc/passwd\" alt=\"\">", |_| None).is_err());
    }
}
