//! A small, suspicious XML reader: it turns a REFI-QDA file (`project.qde`, `.qdc`) or a
//! worksheet of an `.xlsx` into a tree of elements that the reader walks by name.
//!
//! A tree rather than a streaming state machine because the project format cross-references
//! everything by GUID, so the whole document is needed anyway, and walking a tree by name
//! keeps unknown elements (which real exporters add) out of the way for free.
//!
//! What it refuses, so that a hostile file cannot make the import do unbounded work:
//! any `<!DOCTYPE …>` (entity declarations are how "billion laughs" and external-entity
//! tricks work, and no REFI-QDA exporter writes one), any entity reference other than the
//! five XML predefines and character references, and nesting deeper than [`MAX_DEPTH`].
//! Element names are compared by local name, so a prefixed `qda:Code` is a `Code`.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::problem::{build_err, Result};

/// Deeper than any real codebook (codes nest a handful of levels); stops a file of a
/// million nested elements from costing a million stack-like frames.
pub(crate) const MAX_DEPTH: usize = 256;

/// One element: local name, the line its start tag ends on, attributes by local name,
/// child elements in order, and its own text (text and CDATA directly inside it, joined).
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    pub name: String,
    pub line: usize,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The value of the attribute with local name `name`, if present.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The child elements called `name`, in document order.
    pub(crate) fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child element called `name`, if there is one.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child called `name`, if there is one.
    pub(crate) fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// Decode a file's bytes as text: UTF-8 with or without a BOM, or UTF-16 with a BOM (some
/// Windows tools write it). Anything else is refused rather than guessed.
pub(crate) fn decode_text(bytes: &[u8]) -> std::result::Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest).map(str::to_string).map_err(|e| utf8_message(&e));
    }
    let utf16 = |rest: &[u8], le: bool| -> std::result::Result<String, String> {
        if !rest.len().is_multiple_of(2) {
            return Err("is UTF-16 with an odd number of bytes".into());
        }
        let units =
            rest.chunks(2)
                .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
        char::decode_utf16(units).collect::<std::result::Result<String, _>>().map_err(|_| "is not valid UTF-16".into())
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    std::str::from_utf8(bytes).map(str::to_string).map_err(|e| utf8_message(&e))
}

fn utf8_message(e: &std::str::Utf8Error) -> String {
    format!("is not UTF-8 text (invalid byte at {})", e.valid_up_to())
}

/// Parse a whole document; `file` names it in messages. Returns the root element.
pub(crate) fn parse(bytes: &[u8], file: &str) -> Result<Element> {
    let text = decode_text(bytes).map_err(|m| build_err(format!("{file}: {m}")))?;
    let mut reader = Reader::from_str(&text);
    // Mismatched end tags are a broken file, not something to guess around.
    reader.config_mut().check_end_names = true;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let (mut line, mut seen) = (1usize, 0usize);
    let err = |line: usize, msg: String| build_err(format!("{file}:{line}: {msg}"));
    loop {
        let event = reader.read_event();
        // Advance the line count to where the reader now stands.
        let pos = (reader.buffer_position() as usize).min(text.len());
        if pos > seen {
            line += text.as_bytes()[seen..pos].iter().filter(|&&b| b == b'\n').count();
            seen = pos;
        }
        let event = event.map_err(|e| err(line, format!("is not well-formed XML: {e}")))?;
        let (start, empty) = match event {
            Event::Eof => break,
            Event::DocType(_) => {
                return Err(err(
                    line,
                    "has a <!DOCTYPE> declaration; refused because entity declarations can expand without \
                     bound or read other files, and no REFI-QDA exporter writes one"
                        .into(),
                ))
            }
            Event::Start(s) => (s, false),
            Event::Empty(s) => (s, true),
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| err(line, "closes an element that was never opened".into()))?;
                attach(&mut stack, &mut root, done).map_err(|m| err(line, m))?;
                continue;
            }
            Event::Text(t) => {
                let value = t.unescape().map_err(|e| err(line, entity_message(&e.to_string())))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&value),
                    None if value.trim().is_empty() => {}
                    None => return Err(err(line, "has text outside the root element".into())),
                }
                continue;
            }
            Event::CData(c) => {
                let value = c.decode().map_err(|e| err(line, format!("has undecodable CDATA: {e}")))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&value),
                    None => return Err(err(line, "has CDATA outside the root element".into())),
                }
                continue;
            }
            // Declarations, comments and processing instructions carry nothing we use.
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => continue,
        };
        if stack.len() >= MAX_DEPTH {
            return Err(err(line, format!("nests elements deeper than {MAX_DEPTH} levels; refused")));
        }
        let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
        let mut element = Element { name, line, ..Default::default() };
        for attr in start.attributes() {
            let attr = attr.map_err(|e| err(line, format!("has a malformed attribute: {e}")))?;
            let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
            let value = attr.unescape_value().map_err(|e| err(line, entity_message(&e.to_string())))?;
            element.attrs.push((key, value.into_owned()));
        }
        if empty {
            attach(&mut stack, &mut root, element).map_err(|m| err(line, m))?;
        } else {
            stack.push(element);
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(line, format!("ends before <{}> (line {}) is closed", open.name, open.line)));
    }
    root.ok_or_else(|| err(line, "has no root element".into()))
}

/// Put a finished element under its parent, or make it the root.
fn attach(stack: &mut [Element], root: &mut Option<Element>, done: Element) -> std::result::Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None if root.is_none() => *root = Some(done),
        None => return Err(format!("has a second root element <{}>", done.name)),
    }
    Ok(())
}

/// quick-xml refuses entities it does not know; say why that is the right outcome.
fn entity_message(detail: &str) -> String {
    format!("has an entity or escape that XML does not predefine ({detail}); refused, since custom entities are a way to smuggle content in")
}

/// Escape text for an XML attribute or element.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Carriage returns would be normalised away by a reader; keep them as a reference.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}
