//! The crate's one error type (docs/rules.md#errors).

use std::borrow::Cow;

use crate::organization::{InvitationStatus, OfferStatus, VerificationStatus};
use crate::{
    ActorKind, CustomerId, InvitationId, MemberId, NotLoaded, OfferId, OrganizationId, Permission, ReplayError,
    StreamId, UserId,
};

/// What a service maps an error to: HTTP 404 / 403 / 409 / 422 / 401 / 500.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The thing does not exist, or is invisible to this actor (404).
    NotFound,
    /// A rule refuses it (403).
    Forbidden,
    /// It clashes with existing data or state (409).
    Conflict,
    /// The input can never succeed as written (422).
    Invalid,
    /// The actor is not the kind of caller this needs (401).
    Unauthenticated,
    /// Not the caller's doing: a store's bug or corrupt stored data (500).
    Internal,
}

/// Where an invalid field came from in a request: Polar's 422 bodies say it first in `loc`
/// (`["body", "email"]`, `["path", "id"]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// The JSON body.
    Body,
    /// A path segment.
    Path,
    /// A query parameter.
    Query,
}

impl Location {
    /// The word Polar writes in `loc`: `body`, `path` or `query`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Location::Body => "body",
            Location::Path => "path",
            Location::Query => "query",
        }
    }
}

/// The HTTP status Polar's own server answers for an error (docs/rules.md#errors): 400, 401, 403, 404,
/// 409, 422, or 500 for internal errors (and 503, which only a store answers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolarStatus(u16);

impl PolarStatus {
    /// 400 Bad Request.
    pub const BAD_REQUEST: Self = Self(400);
    /// 401 Unauthorized.
    pub const UNAUTHORIZED: Self = Self(401);
    /// 403 Forbidden.
    pub const FORBIDDEN: Self = Self(403);
    /// 404 Not Found.
    pub const NOT_FOUND: Self = Self(404);
    /// 409 Conflict.
    pub const CONFLICT: Self = Self(409);
    /// 422 Unprocessable Entity.
    pub const UNPROCESSABLE_ENTITY: Self = Self(422);
    /// 500 Internal Server Error.
    pub const INTERNAL_SERVER_ERROR: Self = Self(500);
    /// 503 Service Unavailable: never a rule's answer; a store's, when its database cannot
    /// serve for now.
    pub const SERVICE_UNAVAILABLE: Self = Self(503);

    /// The status code as a number.
    #[must_use]
    pub const fn as_u16(self) -> u16 {
        self.0
    }
}

#[cfg(feature = "http")]
impl From<PolarStatus> for http::StatusCode {
    fn from(status: PolarStatus) -> Self {
        // Every PolarStatus is one of the constants above, all valid status codes.
        http::StatusCode::from_u16(status.0).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl std::fmt::Display for PolarStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

/// Every way a command, a check or a parse can be refused.
///
/// Each error has a [`kind`](Error::kind), a stable [`code`](Error::code) (public API: match on
/// it, log it, send it) and a `Display` sentence that says what to do instead.
/// `#[non_exhaustive]`: new rules bring new errors without a breaking change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The actor is not a member, or is a token of another organization (ORG-2 step 1).
    #[error("organization `{organization_id}` not found; check the id, or ask a member to invite you")]
    OrganizationNotFound {
        /// The organization asked for.
        organization_id: OrganizationId,
    },
    /// The actor's role lacks a permission (ORG-2 step 2). Displays Polar's exact sentence.
    #[error("{}", crate::policy::denial(*.permission))]
    PermissionDenied {
        /// The organization.
        organization_id: OrganizationId,
        /// The permission that is missing.
        permission: Permission,
    },
    /// An organization token ran a command only a signed-in user may run.
    #[error("this action needs a signed-in user; an organization token cannot perform it")]
    UserActorRequired,
    /// This kind of actor may not run this command at all.
    #[error("{actor} may not perform this action")]
    ActorNotAllowed {
        /// The kind of actor that was refused.
        actor: ActorKind,
    },
    /// The target user is not a member of the organization.
    #[error("user `{user_id}` is not a member of organization `{organization_id}`")]
    MemberNotFound {
        /// The organization.
        organization_id: OrganizationId,
        /// The user asked for.
        user_id: UserId,
    },
    /// A role change to Owner (ORG-6).
    #[error("the owner role can't be assigned; use ownership transfer instead")]
    OwnerRoleNotAssignable {
        /// The organization.
        organization_id: OrganizationId,
        /// The member whose role was to change.
        user_id: UserId,
    },
    /// A role change of the Owner (ORG-6).
    #[error("the owner's role can't be changed; transfer ownership first")]
    OwnerRoleImmutable {
        /// The organization.
        organization_id: OrganizationId,
        /// The owner.
        user_id: UserId,
    },
    /// Removing the Owner (ORG-7).
    #[error("user `{user_id}` is the owner and can't be removed; transfer ownership first")]
    OwnerCannotBeRemoved {
        /// The organization.
        organization_id: OrganizationId,
        /// The owner.
        user_id: UserId,
    },
    /// The only member tried to leave (ORG-8).
    #[error("user `{user_id}` is the only member and can't leave; invite someone and transfer ownership first")]
    LastMemberCannotLeave {
        /// The organization.
        organization_id: OrganizationId,
        /// The leaver.
        user_id: UserId,
    },
    /// The Owner tried to leave (ORG-8).
    #[error("user `{user_id}` is the owner and can't leave; transfer ownership first")]
    OwnerCannotLeave {
        /// The organization.
        organization_id: OrganizationId,
        /// The owner.
        user_id: UserId,
    },
    /// Only the Owner makes or revokes an ownership offer (ORG-10).
    #[error("only the owner can offer or revoke ownership; user `{user_id}` is not the owner")]
    NotOwner {
        /// The organization.
        organization_id: OrganizationId,
        /// The actor.
        user_id: UserId,
    },
    /// The transfer or offer target already owns the organization (ORG-10).
    #[error("user `{user_id}` is already the owner; choose another member")]
    AlreadyOwner {
        /// The organization.
        organization_id: OrganizationId,
        /// The target.
        user_id: UserId,
    },
    /// The new owner has not completed identity verification (ORG-10).
    #[error("user `{user_id}` must complete identity verification (status: {status}) before taking ownership")]
    NewOwnerNotVerified {
        /// The organization.
        organization_id: OrganizationId,
        /// The target.
        user_id: UserId,
        /// Their verification status.
        status: VerificationStatus,
    },
    /// No invitation with this id in this organization (ORG-5).
    #[error("invitation `{invitation_id}` not found; ask for a new invitation")]
    InvitationNotFound {
        /// The organization.
        organization_id: OrganizationId,
        /// The invitation asked for.
        invitation_id: InvitationId,
    },
    /// The accepting or declining user's verified email is not the invitation's (ORG-5).
    #[error(
        "invitation `{invitation_id}` was sent to another email address; sign in with that address or ask for a new invitation"
    )]
    InvitationEmailMismatch {
        /// The organization.
        organization_id: OrganizationId,
        /// The invitation.
        invitation_id: InvitationId,
    },
    /// The invitation is no longer pending (ORG-5, ORG-13).
    #[error("invitation `{invitation_id}` is {status}, no longer pending; ask for a new invitation")]
    InvitationNotOpen {
        /// The organization.
        organization_id: OrganizationId,
        /// The invitation.
        invitation_id: InvitationId,
        /// What became of it.
        status: InvitationStatus,
    },
    /// The invitation is pending but past its expiry (ORG-13).
    #[error("invitation `{invitation_id}` has expired; ask for a new invitation")]
    InvitationExpired {
        /// The organization.
        organization_id: OrganizationId,
        /// The invitation.
        invitation_id: InvitationId,
    },
    /// No ownership offer with this id (ORG-10).
    #[error("ownership offer `{offer_id}` not found")]
    OwnershipOfferNotFound {
        /// The organization.
        organization_id: OrganizationId,
        /// The offer asked for.
        offer_id: OfferId,
    },
    /// Someone other than its target accepted or declined an offer (ORG-10).
    #[error("ownership offer `{offer_id}` was made to another member; only they can answer it")]
    NotOfferTarget {
        /// The organization.
        organization_id: OrganizationId,
        /// The offer.
        offer_id: OfferId,
    },
    /// The offer is no longer pending (ORG-10).
    #[error("ownership offer `{offer_id}` is {status}, no longer pending; ask the owner for a new offer")]
    OwnershipOfferNotOpen {
        /// The organization.
        organization_id: OrganizationId,
        /// The offer.
        offer_id: OfferId,
        /// What became of it.
        status: OfferStatus,
    },
    /// The offer is pending but past its expiry (ORG-10).
    #[error("ownership offer `{offer_id}` has expired; ask the owner for a new offer")]
    OwnershipOfferExpired {
        /// The organization.
        organization_id: OrganizationId,
        /// The offer.
        offer_id: OfferId,
    },
    /// Two members would share one email address.
    #[error("another member already uses the email `{email}`; choose another address")]
    MemberEmailTaken {
        /// The organization.
        organization_id: OrganizationId,
        /// The address, as given.
        email: String,
    },
    /// Two active members of a customer would share one email address (CUS-4).
    #[error("another member of customer `{customer_id}` already uses the email `{email}`; choose another address")]
    CustomerMemberEmailTaken {
        /// The customer.
        customer_id: CustomerId,
        /// The address, as given.
        email: String,
    },
    /// The customer is deleted, or belongs to another organization (docs/rules.md#customer-access).
    #[error("customer `{customer_id}` not found")]
    CustomerNotFound {
        /// The customer asked for.
        customer_id: CustomerId,
    },
    /// The target is not an active member of this customer.
    #[error("member `{member_id}` is not an active member of customer `{customer_id}`")]
    CustomerMemberNotFound {
        /// The customer.
        customer_id: CustomerId,
        /// The member asked for.
        member_id: MemberId,
    },
    /// A team customer with no email and no owner email (CUS-2).
    #[error("the owner member needs an email; give the customer or its owner an email")]
    OwnerEmailRequired {
        /// The customer.
        customer_id: CustomerId,
    },
    /// Adding a member as owner (CUS-3, CUS-8).
    #[error("a member can't be added as owner; add them, then transfer ownership with an update")]
    OwnerRoleNotCreatable {
        /// The customer.
        customer_id: CustomerId,
    },
    /// An individual customer has its one member already (CUS-3).
    #[error("customer `{customer_id}` is an individual customer with a single member; make it a team customer first")]
    IndividualCustomerSingleMember {
        /// The customer.
        customer_id: CustomerId,
    },
    /// Another active member of the customer has this external id (CUS-3).
    #[error("another member of customer `{customer_id}` already has the external id `{external_id}`; choose another")]
    ExternalIdTaken {
        /// The customer.
        customer_id: CustomerId,
        /// The external id, as given.
        external_id: String,
    },
    /// Changing the member email of an individual customer (CUS-4).
    #[error("the email of member `{member_id}` follows its individual customer; change the customer's email instead")]
    IndividualCustomerEmailLocked {
        /// The customer.
        customer_id: CustomerId,
        /// The member.
        member_id: MemberId,
    },
    /// Demoting the only owner (CUS-4).
    #[error("member `{member_id}` is the only owner; promote another member to owner instead")]
    CustomerNeedsOneOwner {
        /// The customer.
        customer_id: CustomerId,
        /// The owner.
        member_id: MemberId,
    },
    /// Deleting the only owner (CUS-5).
    #[error("member `{member_id}` is the only owner and can't be deleted; transfer ownership first")]
    OnlyOwnerCannotBeDeleted {
        /// The customer.
        customer_id: CustomerId,
        /// The owner.
        member_id: MemberId,
    },
    /// A portal member who is not the owner tried to transfer ownership (CUS-4, CUS-8).
    #[error("only the owner can transfer ownership; member `{member_id}` is not the owner")]
    OnlyOwnerCanTransfer {
        /// The customer.
        customer_id: CustomerId,
        /// The acting member.
        member_id: MemberId,
    },
    /// The portal member's role lacks a capability (CUS-8).
    #[error("your role doesn't allow `{capability}`; ask the customer's owner or a billing manager")]
    InsufficientPortalRole {
        /// The customer.
        customer_id: CustomerId,
        /// The capability that is missing.
        capability: crate::policy::PortalCapability,
    },
    /// Portal member management on an individual customer (CUS-8).
    #[error("customer `{customer_id}` is an individual customer; only team customers manage members")]
    TeamCustomersOnly {
        /// The customer.
        customer_id: CustomerId,
    },
    /// A portal member changing their own role (CUS-8).
    #[error("you can't change your own role; ask another member who manages members")]
    CannotChangeOwnRole {
        /// The customer.
        customer_id: CustomerId,
        /// The acting member.
        member_id: MemberId,
    },
    /// A portal member removing themselves (CUS-8).
    #[error("you can't remove yourself; ask another member who manages members")]
    CannotRemoveSelf {
        /// The customer.
        customer_id: CustomerId,
        /// The acting member.
        member_id: MemberId,
    },
    /// A team customer can't become individual (CUS-9).
    #[error("customer `{customer_id}` is a team customer and can't become individual")]
    CustomerKindDowngrade {
        /// The customer.
        customer_id: CustomerId,
    },
    /// The portal session's member is not an active member of this customer.
    #[error("your customer portal session is no longer valid; sign in again")]
    MemberSessionInvalid {
        /// The customer.
        customer_id: CustomerId,
        /// The session's member.
        member_id: MemberId,
    },
    /// A store refused a decision made on a stale state: another write landed first.
    /// Decide again on a fresh state (deciding is pure, so retrying is safe).
    #[error(
        "{stream} changed while this command was decided (expected version {expected_version}); read it again and retry"
    )]
    StaleWrite {
        /// The aggregate written to.
        stream: StreamId,
        /// The version the decision was made on.
        expected_version: u64,
    },
    /// A view answered "not loaded" to a lookup `decide` needed: the store's read plan and
    /// the view disagree. A bug in the store, never the caller's fault.
    #[error("{stream} could not be decided: {missing}; load every read the command's plan names")]
    ViewIncomplete {
        /// The aggregate decided on.
        stream: StreamId,
        /// The lookup that was not loaded.
        missing: NotLoaded,
    },
    /// A stored log could not be replayed (docs/rules.md#replay).
    #[error(transparent)]
    CorruptLog(#[from] ReplayError),
    /// Input that failed to parse; names the field.
    #[error("invalid `{field}`: {reason}")]
    InvalidInput {
        /// Where the field came from: the body, the path or the query.
        location: Location,
        /// The field, as it is named on the wire.
        field: &'static str,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
}

impl Error {
    /// An `invalid_input` error for `field`.
    pub(crate) fn invalid(field: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        Error::InvalidInput { location: Location::Body, field, reason: reason.into() }
    }

    /// The same error, an `invalid_input` now saying its field came from `location`
    /// (a path segment or a query parameter rather than the body). Other errors are
    /// returned unchanged.
    #[must_use]
    pub fn with_location(self, location: Location) -> Self {
        match self {
            Error::InvalidInput { field, reason, .. } => Error::InvalidInput { location, field, reason },
            other => other,
        }
    }

    /// The stable `snake_case` code of docs/rules.md#errors: part of the public API.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.describe().code
    }

    /// The semantic kind, for mapping to HTTP.
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        self.describe().kind
    }

    /// The HTTP status Polar's own server answers for this error (docs/rules.md#errors), which can
    /// differ from [`kind`](Error::kind): answer with it to be indistinguishable from Polar.
    #[must_use]
    pub const fn polar_status(&self) -> PolarStatus {
        self.describe().polar_status
    }

    /// Whether this is a [`ErrorKind::NotFound`] error.
    #[must_use]
    pub const fn is_not_found(&self) -> bool {
        matches!(self.kind(), ErrorKind::NotFound)
    }

    /// Whether this is a [`ErrorKind::Forbidden`] error.
    #[must_use]
    pub const fn is_forbidden(&self) -> bool {
        matches!(self.kind(), ErrorKind::Forbidden)
    }

    /// Whether this is a [`ErrorKind::Conflict`] error.
    #[must_use]
    pub const fn is_conflict(&self) -> bool {
        matches!(self.kind(), ErrorKind::Conflict)
    }

    /// Whether this is a [`ErrorKind::Invalid`] error.
    #[must_use]
    pub const fn is_invalid(&self) -> bool {
        matches!(self.kind(), ErrorKind::Invalid)
    }

    /// Whether this is a [`ErrorKind::Unauthenticated`] error.
    #[must_use]
    pub const fn is_unauthenticated(&self) -> bool {
        matches!(self.kind(), ErrorKind::Unauthenticated)
    }

    /// Whether this is a [`ErrorKind::Internal`] error.
    #[must_use]
    pub const fn is_internal(&self) -> bool {
        matches!(self.kind(), ErrorKind::Internal)
    }

    /// Each variant's row of [`ErrorCode::ALL`], found by its code when the crate compiles:
    /// a code missing from the table fails the build, never a call.
    const fn describe(&self) -> ErrorCode {
        match self {
            Error::OrganizationNotFound { .. } => const { row("organization_not_found") },
            Error::PermissionDenied { .. } => const { row("permission_denied") },
            Error::UserActorRequired => const { row("user_actor_required") },
            Error::ActorNotAllowed { .. } => const { row("actor_not_allowed") },
            Error::MemberNotFound { .. } | Error::CustomerMemberNotFound { .. } => const { row("member_not_found") },
            Error::OwnerRoleNotAssignable { .. } => const { row("owner_role_not_assignable") },
            Error::OwnerRoleImmutable { .. } => const { row("owner_role_immutable") },
            Error::OwnerCannotBeRemoved { .. } => const { row("owner_cannot_be_removed") },
            Error::LastMemberCannotLeave { .. } => const { row("last_member_cannot_leave") },
            Error::OwnerCannotLeave { .. } => const { row("owner_cannot_leave") },
            Error::NotOwner { .. } => const { row("not_owner") },
            Error::AlreadyOwner { .. } => const { row("already_owner") },
            Error::NewOwnerNotVerified { .. } => const { row("new_owner_not_verified") },
            Error::InvitationNotFound { .. } => const { row("invitation_not_found") },
            Error::InvitationEmailMismatch { .. } => const { row("invitation_email_mismatch") },
            Error::InvitationNotOpen { .. } => const { row("invitation_not_open") },
            Error::InvitationExpired { .. } => const { row("invitation_expired") },
            Error::OwnershipOfferNotFound { .. } => const { row("ownership_offer_not_found") },
            Error::NotOfferTarget { .. } => const { row("not_offer_target") },
            Error::OwnershipOfferNotOpen { .. } => const { row("ownership_offer_not_open") },
            Error::OwnershipOfferExpired { .. } => const { row("ownership_offer_expired") },
            Error::MemberEmailTaken { .. } | Error::CustomerMemberEmailTaken { .. } => {
                const { row("member_email_taken") }
            }
            Error::CustomerNotFound { .. } => const { row("customer_not_found") },
            Error::OwnerEmailRequired { .. } => const { row("owner_email_required") },
            Error::OwnerRoleNotCreatable { .. } => const { row("owner_role_not_creatable") },
            Error::IndividualCustomerSingleMember { .. } => const { row("individual_customer_single_member") },
            Error::ExternalIdTaken { .. } => const { row("external_id_taken") },
            Error::IndividualCustomerEmailLocked { .. } => const { row("individual_customer_email_locked") },
            Error::CustomerNeedsOneOwner { .. } => const { row("customer_needs_one_owner") },
            Error::OnlyOwnerCannotBeDeleted { .. } => const { row("only_owner_cannot_be_deleted") },
            Error::OnlyOwnerCanTransfer { .. } => const { row("only_owner_can_transfer") },
            Error::InsufficientPortalRole { .. } => const { row("insufficient_portal_role") },
            Error::TeamCustomersOnly { .. } => const { row("team_customers_only") },
            Error::CannotChangeOwnRole { .. } => const { row("cannot_change_own_role") },
            Error::CannotRemoveSelf { .. } => const { row("cannot_remove_self") },
            Error::CustomerKindDowngrade { .. } => const { row("customer_kind_downgrade") },
            Error::MemberSessionInvalid { .. } => const { row("member_session_invalid") },
            Error::StaleWrite { .. } => const { row("stale_write") },
            Error::ViewIncomplete { .. } => const { row("view_incomplete") },
            Error::CorruptLog(_) => const { row("corrupt_log") },
            Error::InvalidInput { .. } => const { row("invalid_input") },
        }
    }
}

/// One row of the crate's error table: a stable code, its semantic kind, the status Polar
/// answers, and when it is raised. [`Error::code`], [`Error::kind`] and
/// [`Error::polar_status`] read their variant's row; `docs/rules.md#errors` is generated
/// from [`ErrorCode::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorCode {
    /// The stable `snake_case` code: public API.
    pub code: &'static str,
    /// What a service maps it to.
    pub kind: ErrorKind,
    /// The status Polar's own server answers for it.
    pub polar_status: PolarStatus,
    /// When it is raised, in a few words.
    pub when: &'static str,
}

impl ErrorCode {
    /// Every code the crate answers, refusals by the rules first, then the store's and the
    /// crate's own failures, then invalid input.
    #[rustfmt::skip]
    pub const ALL: [ErrorCode; 41] = {
        use ErrorKind::{Conflict, Forbidden, Internal, Invalid, NotFound, Unauthenticated};
        [
            ErrorCode::new("organization_not_found", NotFound, 404, "the actor is not a member, or a token of another organization; or a customer is created in an organization that is not the merchant's"),
            ErrorCode::new("permission_denied", Forbidden, 403, "the actor's role lacks a permission (one fixed sentence per permission)"),
            ErrorCode::new("user_actor_required", Unauthenticated, 401, "a token runs a command only a signed-in user may run"),
            ErrorCode::new("actor_not_allowed", Forbidden, 403, "this kind of actor may not run this command at all"),
            ErrorCode::new("member_not_found", NotFound, 404, "the target is not an active member (of the organization or of the customer)"),
            ErrorCode::new("owner_role_not_assignable", Invalid, 422, "a role change to owner"),
            ErrorCode::new("owner_role_immutable", Forbidden, 403, "a role change of the owner"),
            ErrorCode::new("owner_cannot_be_removed", Forbidden, 403, "removing the owner"),
            ErrorCode::new("last_member_cannot_leave", Forbidden, 403, "the only member leaves"),
            ErrorCode::new("owner_cannot_leave", Forbidden, 403, "the owner leaves"),
            ErrorCode::new("not_owner", Forbidden, 403, "someone other than the owner makes or revokes an ownership offer"),
            ErrorCode::new("already_owner", Conflict, 400, "the transfer or offer target is already the owner"),
            ErrorCode::new("new_owner_not_verified", Forbidden, 400, "the new owner's identity is not verified (carries the status)"),
            ErrorCode::new("invitation_not_found", NotFound, 404, "no invitation with this id in this organization"),
            ErrorCode::new("invitation_email_mismatch", Forbidden, 403, "the accepting or declining user's verified email is not the invitation's"),
            ErrorCode::new("invitation_not_open", Conflict, 409, "the invitation is no longer pending: accepted, declined, revoked or expired"),
            ErrorCode::new("invitation_expired", Conflict, 409, "the invitation is pending but expired at `now`"),
            ErrorCode::new("ownership_offer_not_found", NotFound, 404, "no ownership offer with this id"),
            ErrorCode::new("not_offer_target", Forbidden, 403, "someone other than its target accepts or declines an offer"),
            ErrorCode::new("ownership_offer_not_open", Conflict, 409, "the offer is no longer pending: accepted, declined, revoked, voided or expired"),
            ErrorCode::new("ownership_offer_expired", Conflict, 409, "the offer is pending but expired at `now`"),
            ErrorCode::new("customer_not_found", NotFound, 404, "the customer is deleted, or belongs to another organization"),
            ErrorCode::new("owner_email_required", Invalid, 422, "a team customer is created with no email and no owner email"),
            ErrorCode::new("owner_role_not_creatable", Invalid, 422, "a member is added as owner"),
            ErrorCode::new("individual_customer_single_member", Forbidden, 403, "a member is added to an individual customer"),
            ErrorCode::new("external_id_taken", Conflict, 422, "another active member of the customer has this external id"),
            ErrorCode::new("member_email_taken", Conflict, 422, "another member already uses this email"),
            ErrorCode::new("individual_customer_email_locked", Forbidden, 422, "the member email of an individual customer is changed"),
            ErrorCode::new("customer_needs_one_owner", Forbidden, 422, "the only owner is demoted"),
            ErrorCode::new("only_owner_cannot_be_deleted", Forbidden, 422, "the only owner is deleted"),
            ErrorCode::new("only_owner_can_transfer", Forbidden, 422, "a portal member who is not the owner promotes someone to owner"),
            ErrorCode::new("insufficient_portal_role", Forbidden, 403, "the portal member's role lacks a capability (carries it)"),
            ErrorCode::new("team_customers_only", Forbidden, 403, "portal member management on an individual customer"),
            ErrorCode::new("cannot_change_own_role", Forbidden, 422, "a portal member changes their own role"),
            ErrorCode::new("cannot_remove_self", Forbidden, 422, "a portal member removes themselves"),
            ErrorCode::new("customer_kind_downgrade", Forbidden, 422, "a team customer is made individual"),
            ErrorCode::new("member_session_invalid", Unauthenticated, 401, "the portal actor is not an active member of this customer"),
            ErrorCode::new("stale_write", Conflict, 409, "a store refuses a decision made on a version another write has moved past"),
            ErrorCode::new("view_incomplete", Internal, 500, "a store did not load a read the command's plan names (a store bug)"),
            ErrorCode::new("corrupt_log", Internal, 500, "stored events do not replay into a state the rules allow"),
            ErrorCode::new("invalid_input", Invalid, 422, "input that can never succeed as written; names the field and where it came from"),
        ]
    };

    const fn new(code: &'static str, kind: ErrorKind, polar_status: u16, when: &'static str) -> Self {
        ErrorCode { code, kind, polar_status: PolarStatus(polar_status), when }
    }

    /// The table as Markdown: code, kind, Polar status, when. `docs/rules.md` embeds this
    /// output; a test keeps the two equal.
    #[must_use]
    #[cfg(feature = "docs")]
    pub fn markdown_table() -> String {
        use std::fmt::Write as _;
        let mut out = String::from("| code | kind | Polar | raised when |\n|---|---|:-:|---|\n");
        for row in Self::ALL {
            // Writing to a `String` cannot fail.
            let _ = writeln!(out, "| `{}` | {:?} | {} | {} |", row.code, row.kind, row.polar_status, row.when);
        }
        out
    }
}

/// The row of `code` in [`ErrorCode::ALL`]. Only ever evaluated when the crate compiles
/// (in `const` blocks), so a missing code is a build error, not a panic at run time.
#[expect(clippy::panic, reason = "runs only at compile time: a code missing from the table fails the build")]
const fn row(code: &str) -> ErrorCode {
    let mut rows: &[ErrorCode] = &ErrorCode::ALL;
    while let [first, rest @ ..] = rows {
        if same(first.code.as_bytes(), code.as_bytes()) {
            return *first;
        }
        rows = rest;
    }
    panic!("an error code is missing from ErrorCode::ALL")
}

/// Byte equality in a `const fn`, where `==` on slices is not available yet.
const fn same(mut a: &[u8], mut b: &[u8]) -> bool {
    while let ([x, xs @ ..], [y, ys @ ..]) = (a, b) {
        if *x != *y {
            return false;
        }
        (a, b) = (xs, ys);
    }
    a.is_empty() && b.is_empty()
}

// Errors cross threads and outlive the call that made them.
const _: fn() = || {
    fn assert_send_sync_static<T: Send + Sync + 'static>() {}
    assert_send_sync_static::<Error>();
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_3_every_code_has_one_row() {
        let mut codes: Vec<&str> = ErrorCode::ALL.iter().map(|row| row.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorCode::ALL.len(), "a code is listed twice");
        for row in ErrorCode::ALL {
            assert_eq!(row, super::row(row.code), "{}", row.code);
            assert!(!row.when.is_empty() && !row.when.ends_with('.'), "{}", row.code);
        }
    }

    #[test]
    fn spec_3_an_error_answers_its_rows_code_kind_and_status() {
        let error =
            Error::OwnerCannotLeave { organization_id: uuid::Uuid::nil().into(), user_id: uuid::Uuid::nil().into() };
        assert_eq!(
            (error.code(), error.kind(), error.polar_status()),
            ("owner_cannot_leave", ErrorKind::Forbidden, PolarStatus::FORBIDDEN)
        );
    }
}

#[cfg(all(test, feature = "http"))]
mod http_tests {
    use super::*;

    #[test]
    fn polar_statuses_convert_to_http_status_codes() {
        let error = Error::UserActorRequired;
        assert_eq!(http::StatusCode::from(error.polar_status()), http::StatusCode::UNAUTHORIZED);
        assert_eq!(http::StatusCode::from(PolarStatus::UNPROCESSABLE_ENTITY).as_u16(), 422);
    }
}
