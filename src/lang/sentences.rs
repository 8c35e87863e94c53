//! Sentences: a language's sentences are minijinja templates; this file holds their
//! environment, the filters and tests for counts and plurals, and the count value they read.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr, Rest, Value};
use minijinja::{Environment, Error as JinjaError, ErrorKind, UndefinedBehavior};

use super::{Lang, Word};

impl Lang {
    /// An environment for this language's sentences: plain text out, the filters in.
    pub fn text_environment(&self, strict: bool) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(if strict { UndefinedBehavior::Strict } else { UndefinedBehavior::Lenient });
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        install(&mut env, self);
        env
    }

    /// A sentence of the language file with its values filled in. Values that are
    /// numerals in this language become counts the filters can read.
    pub fn sentence(&self, template: &str, pairs: &[(&str, String)]) -> String {
        let ctx: BTreeMap<&str, Value> = pairs.iter().map(|(k, v)| (*k, self.value_of(v))).collect();
        self.fill(template, ctx)
    }

    /// The sentence `key` of the language file with its values filled in.
    /// Every [`Word`] is checked at load time, so the lookup cannot miss: the empty text
    /// of the impossible branch stands in for a panic and never prints the key.
    pub fn say(&self, word: Word, pairs: &[(&str, String)]) -> String {
        self.words.get(word.key()).map(|w| self.sentence(w, pairs)).unwrap_or_default()
    }

    /// A sentence with values already made (counts from [`Lang::count`]).
    pub fn fill(&self, template: &str, ctx: BTreeMap<&str, Value>) -> String {
        if !template.contains("{{") && !template.contains("{%") {
            return template.to_string();
        }
        let mut all: BTreeMap<&str, Value> = self.vars.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        all.extend(ctx);
        self.text_environment(false).render_str(template, Value::from_pairs(all)).unwrap_or_else(|e| format!("[{e}]"))
    }

    /// A value for a sentence: a numeral in this language becomes a count the filters read.
    fn value_of(&self, text: &str) -> Value {
        let digits: String = text.replace(&self.format.thousands, "");
        match digits.parse::<u64>() {
            Ok(n) if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) => {
                Value::from_object(Num { n: Some(n), text: text.to_string() })
            }
            _ => Value::from(text),
        }
    }
}

/// A count in a template: prints as its numeral (or as "fewer than k"), and carries the
/// number for `words`, `count`, `plural` and the `one` test.
#[derive(Debug)]
pub struct Num {
    /// The number behind it; `None` when it may not be shown.
    pub n: Option<u64>,
    /// How it prints.
    pub text: String,
}

impl Object for Num {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The number behind a template value: `Some(n)`, or `None` for a count that may not be
/// shown; an error for anything that is not a count.
fn number_of(v: &Value) -> std::result::Result<(Option<u64>, String), JinjaError> {
    if let Some(num) = v.downcast_object_ref::<Num>() {
        return Ok((num.n, num.text.clone()));
    }
    if let Some(i) = v.as_i64().filter(|i| *i >= 0) {
        return Ok((Some(i as u64), i.to_string()));
    }
    // A value that is not a number ("–" for a figure the source does not give) prints as
    // itself and counts as plural.
    if let Some(s) = v.as_str() {
        return Ok((None, s.to_string()));
    }
    Err(JinjaError::new(ErrorKind::InvalidOperation, format!("expected a count, found `{v}`")))
}

/// Whether every count of `with` is small enough to be written in words (the counts a
/// sentence compares with the one it prints).
fn all_small(l: &Lang, with: &[Value]) -> std::result::Result<bool, JinjaError> {
    let mut all = true;
    for other in with {
        if let (Some(o), _) = number_of(other)? {
            all &= l.is_small(o);
        }
    }
    Ok(all)
}

/// The filters, functions and tests for numbers and plurals, for prose and sentences:
///
/// - `{{ n.regions|words }}`: "fire" (a word up to the language's limit, else "13");
/// - `{{ n.regions|count("region") }}`: "fire helseregioner", "én helseregion", "13 helseregioner";
///   counts compared in one sentence go together, all words or all numerals:
///   `{{ a|count("excerpt", b) }} fra {{ b|count("participant", a) }}` ("10 utdrag fra 9 deltakere");
///   `{{ a|words(b) }}` likewise;
/// - `{{ n.regions|numeral("region") }}`: "4 helseregioner" (numerals, as in tables);
/// - `{{ n.regions|plural("region") }}`: "helseregioner" (the noun alone);
/// - `{{ names|and_list }}`: "a, b og c"; `{{ text|upfirst }}`: first letter capital;
/// - `{% if n.models is one %}`: the count takes the singular.
pub fn install(env: &mut Environment<'static>, lang: &Lang) {
    // The filters read the language's grammar (number words and format, nouns, plural
    // rule), never its words, values or plain captions: those are left out of their copy,
    // which is made for every sentence and would otherwise grow with the study.
    let l = Arc::new(Lang {
        code: lang.code.clone(),
        language: lang.language.clone(),
        format: lang.format.clone(),
        numbers: lang.numbers.clone(),
        nouns: lang.nouns.clone(),
        words: BTreeMap::new(),
        vars: BTreeMap::new(),
        plain: BTreeMap::new(),
    });
    let unknown = |noun: &str| {
        JinjaError::new(ErrorKind::InvalidOperation, format!("no noun `{noun}` in the language's [nouns]"))
    };
    {
        let l = l.clone();
        env.add_filter("words", move |v: Value, with: Rest<Value>| -> std::result::Result<String, JinjaError> {
            let (n, text) = number_of(&v)?;
            let all_small = all_small(&l, &with)?;
            Ok(n.filter(|_| all_small).map(|n| l.in_words(n, None)).unwrap_or(text))
        });
    }
    {
        let l = l.clone();
        env.add_filter(
            "count",
            move |v: Value, noun: String, with: Rest<Value>| -> std::result::Result<String, JinjaError> {
                let (n, text) = number_of(&v)?;
                let form = l.noun_form(&noun, n).ok_or_else(|| unknown(&noun))?;
                let gender = l.nouns.get(&noun).and_then(|x| x.gender.clone());
                // Counts compared in one sentence are all words or all numerals.
                let all_small = all_small(&l, &with)?;
                let shown = match n {
                    Some(n) if all_small => l.in_words(n, gender.as_deref()),
                    Some(_) => text,
                    None => text,
                };
                Ok(format!("{shown} {form}"))
            },
        );
    }
    {
        let l = l.clone();
        env.add_filter("numeral", move |v: Value, noun: String| -> std::result::Result<String, JinjaError> {
            let (n, text) = number_of(&v)?;
            let form = l.noun_form(&noun, n).ok_or_else(|| unknown(&noun))?;
            Ok(format!("{text} {form}"))
        });
    }
    {
        let l = l.clone();
        env.add_filter("plural", move |v: Value, noun: String| -> std::result::Result<String, JinjaError> {
            let (n, _) = number_of(&v)?;
            l.noun_form(&noun, n).ok_or_else(|| unknown(&noun))
        });
    }
    {
        let l = l.clone();
        env.add_filter("and_list", move |v: Vec<String>| l.and_list(&v));
    }
    env.add_filter("upfirst", |s: String| {
        let mut c = s.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    });
    {
        let l = l.clone();
        env.add_test("one", move |v: Value| {
            number_of(&v).map(|(n, _)| n.is_some_and(|n| l.is_singular(n))).unwrap_or(false)
        });
    }
}
