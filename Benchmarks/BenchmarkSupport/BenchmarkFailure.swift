import Foundation

/// Why a benchmark stopped: printed as it is, exit 1.
public struct BenchmarkFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `value` rounded to a whole number, with the locale's thousands separators.
public func grouped(_ value: Double) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.maximumFractionDigits = 0
    return formatter.string(from: NSNumber(value: value)) ?? String(Int(value))
}
