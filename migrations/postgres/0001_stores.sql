-- Stores, their token hashes, versioned settings, sealed credentials and the
-- audit of configuration changes. Times are Unix milliseconds.

CREATE TABLE service_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE stores (
    id               BIGSERIAL PRIMARY KEY,
    code             TEXT   NOT NULL UNIQUE,
    display_name     TEXT   NOT NULL,
    settings         TEXT   NOT NULL,
    settings_version BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE store_tokens (
    id         TEXT   PRIMARY KEY,
    store_id   BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    token_hash BYTEA  NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX store_tokens_store ON store_tokens (store_id);

CREATE TABLE store_credentials (
    store_id   BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    kind       TEXT   NOT NULL,
    sealed     BYTEA  NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (store_id, kind)
);

-- Kept when a store is deleted: the audit outlives what it describes.
CREATE TABLE config_audit (
    id         BIGSERIAL PRIMARY KEY,
    store_code TEXT   NOT NULL,
    actor      TEXT   NOT NULL,
    action     TEXT   NOT NULL,
    fields     TEXT   NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX config_audit_store ON config_audit (store_code, id);
