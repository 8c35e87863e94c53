//! Privacy that survives a reader's arithmetic.
//!
//! Everything the report publishes about people is one system of facts over the true
//! counts: every table cell and total (figures, theme sentences and prose values print the
//! same cells), the excerpts printed per theme with or without their model, and the
//! relations a careful reader can assume between counts (a theme's people include each
//! subtheme's; a row total is the sum of the models; when a theme's people are split
//! without overlap between its subthemes, the theme is their sum; a cell printed in two
//! tables is one number). Each count is the size of a set of excerpt ids or person ids,
//! so these relations are read off the sets themselves: the reader is granted every one
//! of them that is true of the data.
//!
//! Excerpts carry their model only in an *open* theme, one whose every count (the theme
//! and everything below it, each model and the totals) is printed as a number; an excerpt
//! printed in several themes carries it only if all of them are open. The rule reads the
//! printed pattern alone, so knowing it tells a reader nothing about which hidden cell is
//! small. What the labels do tell is held as facts: per theme and model, the excerpts
//! printed with that model, and for each class of unlabelled excerpts (those printed in
//! the same themes) how many there are, of models unknown.
//!
//! The audit asks, for every hidden person count whose true value is small (1 to k−1),
//! whether each value 1 … k−1 is still consistent with all of it: an exact integer
//! feasibility question answered by [`solver`]. If any value is ruled out, the cell can be
//! narrowed and the audit names it with the published numbers that pin it. A question
//! the solver cannot settle within its budget counts as narrowed: never as safe.
//!
//! Zero is published as 0. A cell with nobody in it holds no one to protect, and `<k`
//! claims exactly "1 to k−1", which is the range the audit keeps open; hiding zeros too
//! would widen nothing a reader could learn about a person while hiding every empty
//! subtheme × model cell. A secondarily hidden cell (`:`) may be 0.
//!
//! Secondary suppression ([`protect`]) starts from everything hidden that may be hidden,
//! then shows cells again, largest first, in groups that are split when refused, keeping
//! a cell shown only if the audit still passes. Two orders are tried and the one hiding
//! fewer (then smaller) cells wins. The result is deterministic, and within its work
//! limit irreducible: no hidden `:` cell could be shown without letting a reader narrow a
//! small one. Past the limit, the cells not yet tried stay hidden (safe, and said).
//!
//! The audit does not grow with the whole study: the integer programme of a pattern falls
//! into independent blocks (no constraint links one to another; themes whose counts are
//! printed part from the rest), each solved alone after propagating its bounds; a block
//! met before gets its earlier answer, and a solution found once keeps answering while
//! the cells where it differs from the truth stay hidden ([`mod@audit`]). The manifest keeps
//! the chosen pattern, so a build whose system of facts did not change audits it once
//! and does not search.
//!
//! Pure: no file system, no clock. [`published::universe`] builds the system from a study.
//!
//! The rooms, one job each: [`system`] the facts and the relations a reader may assume,
//! [`published`] the system of one study, [`program`] the integer programme of a pattern,
//! [`solver`] the exact solver, [`mod@audit`] the audit and its messages, [`mod@suppress`] the
//! search for a pattern, [`mod@protection`] what the analysis receives (and the manifest
//! keeps), [`mod@explain`] `--explain-privacy`, [`names`] words that tie people to places.

pub mod audit;
pub mod explain;
pub mod names;
pub mod program;
pub mod protection;
pub mod published;
pub mod solver;
pub mod suppress;
pub mod system;

pub use audit::{audit, audit_printed, describe, pinned_by, Leak, Witnesses};
pub use explain::{explain, explain_text, loss, Explained};
pub use protection::{protect, protection, Cleared, Protection};
pub use suppress::{suppress, suppress_exempt, suppress_within, Unprotectable};
pub use system::{CellId, Constraint, Count, Counted, Group, Members, Role, Status, Universe, BIG};

#[cfg(test)]
mod tests;
