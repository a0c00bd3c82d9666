-- Inventory sync: the stock level of each SKU of a store (the latest level
-- received, by as-of time, and what was last written to Salesforce), the
-- inventory calls received (idempotency by event id), each store's push lease
-- and backoff, and the pushes made. Times are Unix milliseconds.

CREATE TABLE inventory_levels (
    store_id      BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    sku           TEXT    NOT NULL,
    -- The latest level received (canonical decimal text) and its as-of time.
    desired_qty   TEXT    NOT NULL,
    desired_as_of BIGINT  NOT NULL,
    -- Write even when equal to written_qty (a full snapshot).
    forced        BOOLEAN NOT NULL DEFAULT FALSE,
    -- pending | written | unmatched | failed
    state         TEXT    NOT NULL,
    -- The level last written to Salesforce, and the record it went to.
    written_qty   TEXT,
    record_id     TEXT,
    error_code    TEXT,
    error_message TEXT,
    updated_at    BIGINT  NOT NULL,
    PRIMARY KEY (store_id, sku)
);
CREATE INDEX inventory_levels_state ON inventory_levels (store_id, state, sku);

CREATE TABLE inventory_updates (
    store_id     BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    event_id     TEXT    NOT NULL,
    -- SHA-256 of the request: a reused event id with other content is refused.
    payload_hash BYTEA   NOT NULL,
    received_at  BIGINT  NOT NULL,
    accepted     BIGINT  NOT NULL,
    superseded   BIGINT  NOT NULL,
    PRIMARY KEY (store_id, event_id)
);

-- One row per store with levels: who is pushing (lease) and the backoff.
CREATE TABLE inventory_runs (
    store_id     BIGINT  PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    next_run_at  BIGINT  NOT NULL,
    attempts     BIGINT  NOT NULL DEFAULT 0,
    locked_until BIGINT,
    lease_owner  TEXT
);

CREATE TABLE inventory_pushes (
    id          BIGSERIAL PRIMARY KEY,
    store_id    BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    started_at  BIGINT  NOT NULL,
    finished_at BIGINT  NOT NULL,
    method      TEXT    NOT NULL,
    rows_total  BIGINT  NOT NULL,
    written     BIGINT  NOT NULL,
    unchanged   BIGINT  NOT NULL,
    unmatched   BIGINT  NOT NULL,
    failed      BIGINT  NOT NULL,
    created     BIGINT  NOT NULL,
    api_calls   BIGINT  NOT NULL,
    error       TEXT
);
CREATE INDEX inventory_pushes_store ON inventory_pushes (store_id, id);
