/// The durable-write settings a run gives flowrun; nil: flowrun's own default (pipelines.yaml documents
/// them), as an operator gets it.
struct FlowrunSettings {
    var writers: Int?
    var batch: Int?
    var readCount: Int?

    /// The durable-write pipeline's section, reading `stream` in group `bench`.
    func pipelines(stream: String) -> String {
        var settings = ""
        if let writers { settings += "\n    writers: \(writers)" }
        if let readCount { settings += "\n    read_count: \(readCount)" }
        if let batch { settings += "\n    batch:\n      max: \(batch)" }
        return """
              durable-write:
                stream: \(stream)
                group: bench\(settings)
            """
    }

    /// "flowrun settings: its defaults [except …]".
    var description: String {
        let overrides = [("writers", self.writers), ("batch.max", self.batch), ("read_count", self.readCount)]
            .compactMap { name, value in value.map { "\(name) \($0)" } }
        return "flowrun settings: its defaults"
            + (overrides.isEmpty ? "" : " except " + overrides.joined(separator: ", "))
    }
}
