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
do throws(FuzzFailure) {
    let valid = try properties.valid()
    let truncated = try properties.truncated()
    let mutated = try properties.mutated()
    let numbers = try properties.numbers()
    let seconds = (clock.now - start) / .milliseconds(1) / 1000
    say(
        "decoder fuzz: ok, seed \(options.seed): valid \(valid), truncated \(truncated), mutated \(mutated) "
            + "(all as the reference decides), numbers \(numbers), \(String(format: "%.1f", seconds)) s"
    )
} catch {
    say(error.description)
    say("decoder fuzz: FAILED, seed \(options.seed) (rerun: --seed \(options.seed) --inputs \(options.inputs))")
    exit(1)
}
