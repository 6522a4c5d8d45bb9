import Foundation

extension TestWorld {
    /// A `pipelines.yaml` for the real `flowrun` in this world: durable-write on (unless `durableWrite` is
    /// false), short timings, the operations port on any free port, and `shutdown.drain_timeout` set to
    /// `drainTimeout` if given, race-timing on when `raceTiming`. Written again, it replaces the file (for a reload).
    @discardableResult
    func writeConfigurationFile(
        durableWrite enabled: Bool = true,
        drainTimeout: String? = nil,
        raceTiming: Bool = false
    ) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("flowrun-\(self.database).yaml")
        let shutdown = drainTimeout.map { "shutdown:\n  drain_timeout: \($0)\n" } ?? ""
        let timing =
            raceTiming
            ? """

              race-timing:
                stream: \(self.stream)
                crossings_stream: \(self.crossingsStream)
                block: 100ms
                claim_idle: 1s
            """ : ""
        try """
        instance: ${INSTANCE_ID:-process-test}
        http:
          port: 0
        redis:
          url: \(self.servers.redisURL)
        postgres:
          url: \(self.databaseURL)
        \(shutdown)pipelines:
          durable-write:
            enabled: \(enabled)
            stream: \(self.stream)
            group: \(self.group)
            block: 100ms
            claim_idle: 1s
            batch:
              max: 200
              within: 10ms\(timing)
        """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}
