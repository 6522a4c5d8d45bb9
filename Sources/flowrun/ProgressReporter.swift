import Foundation
import Logging
import Pipelines
import ServiceLifecycle

/// Logs one progress line per pipeline every few seconds: what was stored or broadcast, and how fast.
struct ProgressReporter: Service {
    let supervisor: PipelineSupervisor
    let every: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await self.report() }
    }

    private func report() async throws {
        var previous: [String: Int] = [:]
        var last = ContinuousClock.now
        while true {
            try await Task.sleep(for: self.every)
            let now = ContinuousClock.now
            let seconds = last.duration(to: now) / .seconds(1)
            last = now
            for running in self.supervisor.running {
                let name = running.name
                switch running.service {
                case let durableWrite as DurableWrite:
                    let stats = durableWrite.stats
                    let stored = stats.inserted + stats.duplicates
                    let rate = Double(stored - (previous[name] ?? 0)) / max(seconds, 0.001)
                    previous[name] = stored
                    let line =
                        "durable-write: \(stored) positions stored (\(Int(rate.rounded()))/s), \(stats.duplicates)"
                        + " of them duplicates, \(stats.deadLettered) entries dead-lettered"
                    self.logger.info("\(line)")
                case let live as LiveBroadcast:
                    let sent = live.stats.positionsBroadcast
                    let rate = Double(sent - (previous[name] ?? 0)) / max(seconds, 0.001)
                    previous[name] = sent
                    let line =
                        "live-broadcast: \(sent) positions broadcast (\(Int(rate.rounded()))/s),"
                        + " \(live.server.connectionCount) WebSocket connections,"
                        + " \(live.deviceEvents.map.deviceCount) devices in events"
                    self.logger.info("\(line)")
                default:
                    continue
                }
            }
        }
    }
}
