import BenchmarkSupport
import Foundation
import Stages

/// One drain of the pre-loaded stream by the real flowrun, from its process start to the last
/// acknowledgement: the rates, flowrun's peak RSS and CPU, the servers' CPU and where the pipeline waited.
struct DrainMeasurement {
    /// The distinct positions drained.
    var rows: Int
    var drain: FlowrunProcess.Drain
    /// The stages' utilisation over the drain (``StageUtilisation/report(wallSeconds:)``).
    var stages: String
    /// flowrun's write transactions rolled back (nil: unknown).
    var rolledBack: Int?
    /// CPU seconds over the drain: the whole machine's, PostgreSQL's (the postmaster and its backends) and
    /// Redis's.
    var machineBusy: Double
    var postgresCPU: Double
    var redisCPU: Double

    /// Rows per second from the first row stored.
    var steadyRate: Double { Double(self.rows) / (self.drain.steadySeconds ?? self.drain.seconds) }
    /// Rows per second from flowrun's process start.
    var startRate: Double { Double(self.rows) / self.drain.seconds }

    /// Starts flowrun (`launch`, its operations port `httpPort`) on the pre-loaded `stream` and measures its
    /// drain into `database`. `firstRow` tells when the first of the drain's rows is stored; `storedRows`
    /// counts them at the end, which must be `rows`.
    static func run(
        launch: FlowrunLaunch,
        httpPort: Int,
        postgres: PostgresConnection,
        redis: RedisConnection,
        stream: String,
        database: String,
        rows: Int,
        firstRow: @escaping () async throws -> Bool,
        storedRows: () async throws -> Int
    ) async throws -> DrainMeasurement {
        // The servers' processes, to tell their CPU apart: Redis's own pid, and the postmaster (with its backends).
        let redisPID = try await redis.send(["INFO", "server"]).string?.split(separator: "\r\n")
            .first { $0.hasPrefix("process_id:") }.flatMap { Int32($0.dropFirst("process_id:".count)) }
        let postmasterPID = try await Self.postmasterPID(postgres)
        func serverCPU() -> (redis: Double, postgres: Double) {
            (
                redisPID.flatMap { ProcessStatus.cpuSeconds(of: $0) } ?? 0,
                postmasterPID.map { ProcessStatus.cpuSeconds(ofTree: $0) } ?? 0
            )
        }
        // Transactions rolled back before flowrun (this benchmark's own, such as a COPY undone), once reported.
        try await postgres.execute("SELECT pg_stat_force_next_flush()")
        let rolledBackBefore = try await rolledBackTransactions(postgres, database: database) ?? 0
        let machineStart = ProcessStatus.machineBusySeconds()
        let serversStart = serverCPU()
        let child = try launch.start()
        // Where the pipeline waits: its stages' busy time and queues, from flowrun's /metrics.
        let utilisation = StageUtilisation(port: httpPort, pipeline: "durable-write")
        let sampling = Task { await utilisation.sampleQueues() }
        // The first row by an index probe; the end by the group's counters in Redis. The row count is checked
        // once, at the end.
        let drain: FlowrunProcess.Drain
        let stages: String
        do {
            drain = try await child.untilDrained(redis: redis, stream: stream, group: "bench", firstProgress: firstRow)
            sampling.cancel()
            stages = try await utilisation.report(wallSeconds: drain.seconds)
        } catch {
            sampling.cancel()
            await child.stop()
            throw error
        }
        let machineBusy = ProcessStatus.machineBusySeconds() - machineStart
        let serversEnd = serverCPU()
        await child.stop()
        let rolledBack = try await rolledBackTransactions(postgres, database: database)
        let stored = try await storedRows()
        guard stored == rows else { throw BenchmarkFailure("flowrun stored \(stored) rows, expected \(rows)") }
        return DrainMeasurement(
            rows: rows,
            drain: drain,
            stages: stages,
            rolledBack: rolledBack.map { $0 - rolledBackBefore },
            machineBusy: machineBusy,
            postgresCPU: serversEnd.postgres - serversStart.postgres,
            redisCPU: serversEnd.redis - serversStart.redis
        )
    }

    /// The PostgreSQL server's postmaster (the parent of `postgres`'s backend): its process tree is the
    /// server's CPU.
    static func postmasterPID(_ postgres: PostgresConnection) async throws -> Int32? {
        let backendPID = try await postgres.query("SELECT pg_backend_pid()").rows[0][0].flatMap { Int32($0) }
        return backendPID.flatMap { ProcessStatus.parent(of: $0) }
    }

    /// The lines the benchmark prints for the drain, beside COPY's `copyRate`.
    func report(copyRate: Double) -> String {
        let steadySeconds = self.drain.steadySeconds ?? self.drain.seconds
        let perRow = { (seconds: Double) in seconds / Double(self.rows) * 1e6 }
        return [
            "flowrun durable-write, steady state     \(grouped(self.steadyRate).padding(toLength: 10, withPad: " ", startingAt: 0)) rows/s  (\(String(format: "%.2f", steadySeconds)) s from the first row stored)",
            "flowrun durable-write, process start on \(grouped(self.startRate).padding(toLength: 10, withPad: " ", startingAt: 0)) rows/s  (\(String(format: "%.2f", self.drain.seconds)) s)",
            String(
                format: "ratio flowrun / COPY: %.2f× (steady state), %.2f× (from process start)",
                self.steadyRate / copyRate,
                self.startRate / copyRate
            ),
            steadySeconds < 1
                ? "note: the drain took under a second, too short for these rates to mean much (the drain is"
                    + " polled every 20 ms); measure with --entries 200000 or more"
                : nil,
            "flowrun write transactions rolled back: \(self.rolledBack.map(String.init) ?? "unknown") (each a batch whose COPY met a stored row, written again by INSERT … ON CONFLICT)",
            "flowrun peak RSS: \(String(format: "%.1f", Double(self.drain.peakResidentKiB) / 1024)) MB (VmHWM)",
            self.stages,
            String(
                format:
                    "CPU per stored row: flowrun %.2f µs, PostgreSQL %.2f µs, Redis %.2f µs; whole machine %.2f µs"
                    + " (also this benchmark and whatever else runs)",
                perRow(self.drain.cpuSeconds),
                perRow(self.postgresCPU),
                perRow(self.redisCPU),
                perRow(self.machineBusy)
            ),
        ].compactMap { $0 }.joined(separator: "\n")
    }
}

/// The transactions rolled back in `database`, once flowrun's connections are gone (a backend reports its
/// counts when it exits); nil if they do not go within 5 s. Client connections only: TimescaleDB's
/// scheduler is a background worker connected to the database for as long as it exists.
func rolledBackTransactions(_ postgres: PostgresConnection, database: String) async throws -> Int? {
    for _ in 0..<500 {
        let row = try await postgres.query(
            """
            SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'),
                xact_rollback
            FROM pg_stat_database WHERE datname = $1
            """,
            [database]
        ).rows.first
        try await postgres.execute("SELECT pg_stat_clear_snapshot()")
        // Only this benchmark's own connection left.
        if let row, row[0] == "1" { return row[1].flatMap { Int($0) } }
        try await Task.sleep(for: .milliseconds(10))
    }
    return nil
}
