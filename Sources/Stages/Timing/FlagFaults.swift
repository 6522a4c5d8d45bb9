import CoreMetrics
import Flow
import Foundation

/// Judges every position by the rules of CONTRACT §6.2 when it first sees it, and sets
/// ``PositionEntry/fault`` (nil: not faulty). It never drops a position. durable-write's and
/// live-broadcast's `flag-faults`.
///
/// A position is judged on arrival, against what the ``FaultJudge`` has seen of its device: its `jump`
/// reference is the nearest older non-faulty fix held in `ts` order. `future` compares the position's `ts`
/// with `now()`, the processor's clock when the stage first sees it.
///
/// Metrics: `flowrun_positions_faulty_total{pipeline,reason}` (per position flagged, `reason` the ``Fault``'s
/// raw value), `flowrun_fault_judge_devices{pipeline}` (gauge), `flowrun_fault_judge_evictions_total{pipeline}`.
///
/// - Important: Run serially (it is a `Stage` reading its input in order): a device's reference depends on the
///   order positions pass. A position delivered again (a retried write, a restart) is judged again; a
///   repeat cannot become its own reference (a reference is strictly older).
public struct FlagFaults: Stage {
    public typealias Input = PositionEntry
    public typealias Output = PositionEntry

    let judge: FaultJudge
    let now: @Sendable () -> Int64

    /// The processor's wall clock, µs since the epoch.
    public static let systemClock: @Sendable () -> Int64 = {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// - Parameters:
    ///   - judge: the per-device state and the rules.
    ///   - now: the processor's clock, µs since the epoch. Default: ``systemClock``.
    public init(judge: FaultJudge, now: @escaping @Sendable () -> Int64 = FlagFaults.systemClock) {
        self.judge = judge
        self.now = now
    }

    public func run(
        _ input: Inbox<PositionEntry>,
        _ output: Outbox<PositionEntry>,
        _ context: StageContext
    ) async throws {
        let faulty = FaultCounters(context)
        var metrics = DeviceMapMetrics(
            devices: "flowrun_fault_judge_devices",
            evictions: "flowrun_fault_judge_evictions_total",
            pipeline: context.pipelineName,
            factory: context.metricsFactory,
            evicted: self.judge.evictions
        )
        for try await chunk in input {
            var chunk = chunk
            let receivedAt = self.now()
            chunk.withUnsafeMutableBufferPointer { entries in
                for index in entries.indices {
                    let entry = entries.baseAddress! + index
                    // Read in place: a copy of the position would retain and release its attributes (a cache
                    // miss each) for fields the judge does not read.
                    let fix = Fix(
                        timestamp: entry.pointee.position.timestamp,
                        latitude: entry.pointee.position.latitude,
                        longitude: entry.pointee.position.longitude,
                        satellites: entry.pointee.position.satellites
                    )
                    let fault = self.judge.judge(fix, of: entry.pointee.position.deviceID, receivedAt: receivedAt)
                    entry.pointee.fault = fault
                    faulty.count(fault)
                }
            }
            metrics.record(count: self.judge.count, evicted: self.judge.evictions)
            try await output.send(contentsOf: chunk)
        }
    }
}
