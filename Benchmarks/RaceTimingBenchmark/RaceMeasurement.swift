import BenchmarkSupport

/// What one simulated race measured.
struct RaceMeasurement {
    /// σ of the race's GPS noise, metres.
    var noise: Double
    /// Entries in the stream (one position each; the offline bursts' repeats included).
    var entries: Int
    /// Distinct positions durable-write stored.
    var stored: Int
    var durableWrite: FlowrunProcess.Drain
    /// race-timing before anything was stored, and after durable-write stored everything (its rebuild
    /// reads it all at the event's first position).
    var timingCold: TimingDrain
    var timingWarm: TimingDrain

    /// One race-timing drain and the table it left.
    struct TimingDrain {
        var drain: FlowrunProcess.Drain
        /// Entries appended to its crossings stream (changes of the table).
        var changes: Int
        /// Rows in the `crossings` table at the end.
        var rows: Int
        var truth: TruthCheck
        /// Rows that differ from CONTRACT §6's definition (should be 0).
        var differences: Int
    }
}
