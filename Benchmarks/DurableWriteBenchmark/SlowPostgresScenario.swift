import BenchmarkSupport
import Foundation
import Stages

/// flowrun's memory while PostgreSQL is slow: every INSERT statement into `positions` is made to take
/// `delay` longer (a statement-level trigger sleeping in the server), so that flowrun stores far slower
/// than the stream holds entries. Prints, every second, what was read, what is in flight (read, not yet
/// acknowledged), what still waits in the stream, and flowrun's resident memory.
///
/// What it shows: reading follows writing (bounded channels, bounded in-flight), so resident memory stays
/// flat however large the backlog in the stream.
struct SlowPostgresScenario {
    let delay: Duration
    let duration: Duration
    let entries: Int

    func run(
        flowrun: FlowrunLaunch,
        postgres: PostgresConnection,
        redis: RedisConnection,
        stream: String
    ) async throws {
        let milliseconds = self.delay / .milliseconds(1)
        try await postgres.execute(
            """
            CREATE FUNCTION bench_slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_sleep(\(milliseconds / 1000)); RETURN NULL; END $$;
            CREATE TRIGGER bench_slow_insert AFTER INSERT ON positions
                FOR EACH STATEMENT EXECUTE FUNCTION bench_slow_insert();
            """
        )
        print(
            "slow PostgreSQL: every INSERT takes \(Int(milliseconds)) ms longer; "
                + "\(grouped(Double(self.entries))) entries wait in the stream; \(self.duration) sampled"
        )
        print(
            pad("t", 6) + pad("read by flowrun", 18) + pad("in flight", 12) + pad("waiting in stream", 20)
                + pad("flowrun RSS", 14) + pad("anonymous", 12)
        )
        let child = try flowrun.start()
        do {
            try await self.sample(child, redis: redis, stream: stream)
        } catch {
            await child.stop()
            throw error
        }
        await child.stop()
    }

    private func sample(_ child: FlowrunProcess, redis: RedisConnection, stream: String) async throws {
        let start = ContinuousClock.now
        var samples: [(seconds: Int, residentKiB: Int, anonymousKiB: Int)] = []
        var mostInFlight: Int64 = 0
        var second = 0
        while start.duration(to: .now) < self.duration {
            second += 1
            try await Task.sleep(until: start + .seconds(second))
            try child.checkRunning(while: "its memory was sampled")
            let group = try await ConsumerGroupInfo.read(redis, stream: stream)["bench"]
            let pending = group?.pending ?? 0
            let lag = group?.lag ?? Int64(self.entries)
            let read = Int64(self.entries) - lag
            let resident = ProcessStatus.residentKiB(of: child.pid) ?? 0
            let anonymous = ProcessStatus.anonymousResidentKiB(of: child.pid) ?? 0
            samples.append((second, resident, anonymous))
            mostInFlight = max(mostInFlight, pending)
            print(
                pad("\(second)s", 6) + pad(grouped(Double(read)), 18) + pad(grouped(Double(pending)), 12)
                    + pad(grouped(Double(lag)), 20) + pad(String(format: "%.1f MB", Double(resident) / 1024), 14)
                    + pad(String(format: "%.1f MB", Double(anonymous) / 1024), 12)
            )
            if lag == 0 && pending == 0 { break }
        }
        // After the first seconds (start-up, connections, first batches) memory should not grow.
        let settled = samples.dropFirst(min(3, samples.count - 1))
        func spread(_ kib: [Int]) -> String {
            let low = Double(kib.min() ?? 0) / 1024
            let high = Double(kib.max() ?? 0) / 1024
            return String(format: "%.1f–%.1f MB (a spread of %.1f MB)", low, high, high - low)
        }
        print(
            "flowrun from \(settled.first?.seconds ?? 0)s on: RSS \(spread(settled.map(\.residentKiB))), of which"
                + " anonymous (heap, stacks) \(spread(settled.map(\.anonymousKiB))); at most"
                + " \(grouped(Double(mostInFlight))) entries in flight"
        )
        // Flat means the second half adds (almost) nothing to the first.
        let secondHalf = settled.dropFirst(settled.count / 2)
        if let first = secondHalf.first, secondHalf.count >= 10 {
            print(
                "flowrun from \(first.seconds)s on (the second half): RSS \(spread(secondHalf.map(\.residentKiB))),"
                    + " anonymous \(spread(secondHalf.map(\.anonymousKiB)))"
            )
        }
    }
}

/// `text` right-aligned in `width` columns.
private func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
