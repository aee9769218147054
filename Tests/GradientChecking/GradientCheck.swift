// The gradient check: for each probe, sampled entries' numeric derivatives against the analytic
// gradient, within a bound made of the measured numeric uncertainty and the analytic rounding.
import SharedSupport

/// How many entries a check compares and how it draws them.
public struct GradientCheckOptions {
    /// Resolved entries wanted per probe (all entries of a smaller probe are tried).
    public var entries: Int
    public var seed: UInt64

    public init(entries: Int = 8, seed: UInt64 = 7) {
        precondition(entries > 0, "a check compares at least one entry")
        self.entries = entries
        self.seed = seed
    }
}

/// One compared (or unresolved) entry.
public struct EntryCheck {
    public let probe: String
    public let index: Int
    public let analytic: Double
    /// Nil when the step is below the float spacing of the entry's value.
    public let numeric: NumericDerivative?
    /// Float32 rounding the analytic value may carry.
    public let analyticBound: Double
    /// Whether the numeric derivative is known well enough to count (see `GradientCheck.resolution`).
    public let resolved: Bool

    public var difference: Double { numeric.map { Swift.abs($0.slope - analytic) } ?? .infinity }
    public var bound: Double { (numeric?.uncertainty ?? .infinity) + analyticBound }
    public var passed: Bool { !resolved || difference <= bound }

    public var description: String {
        guard let numeric else { return "\(probe)[\(index)]: step below the float spacing of the value" }
        return "\(probe)[\(index)]: numeric \(numeric.slope), analytic \(analytic), difference \(difference) vs bound \(bound)"
            + " = noise \(numeric.noise) + kink \(numeric.kink) + loss rounding \(numeric.lossRounding)"
            + " + analytic rounding \(analyticBound) (step \(numeric.step), cubic truncation removed \(numeric.truncation))"
    }
}

/// The entries tried for one probe.
public struct ProbeReport {
    public let name: String
    /// Root mean square of the probe's analytic gradient: the derivative's scale.
    public let scale: Double
    public let entries: [EntryCheck]
    public let required: Int
    public var resolvedCount: Int { entries.filter(\.resolved).count }
}

public struct GradientCheckReport {
    public let label: String
    public let probes: [ProbeReport]

    public var failures: [EntryCheck] { probes.flatMap(\.entries).filter { !$0.passed } }
    public var underResolved: [ProbeReport] { probes.filter { $0.resolvedCount < $0.required } }
    public var passed: Bool { failures.isEmpty && underResolved.isEmpty }
}

public enum GradientCheck {
    /// An entry is resolved when its numeric uncertainty is at most 1% of the probe's gradient
    /// scale: a resolved entry's bound then catches an analytic error of 1% of the scale.
    public static let resolution = 0.01

    /// Float32 rounding of an analytic gradient, relative to max(|value|, probe scale). A backward
    /// sum here has n ≤ 10^4 products (the largest: a weight gradient over a batch's positions,
    /// a group's moments); recursive summation of random-sign terms errs by u·sqrt(n/6) ≈ 41u of
    /// the sum's typical size (one standard deviation, u = 2^-24); up to 16 chained layers add in
    /// quadrature (x4) and four standard deviations cover the tail: 656u < 2^10 u.
    public static let analyticRelativeRounding = 0x1p10 * 0x1p-24

    /// Compares sampled entries of every probe: per probe, random entries are tried until
    /// `options.entries` are resolved, at most 10x that many; fewer resolved (half the entries of a
    /// small probe) fails. With 2 wanted, a probe of which a third of the entries can be resolved
    /// (the worst here: the mask head's conv1 weight, whose loss crosses ReLU kinks densely) fails
    /// with probability (2/3)^20 + 20 (1/3) (2/3)^19 < 0.4%. `loss` evaluates the loss at the probes'
    /// current values; the check perturbs one entry at a time and restores it.
    public static func run(_ label: String, probes: [GradientProbe], options: GradientCheckOptions = GradientCheckOptions(),
                           loss: () -> LossValue) -> GradientCheckReport {
        var random = SeededRandom(seed: options.seed)
        let centre = loss()
        let reports = probes.map { probe -> ProbeReport in
            let scale = (probe.analytic.reduce(0.0) { $0 + $1 * $1 } / Double(max(probe.count, 1))).squareRoot()
            var entries: [EntryCheck] = []
            let order = sampleOrder(count: probe.count, attempts: min(probe.count, 10 * options.entries), random: &random)
            for index in order where entries.filter(\.resolved).count < options.entries {
                entries.append(check(index, of: probe, scale: scale, centre: centre, loss: loss))
            }
            return ProbeReport(name: probe.name, scale: scale, entries: entries, required: min(options.entries, (probe.count + 1) / 2))
        }
        return GradientCheckReport(label: label, probes: reports)
    }

    /// One entry: the steps in order until one resolves the derivative (the last tried otherwise),
    /// compared with the analytic value there.
    static func check(_ index: Int, of probe: GradientProbe, scale: Double, centre: LossValue,
                      loss: () -> LossValue) -> EntryCheck {
        let original = probe.read(index)
        defer { probe.write(index, original) }
        // Loss values by perturbed value: the centre, and the points that the steps share.
        var known: [Float: LossValue] = [original: centre]
        func lossAt(_ value: Float) -> LossValue {
            if let result = known[value] { return result }
            probe.write(index, value)
            let result = loss()
            known[value] = result
            return result
        }
        let analytic = probe.analytic[index]
        let analyticBound = analyticRelativeRounding * max(Swift.abs(analytic), scale) + probe.analyticRounding[index]
        var entry: EntryCheck?
        for step in FiniteDifference.steps(inputScale: probe.inputScale) where !(entry?.resolved ?? false) {
            let numeric = FiniteDifference.derivative(at: original, step: step, lossAt: lossAt)
            entry = EntryCheck(probe: probe.name, index: index, analytic: analytic, numeric: numeric, analyticBound: analyticBound,
                               resolved: numeric.map { $0.uncertainty <= resolution * scale } ?? false)
        }
        return entry!
    }

    /// Distinct random entries.
    static func sampleOrder(count: Int, attempts: Int, random: inout SeededRandom) -> [Int] {
        var order: [Int] = [], seen = Set<Int>()
        while order.count < attempts {
            let index = random.nextInt(below: count)
            if seen.insert(index).inserted { order.append(index) }
        }
        return order
    }
}
