//! The program's language files (`report/lang/<lang>.toml`): the words of the report's
//! skeleton (headings, column names, captions, figure labels) and how each language writes
//! numbers and dates. A study may use any language that has a file here.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::analysis::Shown;
use crate::problem::{build_err, Result};
use crate::study::{Measure, PartialDate};

/// The language files compiled into the program, so a built `bsb` carries its skeleton.
pub const FILES: &[(&str, &str)] =
    &[("nb", include_str!("../report/lang/nb.toml")), ("en", include_str!("../report/lang/en.toml"))];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberFormat {
    pub decimal: String,
    pub thousands: String,
    /// `{}` is replaced by the number: `{} %` (with a no-break space) or `{}%`.
    pub percent: String,
    /// Month names, January first.
    pub months: Vec<String>,
    /// `{day}`, `{month}`, `{year}`: `{day}. {month} {year}` or `{day} {month} {year}`.
    pub date: String,
    pub month_year: String,
    /// How "fewer than k" reads in running text: `færre enn {k}`.
    pub fewer_than: String,
    /// Typst's smart quotes for the language: `«»` or `“”`.
    pub quotes: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lang {
    #[serde(skip)]
    pub code: String,
    pub format: NumberFormat,
    /// Every other word of the skeleton, by key.
    pub words: BTreeMap<String, String>,
}

impl Lang {
    pub fn load(code: &str) -> Result<Lang> {
        let (_, text) = FILES
            .iter()
            .find(|(c, _)| *c == code)
            .ok_or_else(|| build_err(format!("no language file for `{code}`: add report/lang/{code}.toml")))?;
        let mut lang: Lang = toml::from_str(text).map_err(|e| build_err(format!("report/lang/{code}.toml: {e}")))?;
        lang.code = code.to_string();
        Ok(lang)
    }

    /// A word of the skeleton; a missing key is a programming error caught by the tests,
    /// shown as `[key]` rather than crashing a build.
    pub fn word(&self, key: &str) -> String {
        self.words.get(key).cloned().unwrap_or_else(|| format!("[{key}]"))
    }

    pub fn int(&self, v: u64) -> String {
        let digits = v.to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(&self.format.thousands);
            }
            out.push(ch);
        }
        out
    }

    /// A number with as many decimals as it has (at most two), in this language's style.
    pub fn number(&self, v: f64) -> String {
        let rounded = (v * 100.0).round() / 100.0;
        if rounded.fract() == 0.0 {
            let sign = if rounded < 0.0 { "-" } else { "" };
            return format!("{sign}{}", self.int(rounded.abs() as u64));
        }
        let text = format!("{rounded:.2}");
        let text = text.trim_end_matches('0');
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let whole: i64 = whole.parse().unwrap_or(0);
        let sign = if v < 0.0 { "-" } else { "" };
        format!("{sign}{}{}{frac}", self.int(whole.unsigned_abs()), self.format.decimal)
    }

    pub fn percent(&self, v: f64) -> String {
        self.format.percent.replace("{}", &self.number(v))
    }

    pub fn measure(&self, v: f64, unit: Measure) -> String {
        match unit {
            Measure::Percent => self.percent(v),
            Measure::Count | Measure::Years => self.number(v),
            Measure::NokMillion => format!("{} {}", self.number(v), self.word("nok_million")),
        }
    }

    pub fn shown(&self, s: Shown, k: u32) -> String {
        match s {
            Shown::Value(v) => self.int(v),
            Shown::Small => format!("<{k}"),
            Shown::Hidden => ":".to_string(),
        }
    }

    /// A protected count in running text: "fewer than 3" rather than "<3".
    pub fn shown_in_text(&self, s: Shown, k: u32) -> String {
        match s {
            Shown::Small => self.format.fewer_than.replace("{k}", &self.int(k as u64)),
            Shown::Hidden => self.word("hidden_in_text"),
            Shown::Value(v) => self.int(v),
        }
    }

    pub fn date(&self, d: PartialDate) -> String {
        let month = |m: u8| self.format.months.get(m as usize - 1).cloned().unwrap_or_default();
        match (d.month, d.day) {
            (Some(m), Some(day)) => self
                .format
                .date
                .replace("{day}", &day.to_string())
                .replace("{month}", &month(m))
                .replace("{year}", &d.year.to_string()),
            (Some(m), None) => {
                self.format.month_year.replace("{month}", &month(m)).replace("{year}", &d.year.to_string())
            }
            _ => d.year.to_string(),
        }
    }
}

/// Put values into a sentence of the language file: `{region}` becomes the region's name.
pub fn fill(template: &str, pairs: &[(&str, String)]) -> String {
    pairs.iter().fold(template.to_string(), |acc, (k, v)| acc.replace(&format!("{{{k}}}"), v))
}

impl Lang {
    /// A sentence from the language file with its `{…}` values filled in.
    pub fn sentence(&self, template: &str, pairs: &[(&str, String)]) -> String {
        fill(template, pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_file_has_the_same_keys() {
        let nb = Lang::load("nb").unwrap();
        let en = Lang::load("en").unwrap();
        let a: Vec<_> = nb.words.keys().collect();
        let b: Vec<_> = en.words.keys().collect();
        assert_eq!(a, b);
    }

    #[test]
    fn numbers_follow_each_language() {
        let nb = Lang::load("nb").unwrap();
        let en = Lang::load("en").unwrap();
        assert_eq!(nb.int(7800), "7\u{a0}800");
        assert_eq!(en.int(7800), "7,800");
        assert_eq!(nb.number(2.5), "2,5");
        assert_eq!(en.number(2.5), "2.5");
        assert_eq!(nb.percent(62.0), "62\u{a0}%");
        assert_eq!(en.percent(62.0), "62%");
        assert_eq!(en.int(1234567), "1,234,567");
        let d = PartialDate { year: 2023, month: Some(3), day: Some(17) };
        assert_eq!(nb.date(d), "17. mars 2023");
        assert_eq!(en.date(d), "17 March 2023");
    }
}
