-- 0004: the crossings table (CONTRACT §6.4), owned by flowrun's race-timing pipeline.
--
-- One row per entry and checkpoint: the entry's counted crossing of it (§6.3), the time rounded to the
-- millisecond. A row is upserted when a counted crossing appears or changes (its ts or device_id) and
-- deleted when it disappears; an unchanged result writes nothing and keeps its updated_at.
CREATE TABLE IF NOT EXISTS crossings (
    event_id      uuid        NOT NULL,
    entry_id      uuid        NOT NULL,
    checkpoint_id uuid        NOT NULL,
    seq           integer     NOT NULL,
    device_id     text        NOT NULL,
    ts            timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entry_id, checkpoint_id)
);

-- An event's results (the snapshot of a subscription, recompute, standings) are read by event.
CREATE INDEX IF NOT EXISTS crossings_event_idx ON crossings (event_id);
