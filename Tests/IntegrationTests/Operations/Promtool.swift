import Foundation

/// `promtool check metrics` (Debian package `prometheus`, which scripts/setup.sh installs) on a scrape.
enum Promtool {
    /// Runs it on `exposition`; returns its exit status and output. Throws when promtool is not installed:
    /// a missing checker fails the test rather than skipping the check.
    static func checkMetrics(_ exposition: String) async throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory
        let name = "flowrun-promtool-\(UUID().uuidString.prefix(8))"
        let input = directory.appendingPathComponent(name + ".prom").path
        let output = directory.appendingPathComponent(name + ".out").path
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: output)
        }
        try exposition.write(toFile: input, atomically: true, encoding: .utf8)
        // promtool reads the metrics from standard input.
        let script = "command -v promtool >/dev/null || exit 127; exec promtool check metrics < \"$0\""
        let status = try await ChildProcess("/bin/sh", ["-c", script, input], outputFile: output).exitStatus()
        if status == 127 {
            throw HarnessError(
                "promtool is not installed: run scripts/setup.sh (promtool comes with Debian's `prometheus` package)"
            )
        }
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}
