-- OAuth 2.0 applications (issue 12): an account's registered integrations and the authorization codes they are
-- given. The client secret and the codes are stored only as SHA-256 hashes, as tokens are.
CREATE TABLE oauth_applications (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id          INTEGER NOT NULL REFERENCES accounts(id),
    name                TEXT    NOT NULL,
    client_id           TEXT    NOT NULL UNIQUE,
    client_secret_hash  TEXT    NOT NULL,
    redirect_uris       TEXT    NOT NULL,  -- JSON array of the registered callback URIs, matched exactly
    created_at          INTEGER NOT NULL
);
CREATE INDEX oauth_applications_account ON oauth_applications (account_id, id);

-- A token issued by an application remembers it (listed by `xref tokens list`); deleting the application revokes
-- its tokens in the same transaction, then forgets the link.
ALTER TABLE api_tokens ADD COLUMN application_id INTEGER REFERENCES oauth_applications(id) ON DELETE SET NULL;
CREATE INDEX api_tokens_application ON api_tokens (application_id);

CREATE TABLE oauth_authorization_codes (
    code_hash       TEXT    PRIMARY KEY,  -- SHA-256 of the code, hex; the code itself is never stored
    application_id  INTEGER NOT NULL REFERENCES oauth_applications(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    redirect_uri    TEXT    NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER,
    -- The token the code was exchanged for: a replayed code revokes it (RFC 6749 §10.5).
    token_id        INTEGER REFERENCES api_tokens(id)
);
CREATE INDEX oauth_authorization_codes_expiry ON oauth_authorization_codes (expires_at);
CREATE INDEX oauth_authorization_codes_application ON oauth_authorization_codes (application_id);
