//! The fonts bsb embeds beyond typst's own, and the check that every character a study
//! puts in its PDFs has a glyph in one of them.
//!
//! PDF/A and PDF/UA refuse a character that no embedded font can draw, and typst only
//! finds out while typesetting, naming a line of the generated source. Participants write
//! emoji, Sámi, Cyrillic, Arabic and Tigrinya, so the reports carry fallbacks for the
//! scripts Libertinus Serif lacks (Libertinus already has the Sámi letters and Cyrillic):
//! Noto Naskh Arabic, Noto Serif Ethiopic and the monochrome Noto Emoji, all under the SIL
//! Open Font License (`fonts/OFL.txt`, sources in `fonts/README.md`). They are compiled
//! into the program, so a fresh machine with only cargo builds the same PDFs.
//!
//! [`check`] runs with `bsb check` (from validation), before anything is typeset: for every
//! text file of the study that reaches the PDF (`study.toml`, the tables, the prose) it
//! names file, line, field and character (U+XXXX) of each character no embedded font has.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst_kit::fonts::FontStore;

use crate::problem::Problems;
use crate::study::Study;

/// The fallback fonts' files, compiled in.
const FALLBACK: [&[u8]; 3] = [
    include_bytes!("../fonts/NotoNaskhArabic-Regular.ttf"),
    include_bytes!("../fonts/NotoSerifEthiopic-Regular.ttf"),
    include_bytes!("../fonts/NotoEmoji-Regular.ttf"),
];

/// Their family names, in the order the style lists them after Libertinus Serif.
pub const FALLBACK_FAMILIES: [&str; 3] = ["Noto Naskh Arabic", "Noto Serif Ethiopic", "Noto Emoji"];

/// Every embedded font, typst's own and the fallbacks, loaded once per process.
static FONTS: LazyLock<FontStore> = LazyLock::new(|| {
    let mut store = FontStore::new();
    store.extend(typst_kit::fonts::embedded());
    store.extend(fallback());
    store
});

/// The embedded fonts, for the typesetting world.
pub fn store() -> &'static FontStore {
    &FONTS
}

/// The embedded fonts' book (typst's own and bsb's fallbacks), for the glyph check.
pub fn font_book() -> &'static FontBook {
    FONTS.book()
}

/// The fallback fonts, for the font store.
fn fallback() -> impl Iterator<Item = (Font, FontInfo)> {
    FALLBACK.into_iter().flat_map(|data| {
        Font::iter(Bytes::new(data)).map(|font| {
            let info = font.info().clone();
            (font, info)
        })
    })
}

/// Whether a character needs a glyph: not a control, space or default-ignorable code point
/// (typst draws none for those).
fn needs_glyph(c: char) -> bool {
    !(c.is_control() || c.is_whitespace() || typst::text::is_default_ignorable(c))
}

/// Whether some font in `book` has a glyph for `c`.
pub fn covered(book: &FontBook, c: char) -> bool {
    (0..).map_while(|i| book.info(i)).any(|info| info.coverage.contains(c as u32))
}

/// The characters of `text` no font in `book` has, each once, in order.
pub fn missing(book: &FontBook, text: &str) -> Vec<char> {
    Coverage::new(book).missing(text)
}

/// [`covered`] remembered per character: a study's texts repeat a few hundred characters
/// millions of times, and asking every font's coverage for each costs a search per font.
struct Coverage<'a> {
    /// The fonts asked.
    book: &'a FontBook,
    /// The answer for each ASCII character, once asked: 0 not yet, 1 printable, 2 not.
    ascii: [u8; 128],
    /// The answers for the other characters asked so far.
    other: std::collections::HashMap<char, bool>,
}

impl<'a> Coverage<'a> {
    /// Nothing asked yet.
    fn new(book: &'a FontBook) -> Self {
        Coverage { book, ascii: [0; 128], other: Default::default() }
    }

    /// Whether `c` can be printed: it needs no glyph, or some font has one.
    fn printable(&mut self, c: char) -> bool {
        let book = self.book;
        let ask = |c| !needs_glyph(c) || covered(book, c);
        if c.is_ascii() {
            let slot = &mut self.ascii[c as usize];
            if *slot == 0 {
                *slot = if ask(c) { 1 } else { 2 };
            }
            *slot == 1
        } else {
            *self.other.entry(c).or_insert_with(|| ask(c))
        }
    }

    /// The characters of `text` no font has, each once, in order.
    fn missing(&mut self, text: &str) -> Vec<char> {
        let mut seen = BTreeSet::new();
        text.chars().filter(|&c| !self.printable(c) && seen.insert(c)).collect()
    }
}

/// Columns that never reach the PDF.
const UNPRINTED_COLUMNS: [&str; 2] = ["guid", "color"];

/// Report every character of the study's printed texts that no embedded font has.
pub fn check(study: &Study, problems: &mut Problems) {
    check_files(study, &|_| true, problems);
}

/// [`check`] for the study's files whose path (inside the data folder) `which` selects
/// (`bsb watch` checks a saved prose file again without the rest).
pub(crate) fn check_files(study: &Study, which: &dyn Fn(&str) -> bool, problems: &mut Problems) {
    let mut book = Coverage::new(font_book());
    // Problems name files as the loader does: `<data dir>/<path>`.
    let prefix = study.models.first().and_then(|m| m.pos.file.strip_suffix("study.toml")).unwrap_or("").to_string();
    for f in study.files.iter().filter(|f| which(&f.path)) {
        let file = format!("{prefix}{}", f.path);
        let Ok(text) = std::str::from_utf8(&f.bytes) else { continue };
        let text = text.trim_start_matches('\u{feff}');
        let mut found: Vec<(usize, String, char)> = Vec::new();
        if f.path.ends_with(".csv") {
            csv_texts(text, &mut |line, field, s| {
                for c in book.missing(s) {
                    found.push((line + s[..s.find(c).unwrap_or(0)].matches('\n').count(), field.to_string(), c));
                }
            });
        } else if f.path.ends_with(".toml") {
            toml_texts(text, &mut |line, field, s| {
                for c in book.missing(s) {
                    found.push((line, field.to_string(), c));
                }
            });
        } else if f.path.ends_with(".typ") {
            for (i, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for c in book.missing(line) {
                    found.push((i + 1, "prose".to_string(), c));
                }
            }
        }
        for (line, field, c) in found {
            problems.push(
                &file,
                Some(line),
                field,
                format!(
                    "expected characters an embedded font can print, found “{c}” (U+{:04X}), which no embedded \
                     font has; the PDF standards refuse it, so rewrite it or describe it in words",
                    c as u32
                ),
            );
        }
    }
}

/// Each printed cell of a CSV table with its header and the line it starts on.
fn csv_texts(text: &str, each: &mut dyn FnMut(usize, &str, &str)) {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let Ok(headers) = r.headers().cloned() else { return };
    // Lines are counted on from the previous record, so the walk stays linear in the file.
    let (mut counted_to, mut lines_before) = (0usize, 0usize);
    for record in r.records() {
        let Ok(record) = record else { continue };
        let byte = record.position().map(|p| p.byte() as usize).unwrap_or(0).min(text.len()).max(counted_to);
        lines_before += text.as_bytes()[counted_to..byte].iter().filter(|&&b| b == b'\n').count();
        counted_to = byte;
        let mut line = lines_before + 1;
        for (i, cell) in record.iter().enumerate() {
            let field = headers.get(i).unwrap_or("");
            if !UNPRINTED_COLUMNS.contains(&field) {
                each(line, field, cell);
            }
            line += cell.matches('\n').count();
        }
    }
}

/// Each line of a TOML file with the key it belongs to (`model.name_en`; continuation lines
/// of a multi-line string keep their key). Comment lines are skipped.
fn toml_texts(text: &str, each: &mut dyn FnMut(usize, &str, &str)) {
    let (mut table, mut key) = (String::new(), String::new());
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') {
            table = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            continue;
        }
        let mut value = line;
        if let Some((k, v)) = line.split_once('=') {
            let k = k.trim();
            if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || "_-.\"".contains(c)) {
                key = k.trim_matches('"').to_string();
                value = v;
            }
        }
        let field = if table.is_empty() { key.clone() } else { format!("{table}.{key}") };
        each(i + 1, &field, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_fonts_cover_what_participants_write() {
        let book = font_book();
        // Sámi (North, Lule, South, Inari, Skolt), Norwegian, Cyrillic, Arabic, Tigrinya
        // (Ethiopic), Somali (Latin) and emoji, among them sequences with joiners and
        // skin tones.
        let text = "ÁáČčĐđŊŋŠšŦŧŽžÆæØøÅåÏïÂâÕõǦǧǨǩǮǯƷʒ Привет мир ЁёЇїҐґ مرحبا بالعالم ሰላም ዓለም ትግርኛ \
                    Soomaali waa luqad 😀🤣😤👍🏽👩‍👩‍👧❤️🇳🇴";
        assert_eq!(missing(book, text), Vec::<char>::new());
        for family in ["Libertinus Serif"].into_iter().chain(FALLBACK_FAMILIES) {
            assert!(book.contains_family(&family.to_lowercase()), "{family} is in the font book");
        }
    }

    #[test]
    fn a_character_no_font_has_is_named_with_file_line_and_field() {
        let book = font_book();
        // Linear B and a cuneiform sign: no embedded font has them.
        assert_eq!(missing(book, "a𐀀b\u{12000}a"), vec!['𐀀', '\u{12000}']);
        let mut got = Vec::new();
        csv_texts("id,text_en,guid\nE1,\"one\ntwo 𐀀\",\u{12000}\nE2,fine,x\n", &mut |line, field, s| {
            if !missing(book, s).is_empty() {
                got.push((line + s[..s.find('𐀀').unwrap_or(0)].matches('\n').count(), field.to_string()));
            }
        });
        assert_eq!(got, [(3, "text_en".to_string())], "the guid column is never printed");
        let mut keys = Vec::new();
        toml_texts(
            "# 𐀀 in a comment\ntitle_en = \"x\"\n[[model]]\nname_en = \"\"\"\nline 𐀀\n\"\"\"\n",
            &mut |line, field, s| {
                if !missing(book, s).is_empty() {
                    keys.push((line, field.to_string()));
                }
            },
        );
        assert_eq!(keys, [(5, "model.name_en".to_string())]);
    }
}
