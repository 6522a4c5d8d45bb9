/// One scrape of `/metrics`: its samples in the order they came, looked up by name and labels.
///
/// Rates come from two snapshots: ``increase(_:matching:since:)`` treats counters the way Prometheus does, so
/// a counter that went down (the process restarted) counts as having grown from zero.
///
/// - Important: Each series (name and label set) is expected once; when a scrape repeats one, the last
///   sample wins in lookups.
public struct MetricsSnapshot: Sendable {
    /// Every sample, in the scrape's order.
    public let samples: [MetricSample]
    private let byName: [String: [Int]]
    private let bySeries: [Series: Double]

    private struct Series: Hashable {
        var name: String
        var labels: [String: String]
    }

    public init(_ samples: [MetricSample]) {
        self.samples = samples
        var byName: [String: [Int]] = [:]
        var bySeries: [Series: Double] = [:]
        for (index, sample) in samples.enumerated() {
            byName[sample.name, default: []].append(index)
            bySeries[Series(name: sample.name, labels: sample.labels)] = sample.value
        }
        self.byName = byName
        self.bySeries = bySeries
    }

    /// Reads a Prometheus text exposition (see ``PrometheusText``).
    public init(parsing text: String) throws(PrometheusTextError) {
        self.init(try PrometheusText.parse(text))
    }

    /// The value of the series with exactly these labels.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        self.bySeries[Series(name: name, labels: labels)]
    }

    /// The samples of `name` whose labels include `labels` (they may have more), in the scrape's order.
    public func samples(_ name: String, matching labels: [String: String] = [:]) -> [MetricSample] {
        (self.byName[name] ?? []).map { self.samples[$0] }.filter { sample in
            labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// The sum of the samples of `name` matching `labels`; nil when there is none.
    public func sum(_ name: String, matching labels: [String: String] = [:]) -> Double? {
        let matching = self.samples(name, matching: labels)
        return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
    }

    /// How much the counters `name` matching `labels` grew since `previous`, summed; nil when this snapshot
    /// has none of them. A series absent from `previous` (made since) counts from zero, and so does one
    /// lower than in `previous` (reset).
    public func increase(
        _ name: String,
        matching labels: [String: String] = [:],
        since previous: MetricsSnapshot
    ) -> Double? {
        let matching = self.samples(name, matching: labels)
        guard !matching.isEmpty else { return nil }
        return matching.reduce(0) { total, sample in
            let before = previous.value(sample.name, sample.labels) ?? 0
            return total + (sample.value >= before ? sample.value - before : sample.value)
        }
    }
}
