import BenchmarkSupport
import Foundation
import Stages

/// One measurement of `--prefill` into whatever `positions` holds: COPY of the run's rows into `positions`
/// in a transaction rolled back, flowrun's drain of the same entries from a freshly loaded stream, flowrun's
/// rows deleted, then the COPY again.
///
/// The run's rows are told apart from the season's by device and time (``BenchmarkEntries``: its own
/// devices, from its start time on, after every race of the season), through the primary key's index.
struct PrefillDrain {
    let entries: BenchmarkEntries
    let launch: FlowrunLaunch
    let httpPort: Int
    let postgres: PostgresConnection
    let redis: RedisConnection
    let stream: String
    let database: String

    /// The run's rows in `positions`: `$1` its devices, `$2` its start (µs).
    private static let ownRows = """
        FROM positions
        WHERE device_id = ANY($1::text[]) AND ts >= 'epoch'::timestamptz + $2::bigint * interval '1 microsecond'
        """

    func measure() async throws -> PrefillScenario.Phase {
        try await self.entries.load(self.redis, stream: self.stream)
        let copyBefore = try await self.copySeconds()
        // The simulator's device ids are digits: no quoting needed in the array literal.
        let own = ["{" + self.entries.devices.joined(separator: ",") + "}", "\(self.entries.start)"]
        let postgres = self.postgres
        let drain = try await DrainMeasurement.run(
            launch: self.launch,
            httpPort: self.httpPort,
            postgres: postgres,
            redis: self.redis,
            stream: self.stream,
            database: self.database,
            rows: self.entries.rows,
            firstRow: { try await postgres.query("SELECT EXISTS (SELECT 1 \(Self.ownRows))", own).rows[0][0] == "t" },
            storedRows: { Int(try await postgres.query("SELECT count(*) \(Self.ownRows)", own).rows[0][0] ?? "0") ?? 0 }
        )
        try await postgres.query("DELETE \(Self.ownRows)", own)
        try await postgres.execute("VACUUM (INDEX_CLEANUP ON) positions")
        let copyAfter = try await self.copySeconds()
        let phase = PrefillScenario.Phase(copyBefore: copyBefore, copyAfter: copyAfter, drain: drain)
        print(
            "PostgreSQL COPY into positions, undone \(grouped(phase.copyRate).padding(toLength: 10, withPad: " ", startingAt: 0)) rows/s  (\(String(format: "%.2f", copyBefore)) s before flowrun, \(String(format: "%.2f", copyAfter)) s after: their mean)"
        )
        print(drain.report(copyRate: phase.copyRate))
        flushOutput()
        return phase
    }

    /// Seconds of PostgreSQL's own COPY of the run's rows into `positions`, in a transaction rolled back;
    /// then `VACUUM` removes the rows it left behind (not timed).
    private func copySeconds() async throws -> Double {
        try await self.postgres.execute("BEGIN")
        let start = ContinuousClock.now
        let copied: Result<Int, PostgresError>
        do {
            copied = .success(
                try await self.postgres.copyIn(
                    "COPY positions (\(BenchmarkEntries.copyColumns)) FROM STDIN",
                    data: self.entries.copyData
                )
            )
        } catch {
            copied = .failure(error)
        }
        let seconds = start.duration(to: .now) / .seconds(1)
        try await self.postgres.execute("ROLLBACK")
        guard try copied.get() == self.entries.rows else {
            throw BenchmarkFailure("COPY stored \(try copied.get()) rows, expected \(self.entries.rows)")
        }
        try await self.postgres.execute("VACUUM (INDEX_CLEANUP ON) positions")
        return seconds
    }
}
