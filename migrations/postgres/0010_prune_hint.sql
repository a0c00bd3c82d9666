-- Retention without walking the unsynced backlog: each entity keeps when its
-- oldest retained event was received (oldest_event_at), and pruning starts
-- from the synced entities whose oldest event is past the retention (a
-- partial index), deleting their old events by entity (see
-- storage/sync/retention.rs). Events that named no entity are pruned through
-- their own partial index.
ALTER TABLE sync_entities ADD COLUMN oldest_event_at BIGINT;
CREATE INDEX sync_events_entity ON sync_events (entity_id, received_at);
CREATE INDEX sync_events_no_entity ON sync_events (received_at) WHERE entity_id IS NULL AND applied_at IS NOT NULL;
UPDATE sync_entities SET oldest_event_at = (SELECT MIN(v.received_at) FROM sync_events v WHERE v.entity_id = sync_entities.id);
CREATE INDEX sync_entities_prunable ON sync_entities (oldest_event_at)
    WHERE state = 'synced' AND synced_version = version AND oldest_event_at IS NOT NULL;
