-- The sync queue. Events are the durable inbox (acknowledged once inserted);
-- the engine folds them into entities, which are the outbox jobs (leased with
-- locked_until, retried at next_run_at, parked with their error). Times are
-- Unix milliseconds.

CREATE TABLE sync_events (
    seq          BIGSERIAL PRIMARY KEY,
    store_id     BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    event_id     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    -- SHA-256 of the payload: a reused event id with other content is refused.
    payload_hash BYTEA    NOT NULL,
    received_at  BIGINT  NOT NULL,
    applied_at   BIGINT,
    entity_id    BIGINT,
    UNIQUE (store_id, event_id)
);
CREATE INDEX sync_events_unapplied ON sync_events (store_id, seq) WHERE applied_at IS NULL;
CREATE INDEX sync_events_store ON sync_events (store_id, seq);

CREATE TABLE sync_entities (
    id             BIGSERIAL PRIMARY KEY,
    store_id       BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    kind           TEXT    NOT NULL,
    label          TEXT    NOT NULL,
    facts          TEXT    NOT NULL,
    -- The alias of an entity to sync first (a sale's customer).
    depends_on     TEXT,
    -- Bumped by every applied event; synced_version is the version last handled.
    version        BIGINT  NOT NULL,
    synced_version BIGINT  NOT NULL DEFAULT 0,
    -- pending | waiting | synced | parked | merged
    state          TEXT    NOT NULL,
    attempts       BIGINT  NOT NULL DEFAULT 0,
    next_run_at    BIGINT  NOT NULL,
    locked_until   BIGINT,
    lease_owner    TEXT,
    -- Set at claim: an earlier attempt may have reached Salesforce unrecorded.
    uncertain      BOOLEAN NOT NULL DEFAULT FALSE,
    last_error     TEXT,
    waiting_reason TEXT,
    event_count    BIGINT  NOT NULL DEFAULT 0,
    merged_into    BIGINT,
    updated_at     BIGINT  NOT NULL
);
CREATE INDEX sync_entities_due ON sync_entities (next_run_at) WHERE state = 'pending';
CREATE INDEX sync_entities_store_state ON sync_entities (store_id, state);

CREATE TABLE sync_aliases (
    store_id  BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    alias     TEXT    NOT NULL,
    entity_id BIGINT  NOT NULL,
    PRIMARY KEY (store_id, alias)
);
CREATE INDEX sync_aliases_entity ON sync_aliases (entity_id);

-- What forcesync last wrote to each Salesforce record it owns (or matched).
CREATE TABLE sync_records (
    store_id   BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    object     TEXT    NOT NULL,
    ext_key    TEXT    NOT NULL,
    sf_id      TEXT    NOT NULL,
    body_hash  BYTEA    NOT NULL,
    -- Found in the org (a Contact by email, its Account): written by Id, not by key.
    matched    BOOLEAN NOT NULL DEFAULT FALSE,
    entity_id  BIGINT,
    written_at BIGINT  NOT NULL,
    PRIMARY KEY (store_id, object, ext_key)
);
CREATE INDEX sync_records_entity ON sync_records (entity_id);

-- An org out of API budget: its work waits until paused_until.
CREATE TABLE sync_pauses (
    store_id     BIGINT  PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    paused_until BIGINT  NOT NULL,
    reason       TEXT    NOT NULL
);

-- The sync log operators read (kept to the store's database log limit).
CREATE TABLE sync_log (
    id       BIGSERIAL PRIMARY KEY,
    store_id BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    at       BIGINT  NOT NULL,
    level    TEXT    NOT NULL,
    entity   TEXT    NOT NULL,
    message  TEXT    NOT NULL
);
CREATE INDEX sync_log_store ON sync_log (store_id, id);
