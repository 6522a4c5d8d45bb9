import Foundation

/// Appends a simulator's entries to a stream (`XADD`, pipelined), paced by the wall clock and a rate.
///
/// - Important: Device time never runs ahead of the wall clock: a tick is appended only once ``WallClock``
///   has reached its ``SimulatedTicks/nextTickTime``, so no entry is appended before the moment its
///   timestamp names (CONTRACT §6.2's `future` rule never holds for it). `rate` only caps the pace: when
///   devices × (1 / interval) is above it, device time falls behind the wall clock instead.
public struct StreamAppender: Sendable {
    let clock: any WallClock
    let sink: @Sendable ([TrackSimulator.Entry]) async throws -> Void

    public init(redis: RedisConnection, stream: String, clock: any WallClock = SystemWallClock()) {
        self.clock = clock
        self.sink = { entries in try await Self.append(entries, to: stream, on: redis) }
    }

    /// An appender that hands each batch to `sink` instead of Redis (tests).
    public init(clock: any WallClock, sink: @escaping @Sendable ([TrackSimulator.Entry]) async throws -> Void) {
        self.clock = clock
        self.sink = sink
    }

    /// What was appended.
    public struct Report: Sendable, CustomStringConvertible {
        public var entries = 0
        public var duplicates = 0
        public var late = 0
        public var malformed = 0
        public var faulty = 0
        public var crossings = 0
        public var seconds = 0.0

        public var description: String {
            "\(self.entries) entries in \(String(format: "%.1f", self.seconds)) s (\(self.duplicates) duplicates, "
                + "\(self.late) out of order, \(self.malformed) malformed, \(self.faulty) faulty; "
                + "\(self.crossings) true crossings)"
        }
    }

    /// Appends ticks of `simulator` until `duration` or `count` (or cancellation), each tick no earlier than
    /// its device time, at most `rate` entries per second (0: no cap), handing the true crossings of every
    /// tick to `truth` before its entries are appended, and calling `progress` about once a second.
    public func run<Simulator: SimulatedTicks>(
        simulator: Simulator,
        rate: Double,
        duration: Duration?,
        count: Int?,
        truth: (([TruthCrossing]) throws -> Void)? = nil,
        progress: (@Sendable (String) -> Void)?
    ) async throws -> Report {
        var simulator = simulator
        var report = Report()
        let start = self.clock.now()
        let end = duration.map { start + $0.microseconds }
        var lastProgress = start
        var pending: [TrackSimulator.Entry] = []
        while !Task.isCancelled {
            if let end, self.clock.now() >= end { break }
            if let count, report.entries >= count { break }
            if pending.isEmpty {
                let due = simulator.nextTickTime
                if due > self.clock.now() {
                    try await self.clock.sleep(until: min(due, end ?? due))
                    continue
                }
                pending = simulator.nextTick()
                let crossings = simulator.takeCrossings()
                report.crossings += crossings.count
                if !crossings.isEmpty { try truth?(crossings) }
            }
            var take = min(pending.count, 500)
            if let count { take = min(take, count - report.entries) }
            let batch = Array(pending.prefix(take))
            pending.removeFirst(take)
            try await self.append(batch)
            for entry in batch {
                switch entry.kind {
                case .duplicate: report.duplicates += 1
                case .late: report.late += 1
                case .malformed: report.malformed += 1
                case .faulty: report.faulty += 1
                case .position: break
                }
            }
            report.entries += batch.count
            if rate > 0 {
                let due = start + Int64(Double(report.entries) / rate * 1_000_000)
                if due > self.clock.now() { try await self.clock.sleep(until: due) }
            }
            if let progress, self.clock.now() - lastProgress >= 1_000_000 {
                lastProgress = self.clock.now()
                report.seconds = Double(lastProgress - start) / 1e6
                progress("simulate: \(report)")
            }
        }
        report.seconds = Double(self.clock.now() - start) / 1e6
        return report
    }

    /// Appends entries in one round trip, at once.
    public func append(_ entries: [TrackSimulator.Entry]) async throws {
        try await self.sink(entries)
    }

    /// Appends entries in one round trip.
    static func append(_ entries: [TrackSimulator.Entry], to stream: String, on redis: RedisConnection) async throws {
        let commands: [[RedisArgument]] = entries.map { entry in
            [
                "XADD", RedisArgument(stream), "*", "device_id", RedisArgument(entry.deviceID), "payload",
                RedisArgument(entry.payload),
            ]
        }
        for reply in try await redis.send(pipeline: commands) {
            if case .error(let message) = reply {
                throw RedisError(kind: .server, endpoint: redis.endpoint, command: "XADD", message: message)
            }
        }
    }
}
