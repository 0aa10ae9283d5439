//! Views: what `decide` reads, as point lookups that may answer "not loaded".

use std::fmt;

/// A lookup a view was not given the answer to. `decide` refuses with the internal error
/// `view_incomplete` rather than treat it as "absent": a store that forgot a read gets an
/// error, never a wrong decision (inviting an existing member, say).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NotLoaded {
    /// Which lookup it was, as the read plan names it (`member`, `member_by_email`, …).
    pub lookup: &'static str,
}

impl fmt::Display for NotLoaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the view did not load `{}`", self.lookup)
    }
}

/// The answer to one lookup of a view: found or absent (`Ok`), or not loaded.
pub type Lookup<T> = Result<T, NotLoaded>;
