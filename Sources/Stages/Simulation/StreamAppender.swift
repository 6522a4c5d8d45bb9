import Foundation

/// Appends a simulator's entries to a stream (`XADD`, pipelined), at a given rate.
public struct StreamAppender: Sendable {
    let redis: RedisConnection
    let stream: String

    public init(redis: RedisConnection, stream: String) {
        self.redis = redis
        self.stream = stream
    }

    /// What was appended.
    public struct Report: Sendable, CustomStringConvertible {
        public var entries = 0
        public var duplicates = 0
        public var late = 0
        public var malformed = 0
        public var seconds = 0.0

        public var description: String {
            "\(self.entries) entries in \(String(format: "%.1f", self.seconds)) s (\(self.duplicates) duplicates, \(self.late) out of order, \(self.malformed) malformed)"
        }
    }

    /// Appends ticks of `simulator` until `duration` or `count` (or cancellation), at about `rate` entries per
    /// second (0: as fast as Redis takes them), calling `progress` about once a second.
    public func run(
        simulator: TrackSimulator,
        rate: Double,
        duration: Duration?,
        count: Int?,
        progress: (@Sendable (String) -> Void)?
    ) async throws -> Report {
        var simulator = simulator
        var report = Report()
        let start = ContinuousClock.now
        var lastProgress = start
        var pending: [TrackSimulator.Entry] = []
        while !Task.isCancelled {
            if let duration, start.duration(to: .now) >= duration { break }
            if let count, report.entries >= count { break }
            if pending.isEmpty { pending = simulator.nextTick() }
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
                case .position: break
                }
            }
            report.entries += batch.count
            let elapsed = start.duration(to: .now)
            if rate > 0 {
                let due = Duration.milliseconds(Int64(Double(report.entries) / rate * 1000))
                if due > elapsed { try await Task.sleep(for: due - elapsed) }
            }
            if let progress, lastProgress.duration(to: .now) >= .seconds(1) {
                lastProgress = .now
                report.seconds = start.duration(to: .now) / .seconds(1)
                progress("simulate: \(report)")
            }
        }
        report.seconds = start.duration(to: .now) / .seconds(1)
        return report
    }

    /// Appends entries in one round trip.
    public func append(_ entries: [TrackSimulator.Entry]) async throws {
        let commands: [[RedisArgument]] = entries.map { entry in
            [
                "XADD", RedisArgument(self.stream), "*", "device_id", RedisArgument(entry.deviceID), "payload",
                RedisArgument(entry.payload),
            ]
        }
        for reply in try await self.redis.send(pipeline: commands) {
            if case .error(let message) = reply {
                throw RedisError(kind: .server, endpoint: self.redis.endpoint, command: "XADD", message: message)
            }
        }
    }
}
