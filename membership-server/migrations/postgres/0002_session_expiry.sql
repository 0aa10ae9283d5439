-- Member sessions expire (Polar's customer sessions last an hour by default) and remember
-- the URL the portal sends the member back to. Sessions made before this migration (by
-- `setup`) get the 30 days `setup` now gives its own; other tokens keep no expiry.
ALTER TABLE server_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE server_tokens ADD COLUMN return_url TEXT;
UPDATE server_tokens SET expires_at = created_at + 2592000000000 WHERE kind = 'member_session';
