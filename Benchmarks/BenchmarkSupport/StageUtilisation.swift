import AsyncHTTPClient
import Foundation
import NIOCore
import Pipelines
import Synchronization

/// Where a pipeline waits during a drain, read from flowrun's own stage metrics (`/metrics`):
/// - **busy**: each stage's `flow_stage_busy_seconds_total` (time spent on its items, not waiting for input
///   nor for room downstream), as a share of the drain's wall time: a stage near 100% is the one the others
///   wait for (above 100%: one running items at once, as durable-write's writers);
/// - **queue**: the mean of its `flow_stage_queue_items` (items waiting in its input), sampled while the
///   drain runs: a full queue is a stage that cannot keep up, an empty one a stage waiting for work.
public final class StageUtilisation: Sendable {
    public let url: String
    private let pipeline: String
    private let samples = Mutex<[String: (sum: Double, count: Int)]>([:])

    public init(port: Int, pipeline: String) {
        self.url = "http://127.0.0.1:\(port)/metrics"
        self.pipeline = pipeline
    }

    /// Samples the queues every `interval` until cancelled.
    public func sampleQueues(every interval: Duration = .milliseconds(250)) async {
        while !Task.isCancelled {
            if let snapshot = try? await self.scrape() {
                let queues = snapshot.samples("flow_stage_queue_items", matching: ["pipeline": self.pipeline])
                self.samples.withLock { samples in
                    for queue in queues {
                        guard let stage = queue.labels["stage"] else { continue }
                        samples[stage, default: (0, 0)].sum += queue.value
                        samples[stage, default: (0, 0)].count += 1
                    }
                }
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// The table: one line per stage of the pipeline, in its order, its busy time over `wallSeconds` and its
    /// mean queue.
    public func report(wallSeconds: Double) async throws -> String {
        let kind = PipelineRegistry.kind(named: self.pipeline)
        let pipelines = (try? kind?.stageNames(in: FlowrunConfiguration())) ?? []
        let order = pipelines.first { $0.pipeline == self.pipeline }?.stages ?? []
        let snapshot = try await self.scrape()
        let queues = self.samples.withLock { $0 }
        var lines = [
            "stage utilisation over the \(String(format: "%.2f", wallSeconds)) s drain (busy: flow_stage_busy_seconds_total;"
                + " queue: mean items waiting in its input, \(queues.values.first?.count ?? 0) samples)"
        ]
        let width = (order.map(\.count).max() ?? 0) + 2
        for stage in order {
            let labels = ["pipeline": self.pipeline, "stage": stage]
            let name = "  " + stage.padding(toLength: width, withPad: " ", startingAt: 0)
            // A source has no input: no busy time nor queue of its own (its pace shows in the next queue).
            guard stage != order.first else {
                lines.append(name + "(the source: no input, so no busy time of its own)")
                continue
            }
            let busy = snapshot.sum("flow_stage_busy_seconds_total", matching: labels) ?? 0
            let queue = queues[stage].map { $0.count == 0 ? 0 : $0.sum / Double($0.count) }
            lines.append(
                name + String(format: "busy %6.2f s (%3.0f%%)", busy, busy / wallSeconds * 100)
                    + (queue.map { String(format: "   queue %8.1f", $0) } ?? "")
            )
        }
        return lines.joined(separator: "\n")
    }

    private func scrape() async throws -> MetricsSnapshot {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: self.url), timeout: .seconds(5))
        guard response.status == .ok else { throw BenchmarkFailure("\(self.url) answered \(response.status.code)") }
        return try MetricsSnapshot(parsing: String(buffer: try await response.body.collect(upTo: 16 << 20)))
    }

}
