// flow-benchmark: the Flow library's throughput and memory beside a plain loop doing the same work.
//
//   swift run -c release flow-benchmark [--items N]
//
// Each scenario runs in its own child process so that its peak RSS is its own. The last three compare
// Flow's channel with swift-async-algorithms' MultiProducerSingleConsumerAsyncChannel (ChannelHop.swift).
import Flow
import Foundation

/// The work every scenario does per item and per stage: five different opaque additions.
let steps: [@Sendable (Int) -> Int] = [
    { $0 &+ 1 }, { $0 &* 3 }, { $0 &- 7 }, { $0 ^ 0x5a5a }, { $0 &+ ($0 >> 3) },
]

/// Counts and sums whatever reaches the end of a pipeline, one chunk at a time.
struct Tally<Item: Sendable>: Stage {
    let weight: @Sendable (Item) -> Int
    let result: Result

    final class Result: @unchecked Sendable {
        // Written only by the single task running the Tally stage; read after the pipeline returned.
        var count = 0
        var sum = 0
    }

    func run(_ input: Inbox<Item>, _ output: Outbox<Never>, _ context: StageContext) async throws {
        for try await chunk in input {
            for item in chunk {
                self.result.count += 1
                self.result.sum &+= self.weight(item)
            }
        }
    }
}

struct Measurement {
    var items: Int
    var seconds: Double
    var peakRSSKiB: Int
    var checksum: Int
}

func peakRSSKiB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss)
}

func timed(_ body: () async throws -> (count: Int, sum: Int)) async rethrows -> Measurement {
    let start = ContinuousClock.now
    let (count, sum) = try await body()
    let elapsed = start.duration(to: .now)
    let seconds = elapsed / .seconds(1)
    return Measurement(items: count, seconds: seconds, peakRSSKiB: peakRSSKiB(), checksum: sum)
}

func configuration() -> PipelineConfiguration {
    var configuration = PipelineConfiguration()
    configuration.logger.logLevel = .warning
    return configuration
}

func runScenario(_ name: String, items: Int) async throws -> Measurement {
    switch name {
    case "loop-map":
        return await timed {
            var sum = 0
            for i in 0..<items {
                var x = i
                for step in steps { x = step(x) }
                sum &+= x
            }
            return (items, sum)
        }
    case "flow-map":
        let result = Tally<Int>.Result()
        let pipeline = Pipeline("benchmark-map", configuration: configuration()) {
            Source(0..<items)
            Map { (x: Int) in steps[0](x) }
            Map { (x: Int) in steps[1](x) }
            Map { (x: Int) in steps[2](x) }
            Map { (x: Int) in steps[3](x) }
            Map { (x: Int) in steps[4](x) }
            Tally<Int>(weight: { $0 }, result: result)
        }
        return try await timed {
            try await pipeline.run()
            return (result.count, result.sum)
        }
    case "flow-map-async":
        // The same stages written as async functions: each item pays for an async call per stage.
        let result = Tally<Int>.Result()
        let pipeline = Pipeline("benchmark-map-async", configuration: configuration()) {
            Source(0..<items)
            Map { (x: Int) async in steps[0](x) }
            Map { (x: Int) async in steps[1](x) }
            Map { (x: Int) async in steps[2](x) }
            Map { (x: Int) async in steps[3](x) }
            Map { (x: Int) async in steps[4](x) }
            Tally<Int>(weight: { $0 }, result: result)
        }
        return try await timed {
            try await pipeline.run()
            return (result.count, result.sum)
        }
    case "loop-batch":
        return await timed {
            var batches = 0
            var sum = 0
            var batch: [Int] = []
            batch.reserveCapacity(100)
            for i in 0..<items {
                batch.append(i)
                if batch.count == 100 {
                    sum &+= batch.count
                    batches += 1
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { sum &+= batch.count }
            return (items, sum)
        }
    case "flow-batch":
        let result = Tally<[Int]>.Result()
        let pipeline = Pipeline("benchmark-batch", configuration: configuration()) {
            Source(0..<items)
            Batch<Int>(max: 100, within: .milliseconds(10))
            Tally<[Int]>(weight: { $0.count }, result: result)
        }
        return try await timed {
            try await pipeline.run()
            return (result.sum, result.sum)
        }
    case "flow-batch-buffered":
        // The same, with the batches' channel stated as 1,024 batches (a batch weighs its count).
        let result = Tally<[Int]>.Result()
        let pipeline = Pipeline("benchmark-batch-buffered", configuration: configuration()) {
            Source(0..<items)
            Batch<Int>(max: 100, within: .milliseconds(10))
            Tally<[Int]>(weight: { $0.count }, result: result)
                .buffer(.watermark(low: 51_200, high: 102_400, maxChunk: 25_600))
        }
        return try await timed {
            try await pipeline.run()
            return (result.sum, result.sum)
        }
    case "hop-flow":
        return try await flowChannelHop(items: items)
    case "hop-mpsc-items":
        return try await asyncAlgorithmsItemHop(items: items)
    case "hop-mpsc-chunks":
        return try await asyncAlgorithmsChunkHop(items: items)
    default:
        throw BenchmarkError("unknown scenario '\(name)'")
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func runChild(_ scenario: String, items: Int) throws -> Measurement {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }
    process.arguments = ["--scenario", scenario, "--items", String(items)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
    guard process.terminationStatus == 0, fields.count == 4,
        let count = Int(fields[0]), let seconds = Double(fields[1]), let rss = Int(fields[2]),
        let checksum = Int(fields[3])
    else {
        throw BenchmarkError("scenario \(scenario) failed (status \(process.terminationStatus)): \(fields)")
    }
    return Measurement(items: count, seconds: seconds, peakRSSKiB: rss, checksum: checksum)
}

func grouped(_ value: Double) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.maximumFractionDigits = 0
    return formatter.string(from: NSNumber(value: value)) ?? String(Int(value))
}

func report(_ label: String, _ m: Measurement) {
    let rate = Double(m.items) / m.seconds
    let line =
        label.padding(toLength: 38, withPad: " ", startingAt: 0)
        + grouped(rate).leftPad(14) + " items/s"
        + String(format: "%9.2f ns/item", m.seconds * 1e9 / Double(m.items))
        + String(format: "%9.1f MB peak RSS", Double(m.peakRSSKiB) / 1024)
    print(line)
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
var items = 10_000_000
var scenario: String?
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    switch flag {
    case "--items":
        guard let value = arguments.first.flatMap(Int.init), value > 0 else {
            FileHandle.standardError.write(Data("flow-benchmark: --items needs a positive whole number\n".utf8))
            exit(2)
        }
        items = value
        arguments.removeFirst()
    case "--scenario":
        scenario = arguments.isEmpty ? nil : arguments.removeFirst()
    case "-h", "--help":
        print(
            """
            USAGE: flow-benchmark [--items N]

            Pushes N integers (default 10,000,000) through Flow pipelines and through a plain loop
            doing the same work in the same run, and prints items/s, ns per item, peak RSS, and the
            ratio between them. Then moves N integers across one channel, Flow's and
            swift-async-algorithms' MultiProducerSingleConsumerAsyncChannel (items, and chunks of
            256 as Flow sends them), with the same bounds, and prints how their rates compare.
            Build in release mode:

              swift run -c release flow-benchmark --items 10000000
            """
        )
        exit(0)
    default:
        FileHandle.standardError.write(Data("flow-benchmark: unknown option '\(flag)' (see --help)\n".utf8))
        exit(2)
    }
}

if let scenario {
    let m = try await runScenario(scenario, items: items)
    print(m.items, m.seconds, m.peakRSSKiB, m.checksum)
    exit(0)
}

print("flow-benchmark: \(grouped(Double(items))) items, \(ProcessInfo.processInfo.activeProcessorCount) cores")
let loopMap = try runChild("loop-map", items: items)
let flowMap = try runChild("flow-map", items: items)
let flowMapAsync = try runChild("flow-map-async", items: items)
report("plain loop, 5 steps", loopMap)
report("Flow, 5 Map stages", flowMap)
report("Flow, 5 Map stages, async closures", flowMapAsync)
for (name, m) in [("flow-map", flowMap), ("flow-map-async", flowMapAsync)]
where m.checksum != loopMap.checksum || m.items != items {
    print("MISMATCH: \(name) produced \(m.items) items, checksum \(m.checksum) vs \(loopMap.checksum)")
    exit(1)
}
print(String(format: "  Flow runs at %.3f× the plain loop's rate (5 stages)", loopMap.seconds / flowMap.seconds))
print(String(format: "  with async closures: %.3f×", loopMap.seconds / flowMapAsync.seconds))
let loopBatch = try runChild("loop-batch", items: items)
let flowBatch = try runChild("flow-batch", items: items)
let flowBatchBuffered = try runChild("flow-batch-buffered", items: items)
report("plain loop, batches of 100", loopBatch)
report("Flow, Batch(max: 100, within: 10ms)", flowBatch)
report("  the same, 1,024 batches buffered", flowBatchBuffered)
for m in [flowBatch, flowBatchBuffered] where m.items != items {
    print("MISMATCH: a batch scenario delivered \(m.items) of \(items) items in batches")
    exit(1)
}
print(String(format: "  Flow runs at %.3f× the plain loop's rate (batch)", loopBatch.seconds / flowBatch.seconds))
let hops = [
    ("Flow's channel, one hop", try runChild("hop-flow", items: items)),
    ("MPSC channel, one hop, items", try runChild("hop-mpsc-items", items: items)),
    ("MPSC channel, one hop, chunks of 256", try runChild("hop-mpsc-chunks", items: items)),
]
let expectedSum = (0..<items).reduce(0, &+)
for (label, m) in hops {
    report(label, m)
    if m.items != items || m.checksum != expectedSum {
        print("MISMATCH: \(label) moved \(m.items) items, checksum \(m.checksum) vs \(expectedSum)")
        exit(1)
    }
}
print(
    String(
        format: "  Flow's channel moves items at %.2f× MPSC's rate with items, %.2f× with chunks",
        hops[1].1.seconds / hops[0].1.seconds,
        hops[2].1.seconds / hops[0].1.seconds
    )
)
