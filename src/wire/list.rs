//! Lists: Polar's paging query and its `ListResource` envelope.

use std::cmp::Reverse;
use std::num::NonZeroU64;

use serde::{Deserialize, Serialize};

use super::Field;
use crate::customer::Member;
use crate::{Error, Location};

/// A page of a list: Polar's `ListResource` envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListResource<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// Where this page stands.
    pub pagination: Pagination,
}

/// The `pagination` of a [`ListResource`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    /// How many items there are in all.
    pub total_count: u64,
    /// How many pages: ⌈`total_count` ÷ limit⌉, 0 when empty.
    pub max_page: u64,
}

impl<T> ListResource<T> {
    /// A page of `items` out of `total_count`, pages holding `limit` items.
    #[must_use]
    pub fn new(items: Vec<T>, total_count: u64, limit: NonZeroU64) -> Self {
        Self { items, pagination: Pagination { total_count, max_page: total_count.div_ceil(limit.get()) } }
    }
}

/// A list endpoint's query string, as received: `page`, `limit` and `sorting`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ListQuery {
    /// `page`: 1 or more; default 1.
    #[serde(default)]
    pub page: Field,
    /// `limit`: 1 to 100, larger is clamped to 100; default 10.
    #[serde(default)]
    pub limit: Field,
    /// `sorting`: `-created_at` (newest first, the default) or `created_at`.
    #[serde(default)]
    pub sorting: Field,
}

/// Which page to show, how large, in which order: a validated [`ListQuery`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// The page, from 1.
    pub page: NonZeroU64,
    /// Items per page, 1 to 100.
    pub limit: NonZeroU64,
    /// The order.
    pub sorting: Sorting,
}

/// The order of a member list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sorting {
    /// `-created_at`: newest first, then by id.
    #[default]
    NewestFirst,
    /// `created_at`: oldest first, then by id.
    OldestFirst,
}

/// The most items a page holds; a larger `limit` is clamped to it.
pub const MAX_LIMIT: NonZeroU64 = match NonZeroU64::new(100) {
    Some(limit) => limit,
    None => NonZeroU64::MIN,
};
/// The items a page holds when the query gives no `limit`.
pub const DEFAULT_LIMIT: NonZeroU64 = match NonZeroU64::new(10) {
    Some(limit) => limit,
    None => NonZeroU64::MIN,
};

fn positive(field: &Field, name: &'static str, default: NonZeroU64) -> Result<NonZeroU64, Error> {
    let Some(text) = field.text(name)? else { return Ok(default) };
    let text = text.trim();
    let number = match text.parse::<u64>() {
        Ok(number) => Some(number),
        // A page past the last one is an empty page, however far past: Polar's integers
        // have no upper bound, so a number too big for u64 is valid and saturates.
        Err(_) if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) => {
            text.bytes().any(|byte| byte != b'0').then_some(u64::MAX)
        }
        Err(_) => None,
    };
    number.and_then(NonZeroU64::new).ok_or_else(|| Error::invalid(name, "must be a whole number of at least 1"))
}

impl ListQuery {
    /// The validated paging.
    ///
    /// # Errors
    ///
    /// `invalid_input` located in the query, naming `page`, `limit` or `sorting`.
    pub fn into_paging(self) -> Result<Paging, Error> {
        let at_query = |error: Error| error.with_location(Location::Query);
        let page = positive(&self.page, "page", NonZeroU64::MIN).map_err(at_query)?;
        let limit = positive(&self.limit, "limit", DEFAULT_LIMIT).map_err(at_query)?.min(MAX_LIMIT);
        let sorting = match self.sorting.text("sorting").map_err(at_query)? {
            None | Some("-created_at") => Sorting::NewestFirst,
            Some("created_at") => Sorting::OldestFirst,
            Some(_) => return Err(at_query(Error::invalid("sorting", "must be -created_at or created_at"))),
        };
        Ok(Paging { page, limit, sorting })
    }
}

impl Paging {
    /// How many items come before this page: a SQL `OFFSET`, saturating.
    #[must_use]
    pub fn offset(&self) -> u64 {
        (self.page.get() - 1).saturating_mul(self.limit.get())
    }

    /// This page of `members`, sorted, in Polar's envelope.
    #[must_use]
    pub fn page_of(&self, members: impl IntoIterator<Item = Member>) -> ListResource<Member> {
        let mut members: Vec<Member> = members.into_iter().collect();
        match self.sorting {
            Sorting::NewestFirst => members.sort_by_key(|member| (Reverse(member.created_at), member.id)),
            Sorting::OldestFirst => members.sort_by_key(|member| (member.created_at, member.id)),
        }
        let total = members.len() as u64;
        let skip = usize::try_from(self.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(self.limit.get()).unwrap_or(usize::MAX);
        let items = members.into_iter().skip(skip).take(take).collect();
        ListResource::new(items, total, self.limit)
    }
}
