//! Plural rules: which counts take the singular (and the dual), after Unicode CLDR, and
//! the form of a noun for a count.

use serde::Deserialize;

use super::Lang;

/// Which counts take the singular.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PluralRule {
    /// Only 1 (English, Norwegian, German, Swedish, Danish, Dutch …).
    #[default]
    One,
    /// 0 and 1 (French, Portuguese).
    ZeroOne,
    /// The noun does not change (Finnish after numerals is not this; Japanese, Chinese).
    None,
    /// 1 takes the singular, 2 the dual, the rest the plural (the Sámi languages, Inuktitut).
    OneTwo,
}

/// The plural rule of a language as CLDR gives it (Unicode CLDR 46, `plurals.xml`,
/// cardinal rules restricted to whole numbers, which is all a report counts). A language
/// listed here follows CLDR whatever its file says; one not listed takes its file's rule.
/// Languages whose rules need more categories than these (Russian, Polish, Arabic, Welsh,
/// Icelandic …) are not listed.
pub fn cldr_plural(code: &str) -> Option<PluralRule> {
    const ONE: &[&str] = &[
        "nb", "nn", "no", "en", "de", "sv", "da", "nl", "fi", "et", "it", "es", "ca", "el", "hu", "tr", "fo", "kl",
        "sw", "eu", "gl", "af", "bg", "sq", "ur", "ta", "te", "ml", "kk", "ky", "mn", "az", "uz", "ka", "fy", "lb",
    ];
    const ZERO_ONE: &[&str] = &["fr", "pt", "hy", "kab", "ff"];
    const NONE: &[&str] = &["ja", "zh", "ko", "th", "vi", "id", "ms", "my", "lo", "km", "yo", "ig", "jv"];
    const ONE_TWO: &[&str] = &["se", "sma", "smj", "smn", "sms", "iu", "naq"];
    let base = code.split(['-', '_']).next().unwrap_or(code);
    [(ONE, PluralRule::One), (ZERO_ONE, PluralRule::ZeroOne), (NONE, PluralRule::None), (ONE_TWO, PluralRule::OneTwo)]
        .into_iter()
        .find(|(list, _)| list.contains(&base))
        .map(|(_, rule)| rule)
}

impl Lang {
    /// Whether `v` takes the singular.
    pub fn is_singular(&self, v: u64) -> bool {
        match self.language.plural {
            PluralRule::One => v == 1,
            PluralRule::ZeroOne => v <= 1,
            PluralRule::None => true,
            PluralRule::OneTwo => v == 1,
        }
    }

    /// The form of `noun` for `v` (`None`: a count shown as "fewer than k" takes the plural).
    pub fn noun_form(&self, noun: &str, v: Option<u64>) -> Option<String> {
        let n = self.nouns.get(noun)?;
        if self.language.plural == PluralRule::OneTwo && v == Some(2) {
            return Some(n.two.clone().unwrap_or_else(|| n.other.clone()));
        }
        Some(if v.is_some_and(|v| self.is_singular(v)) { n.one.clone() } else { n.other.clone() })
    }
}
