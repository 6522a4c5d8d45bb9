import Foundation

/// Prints the input being decoded when the process dies of it: an AddressSanitizer report (through ASan's
/// death callback, found at run time so the program also runs without ASan) or a Swift runtime trap (SIGILL
/// or SIGTRAP). Without it a crash would name the seed but not the input.
///
/// - Important: The state is global and unsynchronized: the program is single-threaded, and the state is
///   only read on the way to dying.
enum CrashReport {
    nonisolated(unsafe) static var seed: UInt64 = 0
    nonisolated(unsafe) static var property = ""
    nonisolated(unsafe) static var deviceID: [UInt8] = []
    nonisolated(unsafe) static var payload: [UInt8] = []

    static func install(seed: UInt64) {
        Self.seed = seed
        typealias SetDeathCallback = @convention(c) (@convention(c) () -> Void) -> Void
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_set_death_callback") {
            let setDeathCallback = unsafeBitCast(symbol, to: SetDeathCallback.self)
            setDeathCallback { CrashReport.printInput() }
        }
        for signalNumber in [SIGILL, SIGTRAP] {
            signal(signalNumber) { number in
                CrashReport.printInput()
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    /// Remembers the input about to be decoded.
    static func record(_ property: String, deviceID: [UInt8], payload: [UInt8]) {
        Self.property = property
        Self.deviceID = deviceID
        Self.payload = payload
    }

    static func printInput() {
        let failure = FuzzFailure(
            property: Self.property,
            message: "the process died decoding this input (seed \(Self.seed))",
            deviceID: Self.deviceID,
            payload: Self.payload
        )
        FileHandle.standardError.write(Data((failure.description + "\n").utf8))
    }
}
