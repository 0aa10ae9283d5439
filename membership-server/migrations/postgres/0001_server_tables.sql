-- The service's own tables, beside the store's: the users it knows, token hashes and webhook
-- endpoints. `IF NOT EXISTS` adopts a database made before the service had migrations
-- (it created exactly these tables at every start), so the first run records this version
-- without touching the rows. Ids are UUID text, times Unix microseconds.
--
-- Tenant key: tokens and endpoints carry `organization_id`; users are global (a user may
-- belong to several organizations), a reference table on a sharded PostgreSQL.

CREATE TABLE IF NOT EXISTS server_users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    verification TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS server_tokens (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    user_id TEXT,
    customer_id TEXT,
    member_id TEXT,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS server_webhook_endpoints (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS server_webhook_endpoints_organization ON server_webhook_endpoints (organization_id);
