//! The template environment: minijinja set up so that every value prints as a typst string
//! literal (data never becomes markup), with a work limit and the language's filters.

use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior};

use crate::lang::Lang;

/// A typst string literal: prints its content literally wherever it is placed.
pub fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The work one prose chapter may make the template engine do (about an instruction, or
/// 64 bytes of output, per unit): ample for text with values, short for a runaway loop.
pub const PROSE_FUEL: u64 = 1_000_000;
/// The same for the report's skeleton, which lists every table and excerpt.
pub const SKELETON_FUEL: u64 = 200_000_000;

/// `strict` for the study's prose, where an unknown name is an author's typo to report;
/// the skeleton asks for optional parts (`chapters.summary`) and tests them instead, so
/// it may test or loop over an undefined value (chainable) but never print one (the
/// formatter and `lit` refuse it): a word the language lacks (`{{ w.typo }}`) is a build
/// error, not an empty text.
pub(crate) fn typst_environment(strict: bool, lang: Option<&Lang>) -> Environment<'static> {
    let mut env = Environment::new();
    // A work limit: a runaway loop or a huge repetition in a template ends as an error
    // naming its file instead of running on (each render has its own budget).
    env.set_fuel(Some(if strict { PROSE_FUEL } else { SKELETON_FUEL }));
    if !strict {
        // The skeletons import their shared macros (`{% from "datatable.typ.j2" import
        // datatable %}`); the study's prose has no templates to import.
        for (name, text) in super::SHARED_TEMPLATES {
            // The text is the program's own, checked by its tests; adding it only parses it.
            let _ = env.add_template(name, text);
        }
    }
    if let Some(lang) = lang {
        crate::lang::install(&mut env, lang);
    }
    env.set_undefined_behavior(if strict { UndefinedBehavior::Strict } else { UndefinedBehavior::Chainable });
    env.set_formatter(|out, state, value| {
        if value.is_safe() {
            return minijinja::escape_formatter(out, state, value);
        }
        // The skeleton may test or loop over an optional part that is not there, but never
        // print one: an undefined value printed (a word the language lacks) is an error.
        if value.is_undefined() {
            return Err(minijinja::Error::new(minijinja::ErrorKind::UndefinedError, "printing an undefined value"));
        }
        let text = if value.is_none() { String::new() } else { value.to_string() };
        out.write_str(&format!("#{}", typst_string(&text))).map_err(minijinja::Error::from)
    });
    // An undefined value (a word the language lacks, `w.typo`) is an error here as when
    // printed, never an empty text in the PDF.
    env.add_filter("lit", |v: Value| -> Result<Value, minijinja::Error> {
        if v.is_undefined() {
            return Err(minijinja::Error::new(minijinja::ErrorKind::UndefinedError, "`lit` of an undefined value"));
        }
        Ok(Value::from_safe_string(typst_string(&v.to_string())))
    });
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The skeleton may test an optional part, but a word the language lacks is an error
    /// whether printed or passed to `lit`, never an empty text.
    #[test]
    fn the_skeleton_fails_on_a_word_the_language_lacks() {
        let env = typst_environment(false, None);
        let w = minijinja::context! { w => minijinja::context! { title => "Title" } };
        assert_eq!(env.render_str("{{ w.title }}", &w).unwrap(), "#\"Title\"");
        assert_eq!(env.render_str("{% if w.typo %}x{% endif %}", &w).unwrap(), "");
        for template in ["{{ w.typo }}", "{{ w.typo|lit }}", "{{ w[\"typo\"] }}"] {
            let e = env.render_str(template, &w).unwrap_err();
            assert_eq!(e.kind(), minijinja::ErrorKind::UndefinedError, "{template}");
        }
    }

    /// The shared templates parse (the environment adds them without asking).
    #[test]
    fn the_shared_templates_parse() {
        for (name, text) in super::super::SHARED_TEMPLATES {
            minijinja::Environment::new().add_template(name, text).unwrap();
        }
    }
}
