/// The fuzz program's command line: `[--inputs N] [--seed S]`.
struct FuzzOptions {
    /// How many inputs each property runs (at least).
    var inputs = 100_000
    /// The seed of every random choice; a run is reproduced by passing the seed it printed.
    var seed: UInt64

    static let usage = "usage: decoder-fuzz [--inputs N] [--seed S]"

    /// The options in `arguments` (without the program name), or why they are not valid.
    init(_ arguments: [String]) throws(UsageError) {
        var generator = SystemRandomNumberGenerator()
        self.seed = generator.next()
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            guard let value = remaining.popFirst() else { throw UsageError("\(flag) needs a value") }
            switch flag {
            case "--inputs":
                guard let inputs = Int(value), inputs > 0 else { throw UsageError("--inputs: not a count: \(value)") }
                self.inputs = inputs
            case "--seed":
                guard let seed = UInt64(value) else { throw UsageError("--seed: not a 64-bit number: \(value)") }
                self.seed = seed
            default:
                throw UsageError("unknown option \(flag)")
            }
        }
    }

    struct UsageError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
