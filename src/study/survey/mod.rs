//! A questionnaire beside the interviews: the instrument as data (`data/survey/items.csv`)
//! and the answers as survey tools export them (one row per respondent, one column per
//! item; CSV as Excel writes it, or `.xlsx`), read in [`load`] and counted in [`crate::analysis::survey`].
//!
//! Answers are people's: the counts reach a table only through [`crate::analysis::survey`], which
//! applies the small-cell rule to every group before anything is printed.

pub mod load;
mod sheet;
mod xlsx;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::problem::Pos;
use crate::study::Text;

/// A language's "yes" and "no" (in that order), for a yes/no item whose options the
/// questionnaire leaves out; `None` for a language without them. The words belong to
/// `lang`, which stands above `study`, so whoever loads a study hands the loader this
/// lookup (`crate::lang::Lang::yes_no`).
pub type YesNoWords<'a> = &'a dyn Fn(&str) -> Option<[String; 2]>;

/// What an item of the questionnaire is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// A heading that groups the items after it (no answer).
    Part,
    /// Ordered options, from the most negative to the most positive, and optional
    /// "no answer" options ("don't know", "not relevant") kept apart.
    Scale,
    /// Yes or no.
    Yesno,
    /// A free-text answer.
    Open,
}

/// One item of the questionnaire, in the order the form asks it.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// Where it was read.
    pub pos: Pos,
    /// Its id (the answers' column header).
    pub id: String,
    /// The item this one follows up, if any (printed under it).
    pub parent: Option<String>,
    /// What kind of answer it takes.
    pub kind: ItemKind,
    /// The question (or, for a part, its heading) in every language.
    pub question: Text,
    /// The answer options in the form's order (for yes/no: yes, then no).
    pub options: Vec<Text>,
    /// Which options (0-based) are "no answer": kept apart from the scale.
    pub no_answer: Vec<usize>,
}

impl Item {
    /// Whether answers to this item are counted (scale and yes/no items).
    pub fn counted(&self) -> bool {
        matches!(self.kind, ItemKind::Scale | ItemKind::Yesno)
    }

    /// Where option `i` stands on the scale: below zero to the left of the centre line,
    /// zero in the middle, above zero to the right; `None` for a "no answer" option.
    pub fn side(&self, i: usize) -> Option<i32> {
        if self.no_answer.contains(&i) {
            return None;
        }
        if self.kind == ItemKind::Yesno {
            // Options are listed yes first; "no" is the negative side.
            return Some(if i == 0 { 1 } else { -1 });
        }
        let scale: Vec<usize> = (0..self.options.len()).filter(|j| !self.no_answer.contains(j)).collect();
        let at = scale.iter().position(|&j| j == i)? as i32;
        let n = scale.len() as i32;
        // 2·position − (n − 1): negative, zero (the middle of an odd scale) or positive.
        Some((2 * at - (n - 1)).signum())
    }
}

/// One answer as read: the option chosen, or the text of an open answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Answer {
    /// The 0-based option of a scale or yes/no item.
    Option(usize),
    /// The words of an open answer.
    Text(String),
}

/// One respondent's row of the answers file.
#[derive(Clone, Debug, Serialize)]
pub struct Respondent {
    /// Where the row was read.
    pub pos: Pos,
    /// The respondent's model (an id of the study's models), where the form asked.
    pub model: Option<String>,
    /// Answers by item id; an item left blank is absent.
    pub answers: BTreeMap<String, Answer>,
}

/// The questionnaire of a study and the answers to it, if any were given.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Survey {
    /// Every item, in the form's order (empty: the study has no questionnaire).
    pub items: Vec<Item>,
    /// Every respondent, in file order.
    pub respondents: Vec<Respondent>,
    /// Whether an answers file was given (an empty one included).
    pub has_answers: bool,
}

impl Survey {
    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}
