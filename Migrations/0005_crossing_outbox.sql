-- 0005: the changes of `crossings` not yet appended to the crossings stream (CONTRACT §6.5).
--
-- race-timing writes each change here in the same transaction as the table, appends it to the stream, then
-- deletes it. A change whose append a crash interrupted is still here at the next start and is appended
-- then, in order (`id`), before anything else: replaying the stream always gives the table. A change
-- appended twice (a crash between the append and the delete) is harmless: an upsert or a remove repeated
-- gives the same table.
CREATE TABLE IF NOT EXISTS crossing_outbox (
    id            bigserial   PRIMARY KEY,
    event_id      uuid        NOT NULL,
    op            text        NOT NULL CHECK (op IN ('upsert', 'remove')),
    entry_id      uuid        NOT NULL,
    checkpoint_id uuid        NOT NULL,
    seq           integer     NOT NULL,
    device_id     text        NOT NULL,
    ts            timestamptz NOT NULL
);
