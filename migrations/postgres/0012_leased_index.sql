-- Renewing and releasing a process's leases without reading the whole
-- queue: both look up the entities one owner holds, and only work that is
-- leased (or was, by a process that stopped) has an owner: finishing and
-- releasing clear it. Without this index each renewal (every third of a
-- lease) scanned every entity while holding SQLite's write lock, which the
-- intake then waited for.
CREATE INDEX sync_entities_leased ON sync_entities (lease_owner) WHERE lease_owner IS NOT NULL;
