import CoreMetrics
import Flow

/// Updates the per-device state with every position, before it is written, and passes the positions on,
/// each marked ``PositionEntry/isNewest`` when it is newer than all the device's positions seen before.
///
/// A device not held yet (first seen since start, or evicted) is first seeded with its latest stored
/// position time, so `lastSeen` is right after a restart. Seeding asks for all new devices of a chunk
/// at once and is retried with backoff until it succeeds (it fails only when the database is down, and
/// then nothing could be written anyway).
///
/// Updating before the write is safe: a position whose write fails is delivered again, and observing it
/// twice cannot move `lastSeen` back.
public struct UpdateDeviceState: Stage {
    public typealias Input = PositionEntry
    public typealias Output = PositionEntry

    /// Returns the latest stored position time (µs) of each of the given devices that has one.
    public typealias Seeder = @Sendable ([String]) async throws -> [String: Int64]

    let store: DeviceStateStore
    let seeder: Seeder?
    let retry: Backoff

    public init(store: DeviceStateStore, seeder: Seeder?, retry: Backoff = .exponential(maximum: .seconds(5))) {
        self.store = store
        self.seeder = seeder
        self.retry = retry
    }

    public var name: String { "device-state" }

    public func run(
        _ input: Inbox<PositionEntry>,
        _ output: Outbox<PositionEntry>,
        _ context: StageContext
    ) async throws {
        let labels = [("pipeline", context.pipelineName)]
        let size = Gauge(label: "flowrun_device_state_devices", dimensions: labels, factory: context.metricsFactory)
        let evictions = Counter(
            label: "flowrun_device_state_evictions_total",
            dimensions: labels,
            factory: context.metricsFactory
        )
        var evictionsReported = self.store.evictions
        for try await chunk in input {
            if let seeder = self.seeder {
                let unknown = self.store.unknown(among: chunk.lazy.map(\.position.deviceID))
                if !unknown.isEmpty { try await self.seed(unknown, with: seeder, context) }
            }
            var chunk = chunk
            for index in chunk.indices {
                let position = chunk[index].position
                chunk[index].isNewest = self.store.observe(
                    device: position.deviceID,
                    timestamp: position.timestamp
                )
            }
            size.record(self.store.count)
            let evicted = self.store.evictions
            if evicted > evictionsReported {
                evictions.increment(by: evicted - evictionsReported)
                evictionsReported = evicted
            }
            try await output.send(contentsOf: chunk)
        }
    }

    private func seed(_ devices: [String], with seeder: Seeder, _ context: StageContext) async throws {
        var attempt = 0
        while true {
            do {
                let latest = try await seeder(devices)
                for device in devices { self.store.seed(device, lastSeen: latest[device]) }
                return
            } catch {
                if Task.isCancelled { throw CancellationError() }
                attempt += 1
                let delay = self.retry.delay(afterAttempt: attempt)
                context.logger.warning(
                    "cannot read the devices' latest stored positions; retrying",
                    metadata: ["devices": "\(devices.count)", "error": "\(error)", "retry_in": "\(delay)"]
                )
                try await context.clock.sleep(for: delay)
            }
        }
    }
}
