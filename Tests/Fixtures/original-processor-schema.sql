-- The database of the TypeScript processor flowrun replaces, as we believe it built it: a fixture for
-- flowrun's adoption of it (Tests/IntegrationTests/AdoptionTests.swift; README, "Switching over from the
-- TypeScript processor"). Its exact DDL is not in the documents we have; what this assumes, and why:
--
-- - positions has CONTRACT §2's columns, names and types, except `fault` (added by flowrun's 0003 for the
--   fault rules of §6.2, which the original did not have): the contract describes the table both write.
-- - No primary key: the original's unique index positions_device_ts_idx on (device_id, ts DESC) is what
--   its `INSERT … ON CONFLICT (device_id, ts) DO NOTHING` infers, and what its "latest position per
--   device" reads. device_id has the database's default collation (flowrun's 0002 makes it "C").
-- - positions is a TimescaleDB hypertable on ts (the default 7-day chunks, and TimescaleDB's default
--   index on ts DESC).
-- - Its migrations were node-pg-migrate's, recorded in `pgmigrations` (id, name, run_on).
CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE pgmigrations (
    id     serial       PRIMARY KEY,
    name   varchar(255) NOT NULL,
    run_on timestamp    NOT NULL
);

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
    received_at timestamptz      NOT NULL DEFAULT now()
);

SELECT create_hypertable('positions', 'ts');

CREATE UNIQUE INDEX positions_device_ts_idx ON positions (device_id, ts DESC);

INSERT INTO pgmigrations (name, run_on) VALUES ('1700000000000_create-positions', now());
