//! The HTML edition: each page is parsed (quick-xml, read leniently as HTML) and checked
//! for what makes it accessible by construction (its language, one `h1` and an unbroken
//! heading order, tables with a caption and scoped headers, figures with a text
//! alternative), against numbers counted here from the interview register, for data that
//! prints as text, for nothing fetched from elsewhere, and for byte-identical rebuilds.

use crate::common::*;

/// One element of a parsed page.
#[derive(Debug, Default)]
pub struct El {
    pub tag: String,
    pub attrs: BTreeMap<String, String>,
    pub children: Vec<Child>,
}

/// An element's child: an element or text (unescaped).
#[derive(Debug)]
pub enum Child {
    El(El),
    Text(String),
}

/// Elements HTML writes without an end tag.
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];

/// Parse a page into a tree under a document root.
pub fn parse(page: &str) -> El {
    use quick_xml::events::{BytesStart, Event};
    let mut reader = quick_xml::Reader::from_str(page);
    reader.config_mut().check_end_names = false;
    let element = |e: &BytesStart| El {
        tag: String::from_utf8_lossy(e.name().as_ref()).to_lowercase(),
        attrs: e
            .html_attributes()
            .map(|a| {
                let a = a.expect("a readable attribute");
                (
                    String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                    a.unescape_value().expect("escaped").into_owned(),
                )
            })
            .collect(),
        children: Vec::new(),
    };
    let mut stack = vec![El { tag: "#document".into(), ..Default::default() }];
    loop {
        match reader.read_event().expect("the page reads as HTML") {
            Event::Start(e) => {
                let el = element(&e);
                if VOID.contains(&el.tag.as_str()) {
                    stack.last_mut().unwrap().children.push(Child::El(el));
                } else {
                    stack.push(el);
                }
            }
            Event::Empty(e) => stack.last_mut().unwrap().children.push(Child::El(element(&e))),
            Event::End(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_lowercase();
                assert_eq!(stack.last().unwrap().tag, name, "every element is closed where it should be");
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(Child::El(el));
            }
            Event::Text(t) => {
                let text = t.unescape().expect("text escaped as HTML").into_owned();
                stack.last_mut().unwrap().children.push(Child::Text(text));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "every element is closed");
    stack.pop().unwrap()
}

impl El {
    /// Every element below this one (itself included), in document order.
    pub fn all(&self) -> Vec<&El> {
        let mut out = vec![self];
        for c in &self.children {
            if let Child::El(e) = c {
                out.extend(e.all());
            }
        }
        out
    }

    /// The elements below this one with the tag `tag`.
    pub fn find(&self, tag: &str) -> Vec<&El> {
        self.all().into_iter().filter(|e| e.tag == tag).collect()
    }

    /// The element's children that are elements.
    pub fn kids(&self) -> Vec<&El> {
        self.children.iter().filter_map(|c| if let Child::El(e) = c { Some(e) } else { None }).collect()
    }

    /// The text inside, whitespace collapsed.
    pub fn text(&self) -> String {
        fn walk(e: &El, out: &mut String) {
            for c in &e.children {
                match c {
                    Child::Text(t) => out.push_str(t),
                    Child::El(e) => walk(e, out),
                }
            }
        }
        let mut s = String::new();
        walk(self, &mut s);
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }
}

/// The reference study's two pages, parsed, with their language codes and raw text.
fn reference_pages() -> Vec<(String, String, El)> {
    let out = reference_build();
    ["nb", "en"]
        .iter()
        .map(|lang| {
            let path = out.join(format!("report/out/{}-{lang}.html", edition()));
            let page = fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            (lang.to_string(), page.clone(), parse(&page))
        })
        .collect()
}

/// The editions' file name before the language: slug and version.
fn edition() -> String {
    format!("{}-{}", study_value("slug"), study_value("version"))
}

/// The study's `key` (`title_en`), read from data/study.toml here.
fn study_value(key: &str) -> String {
    let study: toml::Table = fs::read_to_string(root().join("data/study.toml")).unwrap().parse().unwrap();
    study[key].as_str().unwrap().to_string()
}

#[test]
fn each_page_has_its_language_one_h1_and_headings_that_never_skip_a_level() {
    for (lang, _, doc) in reference_pages() {
        let html = &doc.find("html")[0];
        assert_eq!(html.attr("lang"), Some(lang.as_str()), "the page says its language");
        let h1 = doc.find("h1");
        assert_eq!(h1.len(), 1, "{lang}: one h1");
        assert_eq!(h1[0].text(), study_value(&format!("title_{lang}")), "{lang}: the h1 is the title");
        let levels: Vec<(usize, String)> = doc
            .all()
            .into_iter()
            .filter_map(|e| {
                let level = e.tag.strip_prefix('h')?.parse::<usize>().ok()?;
                Some((level, e.text()))
            })
            .collect();
        assert!(levels.len() > 30, "{lang}: the chapters, sections and appendices are all there");
        for w in levels.windows(2) {
            assert!(w[1].0 <= w[0].0 + 1, "{lang}: {:?} follows {:?} and skips a level", w[1], w[0]);
        }
        // The other language's summary is marked as such, and only it.
        let other = if lang == "nb" { "en" } else { "nb" };
        let marked: Vec<&El> = doc.all().into_iter().filter(|e| e.tag != "html" && e.attr("lang").is_some()).collect();
        assert!(!marked.is_empty(), "{lang}: the summary in {other} carries lang");
        for e in marked {
            assert_eq!(e.attr("lang"), Some(other), "{lang}: a passage marked with another language");
            assert!(e.text().len() > 200, "{lang}: the marked passage holds the summary");
        }
        // The contents are navigation, and their entries link into the page.
        let ids: Vec<&str> = doc.all().into_iter().filter_map(|e| e.attr("id")).collect();
        let navs = doc.find("nav");
        assert!(!navs.is_empty(), "{lang}: the contents are a <nav>");
        let links = navs[0].find("a");
        assert!(links.len() > 10, "{lang}: the contents link to the chapters");
        for a in links {
            let target = a.attr("href").and_then(|h| h.strip_prefix('#')).expect("an internal link");
            assert!(ids.contains(&target), "{lang}: {target} is on the page");
        }
    }
}

#[test]
fn every_table_has_a_caption_and_scoped_headers_and_the_participants_are_counted_from_the_register() {
    // Counted here from data/interviews.csv: per region (individual, group, participants).
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for row in read_csv(&root().join("data/interviews.csv")) {
        let c = counts.entry(row["region"].clone()).or_default();
        if row["kind"] == "individual" {
            c.0 += 1;
        } else {
            c.1 += 1;
        }
        c.2 += row["participants"].parse::<usize>().unwrap();
    }
    let study: toml::Table = fs::read_to_string(root().join("data/study.toml")).unwrap().parse().unwrap();
    let out = reference_build();
    for (lang, _, doc) in reference_pages() {
        let tables = doc.find("table");
        assert!(tables.len() >= 8, "{lang}: every table is a <table>");
        for t in &tables {
            let caption = t.kids().first().filter(|c| c.tag == "caption").map(|c| c.text()).unwrap_or_default();
            let heads = t.find("thead").first().map(|h| h.find("th")).unwrap_or_default();
            assert!(!heads.is_empty(), "{lang}: the table {caption:?} has column headers");
            for th in &heads {
                assert_eq!(th.attr("scope"), Some("col"), "{lang}: {caption:?}: {}", th.text());
            }
            for tr in t.find("tbody")[0].find("tr") {
                let cells = tr.kids();
                assert_eq!(cells.len(), heads.len(), "{lang}: {caption:?}: a row has a cell per header");
                for th in cells.iter().filter(|c| c.tag == "th") {
                    assert_eq!(th.attr("scope"), Some("row"), "{lang}: {caption:?}");
                }
            }
            assert!(!caption.is_empty(), "{lang}: every table has a caption: {:?}", heads[0].text());
        }
        let pdf = pdf::text(&out.join(format!("report/out/{}-{lang}.pdf", edition())));
        let pdf = pdf.split_whitespace().collect::<Vec<_>>().join(" ");
        // The participants by region, row by row, as counted from the register.
        for region in study["region"].as_array().unwrap() {
            let id = region["id"].as_str().unwrap();
            let name = region[&format!("name_{lang}")].as_str().unwrap();
            let (i, g, p) = counts[id];
            let want = vec![name.to_string(), i.to_string(), g.to_string(), p.to_string()];
            let found = tables.iter().flat_map(|t| t.find("tr")).any(|tr| {
                let cells: Vec<String> = tr.kids().iter().map(|c| c.text()).collect();
                cells == want && tr.kids()[0].tag == "th"
            });
            assert!(found, "{lang}: a row {want:?}");
            assert!(pdf.contains(&want.join(" ")), "{lang}: the PDF's row {want:?}");
        }
    }
}

#[test]
fn figures_are_inline_svg_with_a_text_alternative_and_nothing_is_fetched_from_elsewhere() {
    let out = reference_build();
    for (lang, page, doc) in reference_pages() {
        let figures: Vec<&El> = doc.find("figure").into_iter().filter(|f| !f.find("svg").is_empty()).collect();
        let drawn = fs::read_dir(out.join("figures"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            // The heatmap repeats the bar chart and is printed in neither edition.
            .filter(|name| name.ends_with(&format!(".{lang}.svg")) && !name.starts_with("evidence-heatmap."))
            .count();
        assert_eq!(figures.len(), drawn, "{lang}: every figure the PDF prints is on the page");
        for f in figures {
            let svg = f.find("svg")[0];
            assert_eq!(svg.attr("role"), Some("img"), "{lang}");
            let alt = svg.attr("aria-label").unwrap_or_default();
            assert!(alt.split_whitespace().count() >= 4, "{lang}: a figure's text alternative says something: {alt:?}");
            let caption = f.find("figcaption");
            assert_eq!(caption.len(), 1, "{lang}: a figure has its caption");
            assert!(!caption[0].text().is_empty());
        }
        assert!(doc.find("img").is_empty(), "{lang}: no image left to load");
        assert!(
            doc.find("script").is_empty() && doc.find("link").is_empty() && doc.find("iframe").is_empty(),
            "{lang}"
        );
        for e in doc.all() {
            assert!(e.attr("src").is_none(), "{lang}: nothing loaded: <{}>", e.tag);
        }
        let css: String = doc.find("style").iter().map(|s| s.text()).collect();
        assert!(
            css.contains("font-family") && !css.contains("url(") && !css.contains("@import"),
            "{lang}: no web fonts"
        );
        assert!(!page.contains("<script"), "{lang}");
    }
}

#[test]
fn the_page_prints_hostile_data_as_text_and_rebuilds_byte_for_byte() {
    // Three regions, so that the themes rest on enough participants to print their excerpts.
    let (tmp, data) = temp_study(3, 1, &["en"]);
    let hostile_name = r#"#read(\"/etc/passwd\") @x $y$ *b* _i_ <l> `c` \\ // ~"#;
    let toml = fs::read_to_string(data.join("study.toml"))
        .unwrap()
        .replace("name_en = \"Region 0\"", &format!("name_en = \"{hostile_name}\""));
    fs::write(data.join("study.toml"), toml).unwrap();
    let script = "<script>alert(1)</script> & <img src=x onerror=alert(2)>";
    let path = data.join("excerpts/all.csv");
    fs::write(&path, fs::read_to_string(&path).unwrap().replace("words 1 en", &format!("\"{script}\""))).unwrap();
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let page = fs::read_to_string(out.join("report/out/small-0.1-en.html")).unwrap();
    assert!(!page.contains("<script") && !page.contains("<img"), "no markup from the data");
    let doc = parse(&page);
    let text = doc.text();
    assert!(text.contains(script), "the excerpt prints as written: {text}");
    assert!(doc.find("em").iter().any(|e| e.text() == script), "the excerpt is one text, in italics");
    assert!(text.contains(r#"#read("/etc/passwd") @x $y$ *b* _i_ <l> `c`"#), "typst markup prints as written");
    assert!(!text.contains("root:"), "no file was read");

    let again = tmp.path().join("again");
    build_into(&data, &again);
    assert_eq!(fs::read(again.join("report/out/small-0.1-en.html")).unwrap().as_slice(), page.as_bytes());
}

#[test]
fn a_page_is_kept_when_its_sources_did_not_change() {
    let (tmp, data) = temp_study(1, 2, &["nb", "en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let before = all_files(&out);
    let path = data.join("excerpts/all.csv");
    fs::write(&path, fs::read_to_string(&path).unwrap().replace("words 1 en", "other words 1 en")).unwrap();
    let log = build_explain(&data, &out);
    assert!(log.contains("skip     report/out/small-0.1-nb.html"), "{log}");
    assert!(log.contains("typeset  report/out/small-0.1-en.html"), "{log}");
    let after = all_files(&out);
    assert_eq!(after["report/out/small-0.1-nb.html"], before["report/out/small-0.1-nb.html"]);
    assert_ne!(after["report/out/small-0.1-en.html"], before["report/out/small-0.1-en.html"]);
    let manifest: serde_json::Value = serde_json::from_slice(&after["report/manifest.json"]).unwrap();
    assert!(manifest["outputs"]["report/out/small-0.1-nb.html"].is_string(), "the manifest lists the page");
}
