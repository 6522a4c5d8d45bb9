import Foundation

extension TestWorld {
    /// A `pipelines.yaml` for the real `flowrun` in this world: durable-write on (unless `durableWrite` is
    /// false) reading `stream` (this world's by default) with `claim_idle` `claimIdle`, short timings, the
    /// operations port on any free port, and `shutdown.drain_timeout` set to `drainTimeout` if given,
    /// race-timing on when `raceTiming`, live-broadcast on any free port asking the CMS at `liveCMS` when given.
    /// Written again, it replaces the file (for a reload).
    @discardableResult
    func writeConfigurationFile(
        durableWrite enabled: Bool = true,
        stream: String? = nil,
        claimIdle: String = "1s",
        drainTimeout: String? = nil,
        raceTiming: Bool = false,
        liveCMS: URL? = nil
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
        let live =
            liveCMS.map { cms in
                """

                  live-broadcast:
                    enabled: true
                    stream: \(self.stream)
                    timing_stream: \(self.crossingsStream)
                    port: 0
                    cms_url: \(cms.absoluteString)
                    block: 100ms
                """
            } ?? ""
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
            stream: \(stream ?? self.stream)
            group: \(self.group)
            block: 100ms
            claim_idle: \(claimIdle)
            batch:
              max: 200
              within: 10ms\(timing)\(live)
        """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}
