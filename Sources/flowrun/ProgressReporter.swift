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
                let (count, line) = running.service.progress
                let rate = Double(count - (previous[running.name] ?? 0)) / max(seconds, 0.001)
                previous[running.name] = count
                self.logger.info("\(line(Int(rate.rounded())))")
            }
        }
    }
}
