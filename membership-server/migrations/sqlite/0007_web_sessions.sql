-- The web pages (issue 19): a signed-in browser's session, by the SHA-256 of its cookie
-- (never the cookie), the user it signed in, the organization last chosen in the picker,
-- and when it ends. Times are Unix microseconds. Global like `server_users`: a session
-- belongs to a user, who may belong to several organizations.
CREATE TABLE server_web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    organization_id TEXT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX server_web_sessions_expiry ON server_web_sessions (expires_at);
