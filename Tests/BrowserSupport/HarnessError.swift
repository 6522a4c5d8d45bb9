/// A failure of the test or benchmark harness itself (a missing binary, a browser that did not start, a
/// condition never met), with what went wrong in words.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
