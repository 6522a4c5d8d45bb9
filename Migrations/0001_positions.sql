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

-- With TimescaleDB available (and preloaded), positions becomes a hypertable on ts; otherwise it stays
-- a plain table and this block only leaves a notice.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
        BEGIN
            CREATE EXTENSION IF NOT EXISTS timescaledb;
            PERFORM create_hypertable('positions', 'ts');
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'TimescaleDB is installed but could not be enabled (%); positions stays a plain table',
                SQLERRM;
        END;
    END IF;
END
$$;
