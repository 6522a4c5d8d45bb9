import Prometheus

/// Renders a registry as Prometheus text with a `# HELP` line before every `# TYPE` line.
///
/// swift-metrics has no help text, so swift-prometheus writes none for metrics made through its factory,
/// and `promtool check metrics` rejects a metric without one. The help comes from ``MetricHelp/catalog``;
/// a metric missing from it gets a placeholder (the Operations tests check that every metric the sources
/// name is in the catalog).
enum MetricsExposition {
    static func render(_ registry: PrometheusCollectorRegistry) -> [UInt8] {
        let plain = registry.emitToBuffer()
        var output: [UInt8] = []
        output.reserveCapacity(plain.count + plain.count / 4)
        let typePrefix = Array("# TYPE ".utf8)
        let helpPrefix = Array("# HELP ".utf8)
        var previousLineWasHelp = false
        for line in plain.split(separator: UInt8(ascii: "\n")) {
            if line.starts(with: typePrefix), !previousLineWasHelp {
                let name = line.dropFirst(typePrefix.count).prefix { $0 != UInt8(ascii: " ") }
                let help = MetricHelp.text(for: String(decoding: name, as: UTF8.self))
                output += helpPrefix
                output += name
                output.append(UInt8(ascii: " "))
                output += help.utf8
                output.append(UInt8(ascii: "\n"))
            }
            previousLineWasHelp = line.starts(with: helpPrefix)
            output += line
            output.append(UInt8(ascii: "\n"))
        }
        return output
    }
}
