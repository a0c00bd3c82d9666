-- When an entity became pending with its oldest unsynced change (the fold
-- time of that change): the metrics' age of the oldest pending entity and
-- their sync latency. NULL on rows from before (read as unknown).
ALTER TABLE sync_entities ADD COLUMN pending_since BIGINT;
CREATE INDEX sync_entities_pending_since ON sync_entities (store_id, pending_since) WHERE state = 'pending';
