-- How many checks found a paused store still blocked: the next check waits
-- twice as long (up to the engine's longest pause).
ALTER TABLE sync_pauses ADD COLUMN checks BIGINT NOT NULL DEFAULT 0;
