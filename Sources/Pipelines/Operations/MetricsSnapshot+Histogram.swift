extension MetricsSnapshot {
    /// The `quantile` (0…1) of the histogram `name` (its `<name>_bucket` series, labelled `le`) whose
    /// labels include `labels`, as Prometheus's `histogram_quantile` computes it: linear within the bucket
    /// the rank falls in, the highest finite bound when it falls in `+Inf`.
    ///
    /// - Parameter previous: When given, only the observations made since it count (the buckets' increase),
    ///   as in `histogram_quantile(q, rate(…))`; otherwise every observation since the process started.
    /// - Returns: nil when the histogram has no bucket or no observation (in the interval).
    public func quantile(
        _ quantile: Double,
        ofHistogram name: String,
        matching labels: [String: String] = [:],
        since previous: MetricsSnapshot? = nil
    ) -> Double? {
        var buckets: [(bound: Double, count: Double)] = []
        for sample in self.samples(name + "_bucket", matching: labels) {
            guard let text = sample.labels["le"], let bound = PrometheusText.number(text), !bound.isNaN else {
                continue
            }
            let before = previous?.value(sample.name, sample.labels) ?? 0
            buckets.append((bound, sample.value >= before ? sample.value - before : sample.value))
        }
        buckets.sort { $0.bound < $1.bound }
        // Cumulative counts must not decrease (a reset between scrapes could make them).
        for index in buckets.indices.dropFirst() {
            buckets[index].count = max(buckets[index].count, buckets[index - 1].count)
        }
        guard let total = buckets.last?.count, total > 0, buckets.last?.bound == .infinity else { return nil }
        let rank = min(max(quantile, 0), 1) * total
        guard let index = buckets.firstIndex(where: { $0.count >= rank }) else { return nil }
        if buckets[index].bound == .infinity {
            return index > 0 ? buckets[index - 1].bound : nil
        }
        let lower = index > 0 ? buckets[index - 1] : (bound: min(0, buckets[index].bound), count: 0)
        let inBucket = buckets[index].count - lower.count
        guard inBucket > 0 else { return buckets[index].bound }
        return lower.bound + (buckets[index].bound - lower.bound) * (rank - lower.count) / inBucket
    }

    /// The lowest finite `le` of the histogram `name`'s buckets matching `labels`.
    public func lowestBucketBound(ofHistogram name: String, matching labels: [String: String] = [:]) -> Double? {
        self.samples(name + "_bucket", matching: labels).compactMap { sample in
            sample.labels["le"].flatMap(PrometheusText.number).flatMap { $0.isFinite ? $0 : nil }
        }.min()
    }
}
