-- Accounts for grantpipe serve (issue 14): the people who log in, their API
-- tokens, and the audit trail of what they did.
--
-- No secondary index and no UNIQUE constraint (a UNIQUE constraint is an
-- index): DuckDB 1.5.6 can lose index entries after a crash (see
-- 008_drop_sha256_index.sql). Logins are unique case-insensitively; the
-- store enforces it with a look-up in the same transaction as the insert,
-- under the data directory's single writer. The tables hold a few hundred
-- rows: a scan is as fast as an index.
CREATE SEQUENCE user_id START 1;
CREATE TABLE users (
    id              BIGINT PRIMARY KEY,
    login           VARCHAR NOT NULL,
    role            VARCHAR NOT NULL CHECK (role IN ('district', 'analyst', 'admin')),
    district        VARCHAR,            -- the AGS, for role district only
    password_hash   VARCHAR NOT NULL,   -- argon2id, PHC string
    disabled        BOOLEAN NOT NULL DEFAULT false,
    created_at      TIMESTAMP NOT NULL,
    password_set_at TIMESTAMP NOT NULL,
    one_time        BOOLEAN NOT NULL DEFAULT false, -- the password must be changed at the next login
    CHECK ((role = 'district') = (district IS NOT NULL))
);

-- The token itself is shown once and never stored: only its sha256.
CREATE SEQUENCE api_token_id START 1;
CREATE TABLE api_tokens (
    id         BIGINT PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    token_hash VARCHAR NOT NULL,        -- hex sha256 of the token
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP                -- NULL while valid
);

-- Who did what, when and from where; never a password or a token.
CREATE SEQUENCE audit_id START 1;
CREATE TABLE audit_log (
    id     BIGINT PRIMARY KEY,
    "at"   TIMESTAMP NOT NULL,         -- quoted: AT is a keyword
    login  VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    detail VARCHAR NOT NULL DEFAULT '',
    remote VARCHAR NOT NULL DEFAULT ''
);
