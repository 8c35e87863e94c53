//! The study's prose chapters checked as a whole before any edition is typeset: every
//! template error and every typst syntax error in every prose file at once, each a
//! [`Diagnostic`] naming the file, line and column, the value or filter at fault and the
//! nearest one that exists.
//!
//! minijinja stops at a template's first error. To find the next one, the failing span is
//! blanked out (same length, so every later offset stays right) and the file rendered
//! again; an error that overlaps a blanked span follows from the first and is not
//! repeated. Values named only in a branch the data does not take are found from the
//! template's list of undeclared names.

use std::collections::BTreeSet;
use std::ops::Range;

use minijinja::value::Value;
use minijinja::{Environment, ErrorKind};

use crate::diagnostic::{nearest, Diagnostic};
use crate::lang::Lang;
use crate::problem::{Failure, Result};

/// Where the list of values is, said under every error about one.
pub(crate) const VALUES_HINT: &str =
    "note: the values prose may use are listed in data/prose/README.md, and `bsb values` prints them for this study";

/// The filters and tests prose may use: the language's own (see `lang::install`), `lit`,
/// and minijinja's built-in ones an author is likely to reach for.
const FILTERS: &[&str] = &[
    "words",
    "count",
    "numeral",
    "plural",
    "and_list",
    "upfirst",
    "lit",
    "lower",
    "upper",
    "title",
    "capitalize",
    "trim",
    "replace",
    "length",
    "default",
    "first",
    "last",
    "join",
    "round",
    "abs",
    "int",
    "float",
    "list",
    "sort",
    "unique",
    "reverse",
    "sum",
    "min",
    "max",
    "string",
    "bool",
    "items",
    "dictsort",
    "select",
    "reject",
    "map",
    "attr",
];

/// How many rounds of blanking and rendering one file gets: far more than the errors one
/// edit leaves, and a bound on the work a broken file can cause.
const MAX_ROUNDS: usize = 40;

/// Render one prose file (`file` as a reader names it) with every error in it, or the text.
pub(crate) fn render_file(
    env: &Environment<'static>,
    file: &str,
    source: &str,
    ctx: &Value,
    lang: &Lang,
) -> std::result::Result<String, Vec<Diagnostic>> {
    match render_with_errors(env, file, source, ctx, lang) {
        (Some(out), found) if found.is_empty() => Ok(out),
        (_, found) if found.is_empty() => {
            Err(vec![Diagnostic::at(file, source, 0..0, "the template could not be rendered")])
        }
        (_, found) => Err(found),
    }
}

/// The text as far as it renders (the spans at fault blanked out) and every error found.
fn render_with_errors(
    env: &Environment<'static>,
    file: &str,
    source: &str,
    ctx: &Value,
    lang: &Lang,
) -> (Option<String>, Vec<Diagnostic>) {
    let mut env = env.clone();
    env.set_debug(true);
    let mut work = source.to_string();
    let mut blanked: Vec<Range<usize>> = Vec::new();
    let mut found: Vec<Diagnostic> = Vec::new();
    let mut rendered = None;
    for _ in 0..MAX_ROUNDS {
        let err = match env.template_from_str(&work) {
            Err(e) => e,
            Ok(t) => match t.render(ctx) {
                Ok(out) => {
                    let more = unresolved_names(&t, file, source, ctx, &found);
                    found.extend(more);
                    rendered = Some(out);
                    break;
                }
                Err(e) => e,
            },
        };
        let range = error_range(&work, &err);
        let follows = blanked.iter().any(|b| b.start < range.end.max(range.start + 1) && range.start < b.end);
        if !follows {
            found.push(describe(&err, file, source, range.clone(), ctx, lang));
        }
        if err.kind() == ErrorKind::OutOfFuel {
            break;
        }
        // A syntax error, or an error that a blanked span caused, takes its whole tag.
        let span = if err.kind() == ErrorKind::SyntaxError || follows { enclosing_tag(&work, &range) } else { range };
        let before = work.clone();
        blank(&mut work, &span);
        blanked.push(span);
        if work == before {
            break;
        }
    }
    (rendered, found)
}

/// The error's byte range in the template, or its whole line, or the file's end.
fn error_range(work: &str, err: &minijinja::Error) -> Range<usize> {
    if let Some(r) = err.range().filter(|r| r.end <= work.len()) {
        return r;
    }
    match err.line() {
        Some(line) => {
            let start = work.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>().min(work.len());
            let end = work[start..].find('\n').map_or(work.len(), |i| start + i);
            start..end
        }
        None => work.len()..work.len(),
    }
}

/// The `{{ … }}` or `{% … %}` around `range` (to the end of its line when unclosed).
fn enclosing_tag(work: &str, range: &Range<usize>) -> Range<usize> {
    let at = range.start.min(work.len());
    let open = ["{{", "{%", "{#"].iter().filter_map(|o| work[..at.min(work.len())].rfind(o)).max();
    let Some(open) = open else { return range.clone() };
    let line_end = work[at..].find('\n').map_or(work.len(), |i| at + i);
    let close = ["}}", "%}", "#}"].iter().filter_map(|c| work[at..].find(c).map(|i| at + i + 2)).min();
    open..close.filter(|c| *c <= line_end).unwrap_or(line_end)
}

/// Replace `range` with spaces (newlines kept) and, where it fits, `none`: the template
/// keeps its length and its lines, and the blanked expression is a harmless value.
fn blank(work: &mut String, range: &Range<usize>) {
    let (start, end) = (range.start.min(work.len()), range.end.min(work.len()));
    if !work.is_char_boundary(start) || !work.is_char_boundary(end) {
        return;
    }
    let mut replaced: String =
        work[start..end].chars().map(|c| if c == '\n' { c.to_string() } else { " ".repeat(c.len_utf8()) }).collect();
    let tag =
        work[start..end].starts_with("{{") || work[start..end].starts_with("{%") || work[start..end].starts_with("{#");
    if !tag && end - start >= 4 && !work[start..end].contains('\n') {
        replaced.replace_range(0..4, "none");
    }
    work.replace_range(start..end, &replaced);
}

/// One error as a reader should see it: the value, filter or test by name, with the
/// nearest one that exists.
fn describe(
    err: &minijinja::Error,
    file: &str,
    source: &str,
    range: Range<usize>,
    ctx: &Value,
    lang: &Lang,
) -> Diagnostic {
    let text = source.get(range.clone()).unwrap_or("");
    let detail = err.detail().unwrap_or("").to_string();
    let at = |message: String| Diagnostic::at(file, source, range.clone(), message);
    if let Some(bad) = first_unresolved(text, ctx) {
        return not_a_value(at(String::new()), &bad, ctx);
    }
    match err.kind() {
        ErrorKind::UnknownFilter | ErrorKind::UnknownTest => {
            let what = if err.kind() == ErrorKind::UnknownFilter { "filter" } else { "test" };
            let name = detail.split_whitespace().nth(1).unwrap_or(text).to_string();
            let mut d = at(format!("`{name}` is not a {what}")).label(format!("unknown {what}"));
            let names: &[&str] =
                if what == "filter" { FILTERS } else { &["one", "defined", "undefined", "none", "even", "odd"] };
            if let Some(n) = nearest(&name, names.iter().copied()) {
                d = d.note(format!("help: did you mean `{n}`?"));
            }
            d.note("note: the filters are described in data/prose/README.md")
        }
        ErrorKind::OutOfFuel => at(format!(
            "the template does more work than a chapter may (limit {}); is a loop or a repetition too long?",
            super::PROSE_FUEL
        ))
        .label("this runs too long"),
        ErrorKind::SyntaxError => at(format!("template syntax: {detail}")).label("here"),
        kind => {
            let mut d =
                at(if detail.is_empty() { kind.to_string() } else { format!("{kind}: {detail}") }).label("here");
            if let Some(noun) = detail.strip_prefix("no noun `").and_then(|r| r.split('`').next()) {
                if let Some(n) = nearest(noun, lang.nouns.keys().map(String::as_str)) {
                    d = d.note(format!("help: did you mean `{n}`?"));
                }
                let nouns: Vec<&str> = lang.nouns.keys().map(String::as_str).collect();
                d = d.note(format!("note: the nouns are {}", nouns.join(", ")));
            }
            d
        }
    }
}

/// A diagnostic for a name that is no value, with the nearest sibling.
fn not_a_value(d: Diagnostic, bad: &Unresolved, ctx: &Value) -> Diagnostic {
    let mut d = Diagnostic { message: format!("`{}` is not a value", bad.path), ..d }.label("not a value");
    let parent = if bad.known.is_empty() { Some(ctx.clone()) } else { lookup(ctx, &bad.known) };
    let keys = parent.map(|p| keys_of(&p)).unwrap_or_default();
    if let Some(n) = nearest(&bad.segment, keys.iter().map(String::as_str)) {
        let prefix = if bad.known.is_empty() { String::new() } else { format!("{}.", bad.known.join(".")) };
        d = d.note(format!("help: did you mean `{prefix}{n}`?"));
    }
    d.note(VALUES_HINT)
}

/// A dotted name that does not resolve: the part that does, the segment that does not.
struct Unresolved {
    /// The whole name as written, up to the failing segment: `n.participant`.
    path: String,
    /// The segments that resolve: `["n"]`.
    known: Vec<String>,
    /// The first that does not: `participant`.
    segment: String,
}

/// The first dotted name in `expr` whose root is a value of `ctx` (or no local name) and
/// that does not resolve.
fn first_unresolved(expr: &str, ctx: &Value) -> Option<Unresolved> {
    names_in(expr).into_iter().find_map(|path| {
        let segs: Vec<&str> = path.split('.').collect();
        let root_known = !ctx.get_attr(segs[0]).map(|v| v.is_undefined()).unwrap_or(true);
        if !root_known {
            return None;
        }
        let mut known = Vec::new();
        let mut v = ctx.clone();
        for s in &segs {
            match v.get_attr(s) {
                Ok(next) if !next.is_undefined() => {
                    known.push(s.to_string());
                    v = next;
                }
                _ => {
                    let path = [known.clone(), vec![s.to_string()]].concat().join(".");
                    return Some(Unresolved { path, known, segment: s.to_string() });
                }
            }
        }
        None
    })
}

/// Dotted names in an expression, outside string literals: `n.participants|count("x")`
/// gives `n.participants`.
fn names_in(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
            i += 1;
            continue;
        }
        let after_filter = i > 0 && matches!(chars[..i].iter().rev().find(|c| !c.is_whitespace()), Some('|'));
        if (c.is_alphabetic() || c == '_')
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == '.'))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect::<String>().trim_end_matches('.').to_string();
            let keyword = [
                "is", "not", "and", "or", "in", "if", "else", "for", "endfor", "endif", "none", "true", "false", "set",
                "elif",
            ];
            let called = chars.get(i) == Some(&'(');
            if !after_filter && !called && !keyword.contains(&name.as_str()) {
                out.push(name);
            }
            continue;
        }
        i += 1;
    }
    out
}

/// The value at a dotted path.
fn lookup(ctx: &Value, path: &[String]) -> Option<Value> {
    let mut v = ctx.clone();
    for s in path {
        v = v.get_attr(s).ok().filter(|x| !x.is_undefined())?;
    }
    Some(v)
}

/// The keys of a map value.
fn keys_of(v: &Value) -> Vec<String> {
    v.try_iter().map(|it| it.map(|k| k.to_string()).collect::<Vec<String>>()).unwrap_or_default()
}

/// Names the template uses that no value answers, found without running it (so a branch
/// the data does not take is checked too), each at its first place in `source` that no
/// diagnostic in `already` names.
fn unresolved_names(
    t: &minijinja::Template<'_, '_>,
    file: &str,
    source: &str,
    ctx: &Value,
    already: &[Diagnostic],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let names: BTreeSet<String> = t.undeclared_variables(true).into_iter().collect();
    for name in names {
        let Some(bad) = first_unresolved(&name, ctx) else { continue };
        let Some(at) = find_name(source, &bad.path) else { continue };
        let d = Diagnostic::at(file, source, at, "");
        if already.iter().any(|x| x.line == d.line && x.column == d.column) {
            continue;
        }
        out.push(not_a_value(d, &bad, ctx));
    }
    out
}

/// The first place `name` stands as a whole name inside a template tag.
fn find_name(source: &str, name: &str) -> Option<Range<usize>> {
    let mut from = 0;
    while let Some(i) = source[from..].find(name).map(|i| from + i) {
        let before = source[..i].chars().next_back();
        let after = source[i + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        let in_tag = source[..i].rfind(['{']).is_some_and(|o| !source[o..i].contains('}'));
        if !word(before) && !word(after) && in_tag {
            return Some(i..i + name.len());
        }
        from = i + name.len();
    }
    None
}

/// typst's syntax errors in one rendered prose file, placed in the file as written.
pub(crate) fn typst_syntax(file: &str, source: &str, rendered: &str) -> Vec<Diagnostic> {
    let parsed = typst::syntax::Source::detached(rendered.to_string());
    let (errors, _) = parsed.root().errors_and_warnings();
    let all: Vec<Diagnostic> = errors
        .into_iter()
        .filter_map(|e| {
            let range = match e.span.get() {
                typst::syntax::DiagSpanKind::Number { num, sub_range, .. } => parsed.range(num, sub_range)?,
                typst::syntax::DiagSpanKind::Range { range, .. } => range,
                typst::syntax::DiagSpanKind::Detached => return None,
            };
            let hints: Vec<String> = e.hints.iter().map(|h| format!("hint: {}", h.v)).collect();
            Some(crate::diagnostic::in_source(file, source, rendered, range, &format!("typst: {}", e.message), &hints))
        })
        .collect();
    // The parser's follow-on errors on the same line (an unclosed bracket gives three)
    // join the first as notes: one message per mistake.
    let mut out: Vec<Diagnostic> = Vec::new();
    for d in all {
        match out.iter_mut().find(|x| x.line == d.line) {
            Some(first) => first.notes.push(format!("note: then, at column {}: {}", d.column, d.message)),
            None => out.push(d),
        }
    }
    out
}

/// Every prose file of every language, rendered and parsed: all errors at once. A file
/// `known` says passed with this text and this analysis before (`bsb watch`) is skipped.
pub(crate) fn check_all(
    study: &crate::study::Study,
    a: &crate::analysis::Analysis,
    langs: &[Lang],
    known: &dyn Fn(&crate::study::Prose) -> bool,
) -> Result<()> {
    let mut all = Vec::new();
    for lang in langs {
        let mut todo = study.prose.iter().filter(|p| p.lang == lang.code && !known(p)).peekable();
        if todo.peek().is_none() {
            continue;
        }
        let env = super::typst_environment(true, Some(lang));
        let ctx = super::prose_context(study, a, lang);
        for p in todo {
            // typst's syntax is checked on what rendered, also around template errors.
            let (out, found) = render_with_errors(&env, &p.file, &p.text, &ctx, lang);
            all.extend(found);
            if let Some(out) = out {
                all.extend(typst_syntax(&p.file, &p.text, &out));
            }
        }
    }
    if all.is_empty() {
        Ok(())
    } else {
        Err(Failure::Diagnostics(all))
    }
}

/// Every value prose may use with what it prints in `lang`, as `name = text` lines.
pub(crate) fn value_lines(ctx: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
        if v.kind() == minijinja::value::ValueKind::Map {
            for k in keys_of(v) {
                let child = v.get_attr(&k).unwrap_or_default();
                let simple =
                    k.chars().all(|c| c.is_alphanumeric() || c == '_') && !k.starts_with(|c: char| c.is_ascii_digit());
                let name = match (prefix.is_empty(), simple) {
                    (true, _) => k.clone(),
                    (false, true) => format!("{prefix}.{k}"),
                    (false, false) => format!("{prefix}[\"{k}\"]"),
                };
                walk(&name, &child, out);
            }
        } else {
            out.push((prefix.to_string(), v.to_string()));
        }
    }
    let mut out = Vec::new();
    walk("", ctx, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Value {
        minijinja::context! { n => minijinja::context! { participants => "8", regions => "2" }, k => "3" }
    }

    fn check(src: &str) -> Vec<Diagnostic> {
        let lang = Lang::load("en").unwrap();
        let env = super::super::typst_environment(true, Some(&lang));
        render_file(&env, "data/prose/en/method.typ", src, &ctx(), &lang).unwrap_err()
    }

    #[test]
    fn every_template_error_in_a_file_is_found_with_its_column() {
        let src = "= Method\nWe met {{ n.participant }} people.\n\n{{ n.regions|cuont(\"region\") }}\n{% if k is one %}{{ n.nothing }}{% endif %}\n{{ n.regions }\n";
        let ds = check(src);
        let text: Vec<String> = ds.iter().map(|d| d.to_text(false)).collect();
        let all = text.join("\n");
        assert!(all.contains("`n.participant` is not a value"), "{all}");
        assert!(all.contains("did you mean `n.participants`?"), "{all}");
        assert!(all.contains("data/prose/en/method.typ:2:11"), "{all}");
        assert!(all.contains("`cuont` is not a filter"), "{all}");
        assert!(all.contains("did you mean `count`?"), "{all}");
        assert!(all.contains("`n.nothing` is not a value"), "the branch not taken is checked: {all}");
        assert!(all.contains("method.typ:6:"), "the syntax error: {all}");
        assert_eq!(ds.len(), 4, "{all}");
    }

    #[test]
    fn typst_errors_point_into_the_file_as_written() {
        let src = "We met {{ n.participants }} people #(1 + .\n";
        let out = "We met #\"8\" people #(1 + .\n";
        let ds = typst_syntax("f.typ", src, out);
        assert!(!ds.is_empty());
        let d = &ds[0];
        assert_eq!(d.line, 1);
        assert!(d.column > 27, "after the value's tag: {}", d.to_text(false));
    }
}
