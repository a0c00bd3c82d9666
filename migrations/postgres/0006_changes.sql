-- Bidirectional mode: what comes back from Salesforce to the store. Each
-- store's capture run (lease and backoff, shared by replicas), how far each
-- stream has been read (a SystemModstamp watermark per object, its deletions
-- and the order download), the changes waiting for or delivered to the store
-- (the id is the change id; leased when pulled, kept until acknowledged), the
-- store's acknowledged cursor, and the orders downloaded (delivered once,
-- stamped with forcesync's key once the store names its order). Times are
-- Unix milliseconds.

CREATE TABLE change_runs (
    store_id     BIGINT  PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    next_run_at  BIGINT  NOT NULL,
    attempts     BIGINT  NOT NULL DEFAULT 0,
    locked_until BIGINT,
    lease_owner  TEXT
);

CREATE TABLE change_watermarks (
    store_id  BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    stream    TEXT    NOT NULL,
    watermark BIGINT  NOT NULL,
    -- When forcesync last read the stream (its own clock): after a long gap
    -- deletions are also read from /deleted, whose tombstones outlive the recycle bin.
    polled_at BIGINT,
    PRIMARY KEY (store_id, stream)
);

CREATE TABLE sync_changes (
    id           BIGSERIAL PRIMARY KEY,
    store_id     BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    object       TEXT    NOT NULL,
    sf_id        TEXT    NOT NULL,
    -- The record's SystemModstamp (whole seconds: two edits may share one).
    modstamp     BIGINT  NOT NULL,
    payload      TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    deliveries   BIGINT  NOT NULL DEFAULT 0,
    leased_until BIGINT,
    acked_at     BIGINT,
    -- The store's error text for a change it could not apply (acknowledged all the same).
    result_error TEXT
);
CREATE INDEX sync_changes_unacked ON sync_changes (store_id, id) WHERE acked_at IS NULL;

CREATE TABLE change_cursors (
    store_id      BIGINT  PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    acked_through BIGINT  NOT NULL
);

CREATE TABLE change_downloads (
    store_id       BIGINT  NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    sf_id          TEXT    NOT NULL,
    change_id      BIGINT  NOT NULL,
    store_order_id TEXT,
    stamped_at     BIGINT,
    stamp_error    TEXT,
    PRIMARY KEY (store_id, sf_id)
);
CREATE INDEX change_downloads_unstamped ON change_downloads (store_id) WHERE store_order_id IS NOT NULL AND stamped_at IS NULL;

-- What forcesync knows of each record for the way back (bidirectional stores
-- only): the values it last wrote (the planned body, whose hash is body_hash),
-- the watched fields' values last seen in Salesforce and their SystemModstamp,
-- fields Salesforce won in a conflict (kept for one entity version), and
-- whether the record is an order downloaded from Salesforce.
ALTER TABLE sync_records ADD COLUMN body TEXT;
ALTER TABLE sync_records ADD COLUMN sf_values TEXT;
ALTER TABLE sync_records ADD COLUMN sf_modstamp BIGINT;
ALTER TABLE sync_records ADD COLUMN pins TEXT;
ALTER TABLE sync_records ADD COLUMN downloaded BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX sync_records_sf_id ON sync_records (store_id, sf_id);
