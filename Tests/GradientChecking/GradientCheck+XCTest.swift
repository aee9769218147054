// The gradient check as test assertions: every entry over its bound and every probe with too
// few resolved entries fails the test, with numbers enough to investigate on a new CPU.
import XCTest

extension GradientCheckReport {
    public func assertPassed(file: StaticString = #filePath, line: UInt = #line) {
        for failure in failures { XCTFail("\(label): \(failure.description)", file: file, line: line) }
        for probe in underResolved {
            let unresolved = probe.entries.filter { !$0.resolved }.prefix(3).map(\.description).joined(separator: "; ")
            XCTFail("\(label): \(probe.name): \(probe.resolvedCount) of \(probe.entries.count) entries resolved, \(probe.required) needed"
                    + " (numeric uncertainty above \(GradientCheck.resolution) x gradient scale \(probe.scale)); e.g. \(unresolved)",
                    file: file, line: line)
        }
        XCTAssertFalse(probes.isEmpty, "\(label): nothing checked", file: file, line: line)
    }
}

/// Runs the check and asserts it passed.
public func assertGradients(_ label: String, probes: [GradientProbe], options: GradientCheckOptions = GradientCheckOptions(),
                            loss: () -> LossValue, file: StaticString = #filePath, line: UInt = #line) {
    GradientCheck.run(label, probes: probes, options: options, loss: loss).assertPassed(file: file, line: line)
}

/// The check of a function of one float vector: `analytic` is its gradient at `point`, `loss`
/// evaluates it at a perturbed copy.
public func assertGradient(_ label: String, at point: [Float], analytic: [Double], analyticRounding: [Double]? = nil,
                           inputScale: Double = 1, options: GradientCheckOptions = GradientCheckOptions(),
                           loss: ([Float]) -> LossValue, file: StaticString = #filePath, line: UInt = #line) {
    let vector = ProbedVector(point)
    let probe = vector.probe(analytic: analytic, analyticRounding: analyticRounding, inputScale: inputScale)
    assertGradients(label, probes: [probe], options: options, loss: { loss(vector.values) }, file: file, line: line)
}
