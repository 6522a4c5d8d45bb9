import Foundation
import Logging
import Pipelines
import ServiceLifecycle

/// Logs one progress line per pipeline every few seconds: what was stored or broadcast, and how fast.
struct ProgressReporter: Service {
    enum Source: Sendable {
        case durableWrite(DurableWriteStats)
        case liveBroadcast(LiveBroadcast)
    }

    let sources: [Source]
    let every: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await self.report() }
    }

    private func report() async throws {
        var previous = self.sources.map { _ in 0 }
        var last = ContinuousClock.now
        while true {
            try await Task.sleep(for: self.every)
            let now = ContinuousClock.now
            let seconds = last.duration(to: now) / .seconds(1)
            last = now
            for (index, source) in self.sources.enumerated() {
                switch source {
                case .durableWrite(let stats):
                    let stored = stats.inserted + stats.duplicates
                    let rate = Double(stored - previous[index]) / max(seconds, 0.001)
                    previous[index] = stored
                    let line =
                        "durable-write: \(stored) positions stored (\(Int(rate.rounded()))/s), \(stats.duplicates)"
                        + " of them duplicates, \(stats.deadLettered) entries dead-lettered"
                    self.logger.info("\(line)")
                case .liveBroadcast(let live):
                    let sent = live.stats.positionsBroadcast
                    let rate = Double(sent - previous[index]) / max(seconds, 0.001)
                    previous[index] = sent
                    let line =
                        "live-broadcast: \(sent) positions broadcast (\(Int(rate.rounded()))/s),"
                        + " \(live.server.connectionCount) WebSocket connections,"
                        + " \(live.deviceEvents.map.deviceCount) devices in events"
                    self.logger.info("\(line)")
                }
            }
        }
    }
}
