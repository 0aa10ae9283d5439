-- The row the health check writes: a write that commits proves the database takes writes
-- now (a full disk, a read-only file or a lost primary fail it), which a read cannot show.
CREATE TABLE health (
    id INTEGER PRIMARY KEY,
    checked_at BIGINT NOT NULL
);
INSERT INTO health (id, checked_at) VALUES (1, 0);
