//! Numbers as a language writes them: whole numbers with thousands separators, decimals,
//! percentages, measures, number words, protected counts (`<3`, "fewer than 3"), lists and
//! dates.

use minijinja::value::Value;

use super::{Lang, Num, Word};
use crate::shown::Shown;
use crate::study::{Measure, PartialDate};

impl Lang {
    /// A whole number with this language's thousands separator.
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

    /// A count in running text: a word up to the language's limit, else a numeral.
    pub fn in_words(&self, v: u64, gender: Option<&str>) -> String {
        if v == 1 {
            if let Some(w) = gender.and_then(|g| self.numbers.one.get(g)) {
                return w.clone();
            }
        }
        self.numbers.words.get(v as usize).cloned().unwrap_or_else(|| self.int(v))
    }

    /// Whether `v` is written as a word in running text.
    pub fn is_small(&self, v: u64) -> bool {
        (v as usize) < self.numbers.words.len()
    }

    /// "a, b and c".
    pub fn and_list(&self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} {} {last}", rest.join(", "), self.numbers.and),
        }
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

    /// A percentage as this language writes it.
    pub fn percent(&self, v: f64) -> String {
        self.format.percent.replace("{}", &self.number(v))
    }

    /// A stated number with its unit, as this language writes it.
    pub fn measure(&self, v: f64, unit: Measure) -> String {
        match unit {
            Measure::Percent => self.percent(v),
            Measure::Count | Measure::Years => self.number(v),
            Measure::NokMillion => format!("{} {}", self.number(v), self.word(Word::NokMillion)),
        }
    }

    /// A protected count in a table cell: the number, `<k` or `:`.
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
            Shown::Hidden => self.word(Word::HiddenInText),
            Shown::Value(v) => self.int(v),
        }
    }

    /// A count for templates: prints as a numeral in this language, and the filters of
    /// [`install`] read the number behind it.
    pub fn count(&self, v: u64) -> Value {
        Value::from_object(Num { n: Some(v), text: self.int(v) })
    }

    /// A protected count for templates: its number only when it may be shown.
    pub fn shown_count(&self, s: Shown, k: u32) -> Value {
        match s {
            Shown::Value(v) => self.count(v),
            other => Value::from_object(Num { n: None, text: self.shown_in_text(other, k) }),
        }
    }

    /// A date, as precisely as it is known, in this language's words.
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
