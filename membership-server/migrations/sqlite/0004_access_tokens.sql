-- Access tokens as Polar shows them (`OrganizationAccessToken`, `PersonalAccessToken`): an
-- id to address a token by (its hash is never shown), a comment, when it was last used and
-- changed. Rows made before this migration get a random UUID (v4) as their id, and an empty
-- comment. Revoking a token deletes its row.
ALTER TABLE server_tokens ADD COLUMN id TEXT;
ALTER TABLE server_tokens ADD COLUMN comment TEXT NOT NULL DEFAULT '';
ALTER TABLE server_tokens ADD COLUMN last_used_at BIGINT;
ALTER TABLE server_tokens ADD COLUMN modified_at BIGINT;
UPDATE server_tokens SET id = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
    || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)
    || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))
    WHERE id IS NULL;
CREATE UNIQUE INDEX server_tokens_id ON server_tokens (id);
-- The token lists: an organization's tokens of one kind, and a user's.
CREATE INDEX server_tokens_organization_kind ON server_tokens (organization_id, kind, created_at);
CREATE INDEX server_tokens_user ON server_tokens (user_id, kind, created_at);
