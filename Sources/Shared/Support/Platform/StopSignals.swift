// SIGINT and SIGTERM (Ctrl-C; a job scheduler's notice before it kills a job) turned into a
// request that a long loop polls between steps, so that it can finish the step, save what
// it has and exit 128 + signal. The first signal only records itself and restores the
// default action, so a second one ends the process at once.
//
// Signal dispositions belong to the process; this is the one place that sets them. Loops
// never read it directly: commands pass `StopSignals.received` in as a closure.
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public enum StopSignals {
    /// The signals that ask for a stop.
    public static let handled: [Int32] = [SIGINT, SIGTERM]

    /// Starts turning SIGINT and SIGTERM into stop requests.
    public static func install() {
        _ = latest.load(ordering: .relaxed)   // initialise the global before a handler can touch it
        for signalNumber in handled { _ = signal(signalNumber, recordStopSignal) }
    }

    /// The first stop signal received since `install()`, or nil.
    @Sendable public static func received() -> Int32? {
        let value = latest.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// "SIGINT", "SIGTERM" or "signal N".
    public static func name(_ signalNumber: Int32) -> String {
        switch signalNumber {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signalNumber)"
        }
    }

    fileprivate static let latest = Atomic<Int32>(0)
}

/// Async-signal-safe: one atomic store and `signal` calls.
private func recordStopSignal(_ signalNumber: Int32) {
    StopSignals.latest.store(signalNumber, ordering: .relaxed)
    for other in StopSignals.handled { _ = signal(other, SIG_DFL) }
}
