// The documented range of an integer command-line option, checked in `validate()`: a value
// outside it (one near Int.max included) is a usage error (exit 64) before any arithmetic
// on it can overflow. `--help` states each range; README.md ("The tools") lists them.
import ArgumentParser

public struct OptionRange: Sendable, CustomStringConvertible {
    public let bounds: ClosedRange<Int>

    public init(_ bounds: ClosedRange<Int>) { self.bounds = bounds }

    /// "1-1024", as `--help` shows it.
    public var description: String { "\(bounds.lowerBound)-\(bounds.upperBound)" }

    /// Throws "OPTION must be at least L (got V)" or "... at most U (got V)".
    public func check(_ value: Int, option: String) throws {
        if value < bounds.lowerBound { throw ValidationError("\(option) must be at least \(bounds.lowerBound) (got \(value))") }
        if value > bounds.upperBound { throw ValidationError("\(option) must be at most \(bounds.upperBound) (got \(value))") }
    }

    /// The same check for an optional value (absent: nothing to check).
    public func check(_ value: Int?, option: String) throws {
        if let value { try check(value, option: option) }
    }
}
