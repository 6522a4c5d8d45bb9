import BenchmarkSupport
import Foundation
import Stages

/// `positions` filled with a season of earlier races, generated inside PostgreSQL (`INSERT … SELECT` over
/// `generate_series`, never through the stream), and the CMS's registry of the newest race's event.
///
/// The season: one race a day, on the days before the benchmark's own positions (race 0 the day before,
/// race 1 the day before that, …), each 3 hours (09:00–12:00 UTC) of ``devicesPerRace`` devices reporting
/// every ``fixInterval`` seconds (2,161 fixes each), drawn from a fleet of ``fleet`` devices (race k has
/// devices k·1,000 … k·1,000 + 999, modulo the fleet), driving laps of a 20-minute loop. Rows as a
/// tracker sends them: altitude, heading, speed, satellites, priority, attributes like the simulator's,
/// 0.1% faulty, `received_at` 0.2–1 s after `ts`. Each race is inserted a slice of time at a time, every
/// device of the race in `ts` order within it, as they arrive live (so one device's rows lie scattered
/// among the others', as in a table filled by durable-write). N rows: whole races from race 0 back, the
/// last one cut short (its first fixes only).
///
/// The event of the snapshot is race 0's: its 1,000 devices, one entry each.
struct SeasonFill {
    static let devicesPerRace = 1_000
    static let fleet = 5_000
    /// Seconds between two fixes of a device.
    static let fixInterval = 5
    /// Fixes of one device in a race: 3 hours, both ends included.
    static let fixesPerRace = 3 * 3600 / fixInterval + 1
    static let rowsPerRace = devicesPerRace * fixesPerRace
    /// Fixes of each device inserted by one statement.
    static let sliceFixes = 216
    /// The snapshot's event (race 0's).
    static let event = "5ea50000-0000-4000-8000-000000000000"

    /// The rows to store.
    let rows: Int
    /// The first day after the season (the benchmark's own positions' day), µs since the epoch, midnight UTC.
    let dayAfter: Int64

    init(rows: Int, before start: Int64) {
        self.rows = rows
        let day: Int64 = 86_400_000_000
        self.dayAfter = start - ((start % day) + day) % day
    }

    /// Race `k`'s start, µs since the epoch.
    func raceStart(_ k: Int) -> Int64 {
        self.dayAfter - Int64(k + 1) * 86_400_000_000 + 9 * 3_600_000_000
    }

    /// The device id of device number `number` of the fleet (IMEI-like, 15 digits).
    static func deviceID(_ number: Int) -> String {
        "8610230" + String(String(100_000_000 + number).suffix(8))
    }

    /// Race `k`'s devices' ids.
    static func devices(ofRace k: Int) -> [String] {
        (0..<devicesPerRace).map { deviceID((k * devicesPerRace + $0) % fleet) }
    }

    /// Creates the CMS's registry (CONTRACT §3) with race 0's event: its 1,000 devices, one entry each.
    static func createRegistry(_ postgres: PostgresConnection, schema: String) async throws {
        try await postgres.execute(
            schema + """

                INSERT INTO events (id, name) VALUES ('\(event)', 'race 0');
                INSERT INTO devices (id, imei)
                SELECT md5('device ' || d)::uuid, '8610230' || lpad(d::text, 8, '0')
                FROM generate_series(0, \(devicesPerRace - 1)) AS d;
                INSERT INTO entries (id, event_id, name)
                SELECT md5('entry ' || d)::uuid, '\(event)', 'entry ' || d
                FROM generate_series(0, \(devicesPerRace - 1)) AS d;
                INSERT INTO entry_devices (entry_id, device_id)
                SELECT md5('entry ' || d)::uuid, md5('device ' || d)::uuid
                FROM generate_series(0, \(devicesPerRace - 1)) AS d;
                """
        )
    }

    /// One statement's rows: race `k`, fixes `first` ..< `end` of each of its devices.
    static func insert(race k: Int, start: Int64, fixes first: Int, _ end: Int) -> String {
        """
        INSERT INTO positions (device_id, ts, latitude, longitude, altitude, angle, speed, satellites, priority,
            attributes, faulty, received_at)
        SELECT '8610230' || lpad(((\(k * devicesPerRace) + i) % \(fleet))::text, 8, '0'),
            t.ts,
            54.687157 + 0.012 * sin(t.phase) + 0.00004 * (i % 50),
            25.279652 + 0.020 * cos(t.phase) + 0.00004 * (i % 40),
            (112 + 9 * sin(3 * t.phase))::real,
            mod((degrees(t.phase) + 90)::int, 360)::real,
            (24 + 6 * sin(s / 37.0::float8 + i))::real,
            (7 + (s + i) % 6)::smallint,
            (CASE WHEN s % 60 = 0 THEN 1 ELSE 0 END)::smallint,
            jsonb_build_object('239', 1, '66', 12000 + (s * 7 + i) % 1500, '16', 1000 + i * 1000 + s * 33),
            (s * 7919 + i * 104729) % 1000 = 0,
            t.ts + (200 + (s * 31 + i) % 800) * interval '1 millisecond'
        FROM generate_series(\(first), \(end - 1)) AS s,
            generate_series(0, \(devicesPerRace - 1)) AS i,
            LATERAL (
                SELECT 'epoch'::timestamptz + (\(start) + s * \(fixInterval)::bigint * 1000000) * interval '1 microsecond'
                        AS ts,
                    (s * \(fixInterval) / 1200.0::float8 + i * 0.37::float8) * 2 * pi() AS phase
            ) AS t
        ORDER BY s, i
        """
    }

    /// Fills `positions`, printing progress: on a terminal one line rewritten after each statement, else a
    /// line every 10 seconds. `afterFirstRace` runs once race 0 is stored (or all rows, if fewer). Returns
    /// the rows stored (`rows` rounded up to a whole slice of fixes of every device of a race).
    func fill(_ postgres: PostgresConnection, afterFirstRace: () async throws -> Void) async throws -> Int {
        let started = ContinuousClock.now
        var stored = 0
        var printed = ContinuousClock.now
        let terminal = isatty(STDOUT_FILENO) == 1
        var race = 0
        var firstRaceDone = false
        while stored < self.rows {
            var fix = 0
            while fix < Self.fixesPerRace && stored < self.rows {
                let wanted = (self.rows - stored + Self.devicesPerRace - 1) / Self.devicesPerRace
                let end = min(Self.fixesPerRace, fix + min(Self.sliceFixes, wanted))
                try await postgres.execute(Self.insert(race: race, start: self.raceStart(race), fixes: fix, end))
                stored += (end - fix) * Self.devicesPerRace
                fix = end
                let seconds = started.duration(to: .now) / .seconds(1)
                let line =
                    "filling positions: \(grouped(Double(stored))) of \(grouped(Double(self.rows))) rows (race \(race)),"
                    + " \(grouped(Double(stored) / seconds)) rows/s, \(Int(seconds)) s"
                if terminal {
                    print("\r" + line, terminator: "")
                    flushOutput()
                } else if printed.duration(to: .now) > .seconds(10) || stored >= self.rows {
                    print(line)
                    flushOutput()
                    printed = .now
                }
            }
            if !firstRaceDone {
                firstRaceDone = true
                if terminal { print("") }
                try await afterFirstRace()
            }
            race += 1
        }
        if terminal { print("") }
        return stored
    }
}

/// Writes out what `print` holds: standard output is fully buffered when it is a file or a pipe, and a long
/// run's progress should show as it goes. (`fflush(nil)` flushes every output stream; `stdout` itself is a
/// C global that Swift 6 does not let code touch.)
func flushOutput() {
    fflush(nil)
}
