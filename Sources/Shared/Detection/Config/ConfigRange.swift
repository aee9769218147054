// A documented range of a config number, as written in messages and in the Config README:
// "[1, 2048]", "(0, 1]". A NaN is in no range.

/// An interval of doubles with open or closed ends.
public struct ConfigRange: Sendable, Equatable, CustomStringConvertible {
    public let lower: Double
    public let upper: Double
    public let excludesLower: Bool
    public let excludesUpper: Bool

    public init(_ lower: Double, _ upper: Double, excludesLower: Bool = false, excludesUpper: Bool = false) {
        precondition(lower <= upper, "empty config range")
        self.lower = lower
        self.upper = upper
        self.excludesLower = excludesLower
        self.excludesUpper = excludesUpper
    }

    /// [lower, upper].
    public static func closed(_ lower: Double, _ upper: Double) -> ConfigRange { ConfigRange(lower, upper) }
    /// (lower, upper].
    public static func aboveZero(to upper: Double) -> ConfigRange { ConfigRange(0, upper, excludesLower: true) }

    /// Whether `value` lies inside (false for NaN).
    public func contains(_ value: Double) -> Bool {
        (excludesLower ? value > lower : value >= lower) && (excludesUpper ? value < upper : value <= upper)
    }

    public var description: String {
        (excludesLower ? "(" : "[") + Self.text(lower) + ", " + Self.text(upper) + (excludesUpper ? ")" : "]")
    }

    /// A bound as people write it: 1000, not 1000.0.
    static func text(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }
}

extension ClosedRange where Bound == Int {
    /// "[1, 2048]", as `ConfigRange` writes its ranges.
    var configText: String { "[\(lowerBound), \(upperBound)]" }
}
