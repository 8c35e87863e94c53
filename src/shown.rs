//! A count as a reader may see it after the small-cell rule: its value, or a marker that it
//! was hidden. A leaf shared by analysis (which decides) and the language layer (which
//! words it), so neither has to import the other.

use serde::Serialize;

/// A person count (or a count that would reveal one) after the small-cell rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Shown {
    /// May be printed as it is.
    Value(u64),
    /// Between 1 and k−1: printed as `<k`.
    Small,
    /// Hidden because it would let a reader recover a small cell: printed as `:`.
    Hidden,
}

impl Shown {
    /// The value, when it may be printed.
    pub fn value(&self) -> Option<u64> {
        match self {
            Shown::Value(v) => Some(*v),
            _ => None,
        }
    }
}
