// Monotonic wall-clock time for rates, ETAs and benchmarks.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds on the monotonic clock (arbitrary origin).
public func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

/// Measures elapsed wall time since it was started.
public struct Stopwatch: Sendable {
    public private(set) var start: Double
    public init() { start = monotonicSeconds() }
    public var elapsed: Double { monotonicSeconds() - start }
    public mutating func restart() { start = monotonicSeconds() }
}
