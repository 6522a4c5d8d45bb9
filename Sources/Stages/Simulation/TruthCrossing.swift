/// When a simulated device truly crossed a checkpoint: computed from its exact path (the straight legs of
/// the course driven at the device's actual speed), not from the fixes it reported. One per device per
/// checkpoint, the crossing CONTRACT §6.3 counts (course order), so race timing's results can be checked
/// against it.
public struct TruthCrossing: Sendable, Hashable {
    /// The device's IMEI.
    public var device: String
    /// Lowercase UUIDs.
    public var event: String
    public var checkpoint: String
    public var seq: Int
    /// The crossing time, µs since the epoch, exact (not rounded).
    public var time: Double

    public init(device: String, event: String, checkpoint: String, seq: Int, time: Double) {
        self.device = device
        self.event = event
        self.checkpoint = checkpoint
        self.seq = seq
        self.time = time
    }

    /// `--truth`'s line: `{"device_id","event_id","checkpoint_id","seq","ts"}`, `ts` ISO-8601 UTC rounded to
    /// the millisecond (halves up, as §6.3 rounds crossings) with a `Z`.
    public var jsonLine: String {
        let ts = Timestamp.format(roundedToMillisecond(self.time), precision: .milliseconds)
        return "{\"device_id\":\"\(self.device)\",\"event_id\":\"\(self.event)\","
            + "\"checkpoint_id\":\"\(self.checkpoint)\",\"seq\":\(self.seq),\"ts\":\"\(ts)\"}"
    }
}
