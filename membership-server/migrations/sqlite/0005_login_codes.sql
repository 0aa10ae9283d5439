-- Accounts (issue 18): emailed login codes, and users found by email.
--
-- One open code per folded email; a new request replaces it. Only the SHA-256 of the
-- email and the code is kept, never the code. `attempts` counts wrong tries: at the
-- limit the code is void. Expired and used codes are deleted. Times are Unix microseconds.
-- Global like `server_users` (sign-in happens before any organization is known).
CREATE TABLE server_login_codes (
    email TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE INDEX server_login_codes_expiry ON server_login_codes (expires_at);

-- A sign-in finds its user by email, compared folded (lowercased). Not unique: `setup`
-- run twice with the same owner email made two users, and such databases must migrate.
CREATE INDEX server_users_email ON server_users (lower(email));
