-- An organization's profile on Polar's contract (`Organization`): its name, its slug (unique
-- across the service: Polar's URLs use it) and the contact fields it shows. The crate keeps
-- the team; these are the service's. An organization without a row here (made before this
-- migration, or by the store directly) reads as named after its id, its id as slug, until
-- a PATCH gives it a profile. Times are Unix microseconds; the creation time is the store's
-- `organizations.created_at`.

CREATE TABLE server_organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    email TEXT,
    website TEXT,
    avatar_url TEXT,
    modified_at BIGINT
);
