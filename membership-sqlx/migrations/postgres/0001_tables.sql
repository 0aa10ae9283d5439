-- The state tables (the source of truth for reads), the journal and the outbox. Ids are
-- UUID text, times are Unix microseconds, statuses and roles the crate's words. Partial
-- unique indexes back the invariants up, as Polar's own tables do.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL,
    email TEXT NOT NULL,
    email_folded TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE UNIQUE INDEX memberships_one_owner ON memberships (organization_id) WHERE role = 'owner';
CREATE UNIQUE INDEX memberships_email ON memberships (organization_id, email_folded);

CREATE TABLE invitations (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    id TEXT NOT NULL,
    email TEXT NOT NULL,
    email_folded TEXT NOT NULL,
    invited_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    accepted_by TEXT,
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX invitations_one_pending ON invitations (organization_id, email_folded) WHERE status = 'pending';
CREATE INDEX invitations_expiring ON invitations (organization_id, expires_at) WHERE status = 'pending';

CREATE TABLE offers (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    id TEXT NOT NULL,
    from_user TEXT NOT NULL,
    to_user TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    void_reason TEXT,
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX offers_one_pending ON offers (organization_id) WHERE status = 'pending';

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    organization_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    email TEXT,
    name TEXT,
    external_id TEXT,
    deleted BIGINT NOT NULL
);

CREATE TABLE members (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    modified_at BIGINT,
    email TEXT NOT NULL,
    email_folded TEXT NOT NULL,
    name TEXT,
    external_id TEXT,
    role TEXT NOT NULL,
    deleted BIGINT NOT NULL,
    -- Creation order: the version of the event that created the member.
    ord BIGINT NOT NULL,
    PRIMARY KEY (customer_id, id)
);
CREATE UNIQUE INDEX members_one_owner ON members (customer_id) WHERE role = 'owner' AND deleted = 0;
CREATE UNIQUE INDEX members_email ON members (customer_id, email_folded) WHERE deleted = 0;
CREATE UNIQUE INDEX members_external_id ON members (customer_id, external_id)
    WHERE deleted = 0 AND external_id IS NOT NULL;
-- Active members, newest first; partial, so the owner lookup keeps its own index.
CREATE INDEX members_newest ON members (customer_id, created_at DESC, id) WHERE deleted = 0;

-- Append-only: the primary key is the optimistic lock.
CREATE TABLE journal (
    aggregate TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    schema_version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (aggregate, stream_id, version)
);

-- Polar-shaped webhooks, written in the command's transaction, delivered at least once.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    aggregate TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    topic TEXT NOT NULL,
    member_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    claimed_until BIGINT,
    delivered_at BIGINT,
    UNIQUE (aggregate, stream_id, version, topic, member_id)
);
CREATE INDEX outbox_due ON outbox (due_at) WHERE delivered_at IS NULL;
