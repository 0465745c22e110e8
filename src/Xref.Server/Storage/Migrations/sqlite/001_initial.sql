-- Timestamps are Unix seconds (INTEGER): Xref keeps whole seconds (wire contract §2), and one
-- representation on both databases keeps filters and ordering identical.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    auto_subjects INTEGER NOT NULL DEFAULT 0,  -- create_or_update may create missing subjects (demo account)
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    full_name      TEXT,
    email_address  TEXT,
    headline       TEXT,
    photo_path     TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX users_account ON users (account_id, id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    token_hash    TEXT    NOT NULL UNIQUE,  -- SHA-256 of the token, hex; the token itself is never stored
    scope         TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);

-- Every Kantata object but users and status reports (they have tables of their own).
-- Ids are global per type, as in Kantata OX: (type, id) is the key, account_id the owner.
CREATE TABLE subjects (
    type        TEXT    NOT NULL,
    id          INTEGER NOT NULL,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    attributes  TEXT    NOT NULL DEFAULT '{}',  -- JSON object: title or name and whatever else was seeded
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (type, id)
);
CREATE INDEX subjects_account ON subjects (account_id, type, id);

CREATE TABLE external_references (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused after a delete
    account_id         INTEGER NOT NULL REFERENCES accounts(id),
    subject_type       TEXT    NOT NULL,
    subject_id         INTEGER NOT NULL,
    service_name       TEXT    NOT NULL,
    service_model      TEXT    NOT NULL,
    service_model_ref  TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('pending', 'successful', 'failed')),
    external_link      TEXT,
    external_status    TEXT,
    external_message   TEXT,
    locked             INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    last_synced_at     INTEGER NOT NULL
);
-- The upsert key (wire contract §5, "service_name must be unique per object").
CREATE UNIQUE INDEX external_references_key ON external_references (account_id, subject_type, subject_id, service_name);
-- The default listing order and the last_synced filters.
CREATE INDEX external_references_by_synced ON external_references (account_id, subject_type, last_synced_at, id);
-- order=created_at and the created filters.
CREATE INDEX external_references_by_created ON external_references (account_id, subject_type, created_at, id);

-- Small facts about this database (the hash of the last seed applied, ...).
CREATE TABLE xref_state (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
