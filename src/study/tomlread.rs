//! The reader behind [`super::studytoml`]: a serde deserializer over the parsed file that
//! never stops at a bad value. A value of the wrong kind, a blank required text, a text
//! missing in a language or a key no type has is noted with file, line (from the parser's
//! spans) and field; the value is taken as empty and reading goes on, so one pass reports
//! every problem. What keys there are, and what each holds, comes from the types' derived
//! `Deserialize` (`String` required, `Option` optional, `Vec` a list that may be left out).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use serde::de::value::{Error, StrDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::csvfile::MAX_FIELD_CHARS;
use super::studytoml::StudyToml;
use crate::problem::{Pos, Problems};

/// What one reading of `study.toml` gives: the typed file, the line of every field (for
/// the checks that follow) and the study's languages as far as they could be read.
pub(crate) struct Read {
    /// The file as read; a value that could not be read is empty.
    pub doc: StudyToml,
    /// The file as named in messages.
    pub file: String,
    /// Line of each field by its name in messages (`region[2].id`); a field left out has
    /// the line of its table's header.
    lines: HashMap<String, usize>,
}

impl Read {
    /// Where `field` (as named in messages) is; line 1 when unknown.
    pub(crate) fn pos(&self, field: &str) -> Pos {
        Pos::new(&self.file, self.lines.get(field).copied().unwrap_or(1))
    }
}

/// Read `source` (the text of `file`) into its types, with every problem on the way.
/// `Err` is a file that is not TOML at all (with its line).
pub(crate) fn read(file: &str, source: &str, problems: &mut Problems) -> Result<Read, ()> {
    let root = match DeTable::parse(source) {
        Ok(root) => root,
        Err(e) => {
            let line = e.span().map(|s| line_of(source, s.start));
            problems.push(file, line, "", format!("is not valid TOML: {}", e.message()));
            return Err(());
        }
    };
    // The languages come first: every text is read per language.
    let langs = match root.get_ref().get("languages").map(|v| v.get_ref()) {
        Some(DeValue::Array(items)) => items.iter().filter_map(|v| v.get_ref().as_str()).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let ctx = Ctx {
        file,
        source,
        langs,
        problems: RefCell::new(Problems::default()),
        lines: Default::default(),
        texts: Default::default(),
        breaks: source.match_indices('\n').map(|(i, _)| i).collect(),
    };
    let wrapped = Spanned::new(0..0, DeValue::Table(root.into_inner()));
    let reader = Reader::new(&ctx, Val::Raw(&wrapped), String::new(), 1);
    let doc = match <StudyToml as serde::Deserialize>::deserialize(reader) {
        Ok(doc) => doc,
        Err(e) => {
            // The reader gives every type a value; this is only a safeguard.
            ctx.report(1, "", format!("could not be read: {e}"));
            StudyToml::default()
        }
    };
    problems.0.append(&mut ctx.problems.into_inner().0);
    Ok(Read { doc, file: file.to_string(), lines: ctx.lines.into_inner() })
}

/// The 1-based line of byte `offset` in `source`.
fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

/// What one reading shares.
struct Ctx<'a> {
    file: &'a str,
    source: &'a str,
    langs: Vec<String>,
    problems: RefCell<Problems>,
    lines: RefCell<HashMap<String, usize>>,
    /// The fields read as a text per language (by their names in messages).
    texts: RefCell<BTreeSet<String>>,
    /// The byte offset of every line break in `source`, in order.
    breaks: Vec<usize>,
}

impl Ctx<'_> {
    /// [`line_of`] `offset` in the source, by a search among its line breaks (counting
    /// them from the start for every key made reading a large file quadratic).
    fn line(&self, offset: usize) -> usize {
        self.breaks.partition_point(|&b| b < offset.min(self.source.len())) + 1
    }

    fn report(&self, line: usize, field: &str, message: impl Into<String>) {
        self.problems.borrow_mut().push(self.file, Some(line), field, message);
    }
}

/// A value as found for one field.
#[derive(Clone)]
enum Val<'s, 'a> {
    /// The key is not there.
    Absent,
    /// The key's value.
    Raw(&'s Spanned<DeValue<'a>>),
    /// No key of this name, but `<name>_<lang>` keys: (language, line, value).
    Suffixed(Vec<(String, usize, &'s Spanned<DeValue<'a>>)>),
}

/// A deserializer for one field.
struct Reader<'c, 's, 'a> {
    ctx: &'c Ctx<'a>,
    val: Val<'s, 'a>,
    /// The field as named in messages (`region[2].name_en`).
    field: String,
    /// Its line: the key's, or its table header's when left out.
    line: usize,
    /// A text in one language: may hold line breaks, and a blank one is missing in `lang`.
    lang: Option<String>,
    /// An item of a list: kept as written, may be empty.
    item: bool,
}

impl<'c, 's, 'a> Reader<'c, 's, 'a> {
    fn new(ctx: &'c Ctx<'a>, val: Val<'s, 'a>, field: String, line: usize) -> Self {
        Reader { ctx, val, field, line, lang: None, item: false }
    }

    fn report(&self, message: impl Into<String>) {
        self.ctx.report(self.line, &self.field, message);
    }

    /// What the value is, for "found …".
    fn found(&self) -> &'static str {
        match &self.val {
            Val::Raw(v) => v.get_ref().type_str(),
            Val::Absent => "nothing",
            Val::Suffixed(_) => "texts per language",
        }
    }

    /// `<name>_<lang>` keys given to a field that is not a text: each is a key the file
    /// does not have.
    fn refuse_suffixed(&self) {
        if let Val::Suffixed(entries) = &self.val {
            for (lang, line, _) in entries {
                self.ctx.report(*line, &format!("{}_{lang}", self.field), "found a key this file does not have");
            }
        }
    }

    /// A text checked for control characters and length.
    fn clean(&self, value: &str) -> bool {
        let len = value.chars().count();
        if len > MAX_FIELD_CHARS {
            self.report(format!("expected at most {MAX_FIELD_CHARS} characters, found {len}"));
            return false;
        }
        let multiline = self.lang.is_some();
        let bad = value
            .chars()
            .find(|c| ((*c as u32) < 0x20 || *c == '\u{7f}') && !(multiline && (*c == '\n' || *c == '\t')));
        if let Some(c) = bad {
            self.report(format!("found a control character (U+{:04X}); remove it", c as u32));
            return false;
        }
        true
    }

    /// The string value, trimmed unless a list item; `None` (reported) when it is not a
    /// usable text.
    fn text(&self) -> Option<String> {
        let missing = || match &self.lang {
            Some(lang) => format!("expected the text in language `{lang}`, found none"),
            None => "expected a value, found none".to_string(),
        };
        match &self.val {
            Val::Raw(v) => match v.get_ref().as_str() {
                Some(s) if self.item => self.clean(s).then(|| s.to_string()),
                Some(s) if s.trim().is_empty() => {
                    self.report(missing());
                    None
                }
                Some(s) => self.clean(s).then(|| s.trim().to_string()),
                None if self.item => {
                    self.report("expected a list of texts in quotes");
                    None
                }
                None => {
                    self.report(format!("expected a text in quotes, found {}", self.found()));
                    None
                }
            },
            Val::Absent => {
                self.report(missing());
                None
            }
            Val::Suffixed(_) => {
                self.refuse_suffixed();
                self.report(missing());
                None
            }
        }
    }
}

impl<'de, 'c, 's, 'a> de::Deserializer<'de> for Reader<'c, 's, 'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.val {
            Val::Raw(v) => match v.get_ref() {
                DeValue::String(_) => self.deserialize_string(visitor),
                DeValue::Boolean(_) => self.deserialize_bool(visitor),
                DeValue::Integer(_) => self.deserialize_u64(visitor),
                DeValue::Array(_) => self.deserialize_seq(visitor),
                DeValue::Table(_) => self.deserialize_map(visitor),
                _ => visitor.visit_unit(),
            },
            Val::Suffixed(_) => self.deserialize_map(visitor),
            Val::Absent => visitor.visit_unit(),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.refuse_suffixed();
        match &self.val {
            Val::Raw(v) => match v.get_ref() {
                DeValue::Boolean(b) => visitor.visit_bool(*b),
                other => {
                    self.report(format!("expected true or false, found {}", other.type_str()));
                    visitor.visit_bool(false)
                }
            },
            _ => visitor.visit_bool(false),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.refuse_suffixed();
        // The only number of the file is the small-cell limit; 0 stands for "unreadable".
        let Val::Raw(v) = &self.val else { return visitor.visit_u64(0) };
        let n = match v.get_ref() {
            DeValue::Integer(i) if i.radix() == 10 => i.as_str().replace('_', "").parse::<u32>().ok(),
            _ => None,
        };
        match n {
            Some(n) if n >= 1 => visitor.visit_u64(u64::from(n)),
            _ => {
                let written = self.ctx.source.get(v.span()).unwrap_or("").trim();
                self.report(format!("expected a whole number of at least 1, found `{written}`"));
                visitor.visit_u64(0)
            }
        }
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(self.text().unwrap_or_default())
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.val {
            Val::Absent => visitor.visit_none(),
            Val::Raw(v) if v.get_ref().as_str().is_some_and(|s| s.trim().is_empty()) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.refuse_suffixed();
        let items: &'s [Spanned<DeValue<'a>>] = match self.val.clone() {
            Val::Raw(v) => match v.get_ref() {
                DeValue::Array(items) => items,
                _ => {
                    self.report("expected a list like [\"a\", \"b\"]");
                    &[]
                }
            },
            _ => &[],
        };
        visitor.visit_seq(Items { ctx: self.ctx, field: &self.field, line: self.line, items: items.iter().enumerate() })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // A value per language: `<name>_<lang>` keys or a table `<name> = { <lang> = … }`,
        // read in the study's language order.
        self.ctx.texts.borrow_mut().insert(self.field.clone());
        let mut entries = Vec::new();
        for lang in &self.ctx.langs {
            let found: Option<(usize, &'s Spanned<DeValue<'a>>)> = match self.val.clone() {
                Val::Raw(v) => match v.get_ref() {
                    DeValue::Table(t) => t.get(lang.as_str()).map(|v| (self.ctx.line(v.span().start), v)),
                    _ => None,
                },
                Val::Suffixed(given) => given.iter().find(|(l, _, _)| l == lang).map(|(_, line, v)| (*line, *v)),
                Val::Absent => None,
            };
            let (line, val) = found.map(|(line, v)| (line, Val::Raw(v))).unwrap_or((self.line, Val::Absent));
            let mut reader = Reader::new(self.ctx, val, format!("{}_{lang}", self.field), line);
            reader.lang = Some(lang.clone());
            entries.push((lang.clone(), reader));
        }
        if let Val::Raw(v) = &self.val {
            if !matches!(v.get_ref(), DeValue::Table(_)) {
                self.report(format!("expected a text per language, found {}", self.found()));
            }
        }
        visitor.visit_map(Langs { entries: entries.into_iter(), next: None })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.refuse_suffixed();
        let empty = DeTable::default();
        let table: &DeTable<'a> = match self.val.clone() {
            Val::Raw(v) => match v.get_ref() {
                DeValue::Table(t) => t,
                other => {
                    self.report(format!("expected a table `[{}]`, found {}", self.field, other.type_str()));
                    &empty
                }
            },
            _ => &empty,
        };
        let keys = Keys {
            ctx: self.ctx,
            prefix: &self.field,
            line: self.line,
            table,
            fields,
            done: Default::default(),
            taken: Default::default(),
            next: Default::default(),
        };
        let value = visitor.visit_map(&keys)?;
        keys.unknown();
        Ok(value)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let written = self.text().unwrap_or_default();
        if variants.contains(&written.as_str()) {
            return visitor.visit_enum(StrDeserializer::<Error>::new(
                variants[variants.iter().position(|v| *v == written).unwrap_or(0)],
            ));
        }
        if !written.is_empty() {
            self.report(format!("expected {}, found `{written}`", choices(name, variants)));
        }
        visitor.visit_enum(StrDeserializer::<Error>::new(variants[0]))
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u128 f32 f64 char bytes byte_buf unit unit_struct
        newtype_struct tuple tuple_struct identifier ignored_any
    }
}

/// The values an enum may take, in words.
fn choices(name: &str, variants: &[&str]) -> String {
    let meaning = |v: &str| match (name, v) {
        ("Coding", "original") => " (coded from the interviews)",
        ("Coding", "reconstructed") => " (written afterwards from a published report)",
        _ => "",
    };
    variants.iter().map(|v| format!("\"{v}\"{}", meaning(v))).collect::<Vec<_>>().join(" or ")
}

/// The items of a list.
struct Items<'c, 'f, 'a, I> {
    ctx: &'c Ctx<'a>,
    /// The list's name and line.
    field: &'f str,
    line: usize,
    items: I,
}

impl<'de, 'c, 't, 'a: 't, I: Iterator<Item = (usize, &'t Spanned<DeValue<'a>>)>> SeqAccess<'de>
    for Items<'c, '_, 'a, I>
{
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some((i, item)) = self.items.next() else { return Ok(None) };
        // A table of an array (`[[unit]]`) is named `unit[2]` at its header's line; a plain
        // item has its list's name and line.
        let table = item.get_ref().is_table();
        let mut reader = if table {
            let line = self.ctx.line(item.span().start);
            Reader::new(self.ctx, Val::Raw(item), format!("{}[{}]", self.field, i + 1), line)
        } else {
            Reader::new(self.ctx, Val::Raw(item), self.field.to_string(), self.line)
        };
        reader.item = !table;
        seed.deserialize(reader).map(Some)
    }
}

/// The languages of a text.
struct Langs<'c, 's, 'a, I> {
    entries: I,
    next: Option<Reader<'c, 's, 'a>>,
}

impl<'de, 'c, 's, 'a, I: Iterator<Item = (String, Reader<'c, 's, 'a>)>> MapAccess<'de> for Langs<'c, 's, 'a, I> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((lang, reader)) = self.entries.next() else { return Ok(None) };
        self.next = Some(reader);
        seed.deserialize(lang.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.next.take() {
            Some(reader) => seed.deserialize(reader),
            None => Err(de::Error::custom("a value without its key")),
        }
    }
}

/// The keys of a table, one per field of its type.
struct Keys<'c, 'f, 't, 'a> {
    ctx: &'c Ctx<'a>,
    /// The table's name in messages (empty for the file's top) and its header's line.
    prefix: &'f str,
    line: usize,
    table: &'t DeTable<'a>,
    /// The type's fields, in order.
    fields: &'static [&'static str],
    /// How many fields have been given to the type.
    done: std::cell::Cell<usize>,
    /// The `<name>_<lang>` keys taken by a field.
    taken: RefCell<BTreeSet<String>>,
    next: RefCell<Option<Reader<'c, 't, 'a>>>,
}

impl Keys<'_, '_, '_, '_> {
    /// The field name of `key` in messages.
    fn field(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    /// Report every key of the table that no field took, with the nearest known key.
    fn unknown(&self) {
        let taken = self.taken.borrow();
        for (key, _) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.fields.contains(&name) || taken.contains(name) {
                continue;
            }
            let known = self.known();
            let message = match crate::diagnostic::nearest(name, known.iter().map(String::as_str)) {
                Some(near) => format!("found a key this file does not have; did you mean `{near}`?"),
                None => {
                    format!("found a key this file does not have (a typo?); the keys here are: {}", known.join(", "))
                }
            };
            self.ctx.report(self.ctx.line(key.span().start), &self.field(name), message);
        }
    }

    /// The keys this table may have: its fields, and a text's key per language.
    fn known(&self) -> Vec<String> {
        let texts = self.ctx.texts.borrow();
        let mut known = Vec::new();
        for f in self.fields {
            if texts.contains(&self.field(f)) {
                known.extend(self.ctx.langs.iter().map(|l| format!("{f}_{l}")));
            } else {
                known.push(f.to_string());
            }
        }
        known
    }
}

impl<'de, 'c, 't, 'a> MapAccess<'de> for &Keys<'c, '_, 't, 'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some(&name) = self.fields.get(self.done.get()) else { return Ok(None) };
        self.done.set(self.done.get() + 1);
        let ctx = self.ctx;
        // A text's `<name>_<lang>` keys, for the languages a table `<name> = { … }` lacks.
        let own = self.table.get_key_value(name);
        let given: Option<&DeTable<'a>> = own.and_then(|(_, v)| v.get_ref().as_table());
        let suffixed: Vec<_> = ctx
            .langs
            .iter()
            .filter(|l| given.is_none_or(|t| t.get(l.as_str()).is_none()))
            .filter_map(|l| {
                let (key, v) = self.table.get_key_value(format!("{name}_{l}").as_str())?;
                Some((l.clone(), key, v))
            })
            .collect();
        let (val, line) = match own {
            Some((key, v)) if suffixed.is_empty() || given.is_none() => (Val::Raw(v), ctx.line(key.span().start)),
            _ if suffixed.is_empty() => (Val::Absent, self.line),
            _ => {
                let mut entries = Vec::new();
                for l in &ctx.langs {
                    let in_table = given.and_then(|t| t.get_key_value(l.as_str()));
                    let found = in_table.or_else(|| suffixed.iter().find(|(x, _, _)| x == l).map(|(_, k, v)| (*k, *v)));
                    if let Some((key, v)) = found {
                        entries.push((l.clone(), ctx.line(key.span().start), v));
                    }
                }
                for (_, key, _) in &suffixed {
                    self.taken.borrow_mut().insert(key.get_ref().to_string());
                }
                // A text of keys per language is placed at its table's header, as the
                // text's own key would be were it left out; each language at its key.
                (Val::Suffixed(entries), self.line)
            }
        };
        let field = self.field(name);
        ctx.lines.borrow_mut().insert(field.clone(), line);
        *self.next.borrow_mut() = Some(Reader::new(ctx, val, field, line));
        seed.deserialize(StrDeserializer::<Error>::new(name)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.next.borrow_mut().take() {
            Some(reader) => seed.deserialize(reader),
            None => Err(de::Error::custom("a value without its key")),
        }
    }
}
