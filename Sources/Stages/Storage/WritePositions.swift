import CoreMetrics
import Flow

/// Stores each batch of positions (``PositionStore``) and hands on the entries it came from, now safe to
/// acknowledge (``WrittenBatch``). durable-write's writer.
///
/// Runs `writers` batches at once (unordered: acknowledgements need no order), and retries a failed write
/// with backoff until it succeeds (``Flow/Retry/forever``); its entries stay pending meanwhile, and
/// backpressure stops the reading. Counts go to ``DurableWriteStats`` and to the metrics
/// `flowrun_positions_written_total{pipeline,result=inserted|duplicate|failed}` (failed: the positions of
/// each failed attempt) and `flowrun_write_batch_seconds{pipeline}`.
///
/// - Important: A ``WrittenBatch`` leaves this stage only once the store said every position of it has a row.
public struct WritePositions: ItemStage {
    public var options = ItemOptions<[PositionEntry]>()
    let store: any PositionStore
    let stats: DurableWriteStats?

    /// - Parameters:
    ///   - writers: batches written at once (the store's connections), ≥ 1.
    ///   - stats: running totals for the progress line.
    public init(store: any PositionStore, writers: Int, stats: DurableWriteStats? = nil) {
        self.store = store
        self.stats = stats
        self.options.concurrency = .unordered(writers)
        self.options.errorPolicy = .retry(.forever)
    }

    public func process(
        _ batch: [PositionEntry],
        into output: inout [WrittenBatch],
        context: StageContext
    ) async throws {
        let started = ContinuousClock.now
        let outcome: WriteOutcome
        do {
            outcome = try await self.store.write(batch)
        } catch {
            // Retried by the error policy (with backoff) until stored; counted here once per failed attempt.
            self.written(context, "failed").increment(by: batch.count)
            throw error
        }
        self.stats?.record(outcome)
        self.written(context, "inserted").increment(by: outcome.inserted)
        self.written(context, "duplicate").increment(by: outcome.duplicates)
        CoreMetrics.Timer(
            label: "flowrun_write_batch_seconds",
            dimensions: [("pipeline", context.pipelineName)],
            factory: context.metricsFactory
        )
        .record(duration: started.duration(to: .now))
        output.append(WrittenBatch(entryIDs: batch.map(\.entryID), outcome: outcome))
    }

    private func written(_ context: StageContext, _ result: String) -> Counter {
        Counter(
            label: "flowrun_positions_written_total",
            dimensions: [("pipeline", context.pipelineName), ("result", result)],
            factory: context.metricsFactory
        )
    }
}
