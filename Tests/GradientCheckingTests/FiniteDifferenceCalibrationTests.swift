// The numeric derivative's bound means what it says: its noise part is a calibrated Student's t
// interval, a kink anywhere in the stencil never fails a right gradient, a float loss's staircase
// is bounded, and a check whose entries cannot be resolved fails instead of passing vacuously.
import XCTest
import SharedSupport
import GradientChecking

final class FiniteDifferenceCalibrationTests: XCTestCase {
    /// The derivative of `f` at `x` (scalar), with the check's step.
    func derivative(at x: Float, _ f: (Float) -> LossValue) -> NumericDerivative? {
        FiniteDifference.derivative(at: x, step: FiniteDifference.steps(inputScale: 1)[0], lossAt: f)
    }

    func testNoiseBoundIsACalibratedStudentTInterval() throws {
        // A line plus Gaussian noise: the slope's error over its standard error is t with 8 degrees
        // of freedom, so 5% of trials exceed 2.306 (binomial sd over 1500 trials: 0.56%) and none
        // should exceed the bound's 13.3 (probability 1e-6 each).
        var random = SeededRandom(seed: 1)
        var beyondFivePercent = 0, beyondBound = 0
        let trials = 1500
        for _ in 0..<trials {
            let numeric = try XCTUnwrap(derivative(at: 0.3) { x in LossValue(0.7 * Double(x) + 1e-4 * Double(random.nextGaussian())) })
            let standardError = numeric.noise / FiniteDifference.noiseQuantile
            let error = abs(numeric.slope - 0.7)
            if error > 2.306 * standardError { beyondFivePercent += 1 }
            if error > numeric.uncertainty { beyondBound += 1 }
        }
        XCTAssertEqual(Double(beyondFivePercent) / Double(trials), 0.05, accuracy: 0.02)
        XCTAssertEqual(beyondBound, 0)
    }

    func testAKinkAnywhereInTheStencilNeverFailsARightGradient() throws {
        // f = 0.8 relu(x - c) + 0.3 x² - 0.2 x in float; the analytic slope takes relu'(0) = 0.
        let step = FiniteDifference.steps(inputScale: 1)[0]
        var resolvedNearKink = 0
        for k in -60...60 {
            let x = Float(0.25 + Double(k) / 50 * step), c: Float = 0.25
            let numeric = try XCTUnwrap(derivative(at: x) { x in LossValue(Double(0.8 * max(x - c, 0) + 0.3 * x * x - 0.2 * x)) })
            let analytic = Double((x > c ? 0.8 : 0) + 0.6 * x - 0.2)
            let difference = abs(numeric.slope - analytic)
            XCTAssertLessThanOrEqual(difference, numeric.uncertainty, "kink at \(Double(c - x) / step) steps: numeric \(numeric.slope), analytic \(analytic)")
            if numeric.uncertainty <= GradientCheck.resolution * abs(analytic) && abs(x - c) < Float(step) { resolvedNearKink += 1 }
        }
        // Within the stencil the kink makes most entries unresolved rather than compared.
        XCTAssertLessThan(resolvedNearKink, 10)
    }

    func testAFloatLossStaircaseIsBoundedNotMistakenForAZeroSlope() throws {
        // 100 + 1e-5 x in float: over the stencil the loss moves by 1% of an ulp of 100 and crosses
        // no rounding boundary at x = 0.5.
        let f = { (x: Float) in Float(100) + Float(1e-5) * x }
        let declared = try XCTUnwrap(derivative(at: 0.5) { LossValue(float: f($0)) })
        XCTAssertLessThanOrEqual(abs(declared.slope - 1e-5), declared.uncertainty)
        XCTAssertGreaterThan(declared.lossRounding, 1e-4, "the slope is below what a float loss of 100 resolves")
        // Declared as an exact Double, the same values would claim a slope of 0 with no noise.
        let undeclared = try XCTUnwrap(derivative(at: 0.5) { LossValue(Double(f($0))) })
        XCTAssertEqual(undeclared.slope, 0)
        XCTAssertGreaterThan(abs(undeclared.slope - 1e-5), undeclared.uncertainty)
    }

    func testACheckWhoseEntriesCannotBeResolvedFails() {
        // A smooth function drowned in noise of 1e-3 per evaluation: nothing resolves to 1%.
        let function = TestLayer(.tanh, inputs: 6, outputs: 5, seed: 9)
        let x: [Float] = [0.1, -0.4, 0.7, 0.2, -0.9, 0.5]
        var random = SeededRandom(seed: 10)
        let vector = ProbedVector(x)
        let report = GradientCheck.run("noisy", probes: [vector.probe(analytic: function.gradient(x))],
                                       options: GradientCheckOptions(entries: 4)) {
            LossValue(function.loss(vector.values).value + 1e-3 * Double(random.nextGaussian()))
        }
        XCTAssertTrue(report.failures.isEmpty)
        XCTAssertEqual(report.underResolved.map(\.name), ["x"])
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.probes[0].entries.count, 6, "every entry tried before giving up")
    }
}
