// Collects what is wrong with a config as "key.path: what is wrong" sentences; range checks
// name the key, the documented range and the value found.

/// The problems found so far, in the order the checks ran (public: a later stage's config
/// section adds its own, `DetectorConfigSection`).
public struct ConfigProblems {
    public private(set) var list: [String] = []

    public init() {}

    public var isEmpty: Bool { list.isEmpty }

    public mutating func add(_ message: String) { list.append(message) }

    public mutating func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { list.append(message()) }
    }

    /// "path must be in [1, 2048], got 100000".
    public mutating func within(_ value: Int, _ range: ClosedRange<Int>, _ path: String) {
        require(range.contains(value), "\(path) must be in \(range.configText), got \(value)")
    }

    /// "path must be in (0, 1], got 1.5" (NaN and infinities are never inside).
    public mutating func within(_ value: Double, _ range: ConfigRange, _ path: String) {
        require(range.contains(value), "\(path) must be in \(range), got \(value)")
    }

    /// Every entry of a list in `range`, the list's length in `lengths`.
    public mutating func within(_ values: [Int], lengths: ClosedRange<Int>, each range: ClosedRange<Int>, _ path: String) {
        within(values.count, lengths, "the length of \(path)")
        for (index, value) in values.enumerated() { within(value, range, "\(path)[\(index)]") }
    }

    public mutating func within(_ values: [Double], lengths: ClosedRange<Int>, each range: ConfigRange, _ path: String) {
        within(values.count, lengths, "the length of \(path)")
        for (index, value) in values.enumerated() { within(value, range, "\(path)[\(index)]") }
    }
}
