import CoreMetrics

/// The metrics of a bounded per-device map (``DeviceStateStore``, ``FaultJudge``): its size as a gauge and its
/// evictions as a counter, recorded by the stage that owns it after each chunk.
struct DeviceMapMetrics {
    private let size: Gauge
    private let evictions: Counter
    private var evictionsReported: Int

    /// - Parameters:
    ///   - devices: the gauge's name, e.g. `flowrun_device_state_devices`.
    ///   - evictions: the counter's name, e.g. `flowrun_device_state_evictions_total`.
    ///   - evicted: the map's evictions so far (not counted again).
    init(devices: String, evictions: String, pipeline: String, factory: any MetricsFactory, evicted: Int) {
        let labels = [("pipeline", pipeline)]
        self.size = Gauge(label: devices, dimensions: labels, factory: factory)
        self.evictions = Counter(label: evictions, dimensions: labels, factory: factory)
        self.evictionsReported = evicted
    }

    /// Records the map's size and counts the evictions since the last call.
    mutating func record(count: Int, evicted: Int) {
        self.size.record(count)
        if evicted > self.evictionsReported {
            self.evictions.increment(by: evicted - self.evictionsReported)
            self.evictionsReported = evicted
        }
    }
}
