import Foundation

// The decoder's fuzz test (issue 13): scripts/fuzz-decoder.sh compiles this program together with the
// decoder's sources (one module, so internal API is visible), under AddressSanitizer, and runs it.
//
//   decoder-fuzz [--inputs N] [--seed S]
//
// Exit status 0 when every property held for every input, 1 with the failing input printed, 2 for a usage
// error.

/// Writes `line` to standard output at once (not buffered: a crash must not swallow the seed).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let options: FuzzOptions
do {
    options = try FuzzOptions(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("decoder-fuzz: \(error.message)\n\(FuzzOptions.usage)\n".utf8))
    exit(2)
}
say("decoder fuzz: seed \(options.seed), \(options.inputs) inputs per property (rerun: --seed \(options.seed))")
CrashReport.install(seed: options.seed)
let properties = DecoderProperties(inputs: options.inputs, seed: options.seed)
let clock = ContinuousClock()
let start = clock.now

/// The seconds since `start`, one decimal.
func seconds(since start: ContinuousClock.Instant) -> String {
    String(format: "%.1f", (clock.now - start) / .milliseconds(1) / 1000)
}

/// `tally` of the property `run` and the seconds it took.
func timed(_ run: () throws(FuzzFailure) -> DecoderProperties.Tally) throws(FuzzFailure) -> String {
    let start = clock.now
    let tally = try run()
    return "\(tally) in \(seconds(since: start)) s"
}

do throws(FuzzFailure) {
    let valid = try timed(properties.valid)
    let truncated = try timed(properties.truncated)
    var rules: [String: Int] = [:]
    let mutated = try timed { () throws(FuzzFailure) in try properties.mutated(rules: &rules) }
    let ruleCounts = rules.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    let numbers = try timed(properties.numbers)
    say(
        "decoder fuzz: ok, seed \(options.seed): valid \(valid); truncated \(truncated); mutated \(mutated), "
            + "each as the reference decides (its rules applied: \(ruleCounts)); numbers \(numbers); \(seconds(since: start)) s in all"
    )
} catch {
    say(error.description)
    say("decoder fuzz: FAILED, seed \(options.seed) (rerun: --seed \(options.seed) --inputs \(options.inputs))")
    exit(1)
}
