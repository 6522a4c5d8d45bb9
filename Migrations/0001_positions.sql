-- 0001: the positions table (CONTRACT §2).
--
-- (device_id, ts) is the identity of a position: the primary key makes a second write of the same
-- position a no-op (ON CONFLICT DO NOTHING), and its index also serves "latest position per device"
-- by a backward scan, so no second index on (device_id, ts DESC) is needed.
CREATE TABLE positions (
    device_id   text             NOT NULL,
    ts          timestamptz      NOT NULL,
    latitude    double precision NOT NULL,
    longitude   double precision NOT NULL,
    altitude    real,
    angle       real,
    speed       real,
    satellites  smallint,
    priority    smallint,
    attributes  jsonb            NOT NULL DEFAULT '{}',
    faulty      boolean          NOT NULL DEFAULT false,
    received_at timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, ts)
);

-- positions becomes a TimescaleDB hypertable in 0006, when the server can run TimescaleDB. (This file
-- did that itself until it was found to stop flowrun on a server where TimescaleDB is installed but not
-- preloaded; its earlier text is accepted as applied: Migrator.formerChecksums.)
