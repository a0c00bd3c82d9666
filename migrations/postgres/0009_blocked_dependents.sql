-- A sale (or any entity) whose dependency (its customer) still has changes to
-- write is taken out of the due work while it waits: state 'waiting', with
-- blocked_on naming the dependency's entity id. Finishing the dependency wakes
-- it (pending again) in the same transaction; a periodic sweep wakes any whose
-- dependency is no longer pending (see storage/sync/blocked.rs). The claim so
-- never reads past blocked dependents.
ALTER TABLE sync_entities ADD COLUMN blocked_on BIGINT;
CREATE INDEX sync_entities_blocked ON sync_entities (blocked_on) WHERE blocked_on IS NOT NULL;
