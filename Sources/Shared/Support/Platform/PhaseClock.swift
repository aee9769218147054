// Wall time per named phase of one training iteration (`fit --profile`): the code marks the
// end of each phase as it goes, the fit loop starts the clock at the top of an iteration and
// puts the times into that iteration's log line. No clock, no marks: profiling off costs nothing.

/// The wall time of one phase.
public struct PhaseTime: Sendable, Equatable {
    public var name: String
    public var seconds: Double

    public init(name: String, seconds: Double) {
        self.name = name; self.seconds = seconds
    }
}

/// Phases in the order they first ended; a phase marked twice adds up.
public final class PhaseClock {
    public private(set) var phases: [PhaseTime] = []
    private var last = monotonicSeconds()

    public init() {}

    /// Forgets the phases and starts timing the next one now.
    public func restart() {
        phases.removeAll(keepingCapacity: true)
        last = monotonicSeconds()
    }

    /// Ends phase `name`: the time since the previous mark (or `restart`) is added to it.
    public func mark(_ name: String) {
        let now = monotonicSeconds()
        if let index = phases.firstIndex(where: { $0.name == name }) {
            phases[index].seconds += now - last
        } else {
            phases.append(PhaseTime(name: name, seconds: now - last))
        }
        last = now
    }
}
