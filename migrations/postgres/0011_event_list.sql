-- ListSyncEvents without walking the backlog: a page of one kind of event
-- is read newest first from its own index however rare the kind, and a
-- receive-time range that holds few events is read from the time index (see
-- storage/sync/event_list.rs).
CREATE INDEX sync_events_kind ON sync_events (store_id, kind, seq);
CREATE INDEX sync_events_received ON sync_events (store_id, received_at);
