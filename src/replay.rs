//! Checked replay (docs/rules.md#replay): a stored log that does not describe a state the rules allow
//! is refused with the version of the first event at fault and what is wrong with it.

use std::fmt;

use crate::StreamId;

/// Stored data that cannot be loaded: a log that cannot be replayed (the version of the
/// first event at fault) or rows that break an invariant (the rows' version), and what is
/// wrong. Replay never panics and never returns a state that breaks an invariant; this is
/// what it returns instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the stored state of {stream} is corrupt at version {version}: {problem}; restore it from a backup or repair it"
)]
pub struct ReplayError {
    /// The aggregate whose log it is.
    pub stream: StreamId,
    /// The version of the event at fault (the number the state expected when the log is
    /// empty or ends early).
    pub version: u64,
    /// What is wrong with it.
    pub problem: ReplayProblem,
}

/// The version an event must carry to follow a state of `stream` at `version`: checks the
/// event's stream and number, and that the counter does not wrap.
pub(crate) fn next_version(stream: StreamId, version: u64, event: (StreamId, u64)) -> Result<u64, ReplayError> {
    let (found, event_version) = event;
    let fail = |problem| ReplayError { stream, version: event_version, problem };
    if found != stream {
        return Err(fail(ReplayProblem::OtherStream { found }));
    }
    let expected = version.checked_add(1).ok_or(fail(ReplayProblem::VersionOverflow))?;
    if event_version != expected {
        return Err(fail(ReplayProblem::VersionOutOfOrder { expected }));
    }
    Ok(expected)
}

/// What is wrong with an event in a stored log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplayProblem {
    /// The log has no events at all.
    Empty,
    /// The first event is not the aggregate's creation.
    FirstEventNotCreation,
    /// A creation event after the first.
    CreatedAgain,
    /// The event belongs to another aggregate.
    OtherStream {
        /// The aggregate the event names.
        found: StreamId,
    },
    /// The event's version does not follow on from the one before.
    VersionOutOfOrder {
        /// The version that should have come next.
        expected: u64,
    },
    /// The version counter would pass `u64::MAX`.
    VersionOverflow,
    /// The event adds a member who is a member already.
    AlreadyAMember,
    /// The event names a member who is not one.
    NotAMember,
    /// The event says the member held another role than they do.
    RoleMismatch,
    /// The event names a role a member cannot hold that way (an owner added, removed or
    /// demoted directly).
    RoleNotAllowed,
    /// The event takes from, or gives to, the wrong owner.
    NotTheOwner,
    /// The event would give two members one folded email.
    EmailTaken,
    /// The event would give two active members one external id.
    ExternalIdTaken,
    /// The event reuses an id the aggregate has held.
    IdReused,
    /// The event names an invitation that does not exist.
    UnknownInvitation,
    /// The event closes or resends an invitation that is not pending.
    InvitationNotPending,
    /// The event opens an invitation for an email that has a pending one.
    InvitationAlreadyPending,
    /// The event names an ownership offer that does not exist.
    UnknownOffer,
    /// The event closes an offer that is not pending.
    OfferNotPending,
    /// The event leaves a pending offer pointing at a non-member or a former owner.
    OfferLeftPending,
    /// The event's member belongs to another customer.
    OtherCustomer,
    /// The event's member record does not match the one held (an id, a creation time, or
    /// a field that change cannot touch).
    RecordMismatch,
    /// The customer is deleted while it still has members.
    MembersRemain,
    /// The customer (or, in rows, the organization) would be left without its owner.
    OwnerMissing,
    /// Rows name two owners.
    TwoOwners,
    /// A snapshot of a schema version this crate does not know.
    UnknownSchema,
    /// An individual customer would get a second member.
    IndividualCustomerSingleMember,
    /// The event changes the kind from team to individual.
    KindDowngrade,
    /// An event after the customer was deleted.
    AfterDeletion,
}

impl fmt::Display for ReplayProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayProblem::Empty => f.write_str("the log is empty"),
            ReplayProblem::FirstEventNotCreation => f.write_str("the first event is not the creation"),
            ReplayProblem::CreatedAgain => f.write_str("the aggregate is created a second time"),
            ReplayProblem::OtherStream { found } => write!(f, "the event belongs to {found}"),
            ReplayProblem::VersionOutOfOrder { expected } => write!(f, "version {expected} should come next"),
            ReplayProblem::VersionOverflow => f.write_str("the version counter is exhausted"),
            ReplayProblem::AlreadyAMember => f.write_str("the member added is a member already"),
            ReplayProblem::NotAMember => f.write_str("the member named is not a member"),
            ReplayProblem::RoleMismatch => f.write_str("the role named is not the member's"),
            ReplayProblem::RoleNotAllowed => f.write_str("the role named can't be held that way"),
            ReplayProblem::NotTheOwner => f.write_str("the owner named is not the owner"),
            ReplayProblem::EmailTaken => f.write_str("another member has this email"),
            ReplayProblem::ExternalIdTaken => f.write_str("another member has this external id"),
            ReplayProblem::IdReused => f.write_str("the id was used before"),
            ReplayProblem::UnknownInvitation => f.write_str("the invitation does not exist"),
            ReplayProblem::InvitationNotPending => f.write_str("the invitation is not pending"),
            ReplayProblem::InvitationAlreadyPending => {
                f.write_str("the email has a pending invitation or is a member's")
            }
            ReplayProblem::UnknownOffer => f.write_str("the ownership offer does not exist"),
            ReplayProblem::OfferNotPending => f.write_str("the ownership offer is not pending"),
            ReplayProblem::OfferLeftPending => {
                f.write_str("a pending ownership offer would outlive its owner or target")
            }
            ReplayProblem::OtherCustomer => f.write_str("the member belongs to another customer"),
            ReplayProblem::RecordMismatch => f.write_str("the member's record does not match the one held"),
            ReplayProblem::MembersRemain => f.write_str("the customer is deleted while it has members"),
            ReplayProblem::TwoOwners => f.write_str("two members are the owner"),
            ReplayProblem::UnknownSchema => f.write_str("the snapshot's schema version is unknown"),
            ReplayProblem::OwnerMissing => f.write_str("the customer has no owner"),
            ReplayProblem::IndividualCustomerSingleMember => {
                f.write_str("an individual customer would have a second member")
            }
            ReplayProblem::KindDowngrade => f.write_str("a team customer would become individual"),
            ReplayProblem::AfterDeletion => f.write_str("the customer was deleted before it"),
        }
    }
}
