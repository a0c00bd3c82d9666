-- What the console's overview shows of each store, shared by every replica
-- and kept across restarts: the last Test Connection (when, passed, how
-- many checks failed and the first failure's text, never a secret) and the
-- last API usage the engine saw in Sforce-Limit-Info (written at most every
-- ~10 s per store). Times are Unix milliseconds; NULL: not seen yet.
CREATE TABLE store_status (
    store_id           BIGINT NOT NULL PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    test_at            BIGINT,
    test_passed        BOOLEAN,
    test_failed_checks BIGINT,
    test_first_failure TEXT,
    api_used           BIGINT,
    api_max            BIGINT,
    api_at             BIGINT
);

-- The overview's "last error" of a store: its newest error line, found
-- without walking the whole log (which a store may keep very long).
CREATE INDEX sync_log_errors ON sync_log (store_id, id) WHERE level = 'error';
