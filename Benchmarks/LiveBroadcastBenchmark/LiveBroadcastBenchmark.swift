// live-broadcast-benchmark: the real flowrun between a Redis stream and a thousand WebSocket clients, on one
// machine, measured against the goals (latency, loss, CPU per delivery, memory, backlog).
//
//   scripts/benchmark-live.sh [--clients C] [--events E] [--devices D] [--rate R] [--duration S]
//   scripts/benchmark-live.sh --browser     (the live map page too, in headless chromium: see --help)
import Foundation

@main
enum LiveBroadcastBenchmark {
    static func main() async {
        let run: BenchmarkRun
        do {
            guard let options = try BenchmarkOptions.parse(Array(CommandLine.arguments.dropFirst())) else {
                print(BenchmarkOptions.usage)
                return
            }
            run = BenchmarkRun(
                options: options,
                environment: try .init(ProcessInfo.processInfo.environment, script: "scripts/benchmark-live.sh")
            )
        } catch {
            fail(error)
        }
        do {
            let report = try await run.run()
            report.print()
            report.browser?.print(beside: report)
            await run.tearDown()
        } catch {
            await run.tearDown()
            fail(error)
        }
    }

    static func fail(_ error: any Error) -> Never {
        FileHandle.standardError.write(Data("live-broadcast-benchmark: error: \(error)\n".utf8))
        exit(1)
    }
}
