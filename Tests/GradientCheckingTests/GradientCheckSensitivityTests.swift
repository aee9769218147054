// The checker catches wrong gradients and passes right ones: on a smooth function, on one
// with kinks (ReLU units), and on an exactly linear one, where only float rounding is allowed.
import XCTest
import SharedSupport
import GradientChecking

final class GradientCheckSensitivityTests: XCTestCase {
    func check(_ function: TestLayer, at x: [Float], analytic: [Double]) -> GradientCheckReport {
        let vector = ProbedVector(x)
        return GradientCheck.run("test", probes: [vector.probe(analytic: analytic)], options: GradientCheckOptions(entries: x.count)) {
            function.loss(vector.values)
        }
    }

    func randomPoint(_ count: Int, seed: UInt64) -> [Float] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in random.nextFloat() * 2 - 1 }
    }

    func testSmoothFunctionRightGradientPassesWrongOnesAreCaught() {
        let function = TestLayer(.tanh, inputs: 12, outputs: 20, seed: 1)
        let x = randomPoint(12, seed: 2)
        let gradient = function.gradient(x)
        let right = check(function, at: x, analytic: gradient)
        XCTAssertTrue(right.passed, right.failures.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(right.probes[0].resolvedCount, 12, "a smooth function resolves every entry")

        let scaled = check(function, at: x, analytic: gradient.map { $0 * 1.02 })
        XCTAssertGreaterThan(scaled.failures.count, 6, "2% too large is caught at most entries")

        let largest = gradient.indices.max { abs(gradient[$0]) < abs(gradient[$1]) }!
        var oneOff = gradient
        oneOff[largest] *= 1.01
        XCTAssertEqual(check(function, at: x, analytic: oneOff).failures.map(\.index), [largest], "one entry 1% off")
    }

    func testKinkedFunctionRightGradientPassesWrongOnesAreCaught() {
        // A ReLU layer (16 units over 10 inputs) plus slope breaks of size 1 at distances 0, 1/3, 2/3
        // and 1 step from the first four inputs (the rest far away).
        let layer = TestLayer(.relu, inputs: 10, outputs: 16, seed: 3)
        let x = randomPoint(10, seed: 4)
        let step = Float(FiniteDifference.steps(inputScale: 1)[0])
        let kinks = x.indices.map { j in j < 4 ? x[j] + Float(j) * step / 3 : 5 }
        let function = KinkedFunction(layer: layer, slopes: [Float](repeating: 1, count: 10), kinks: kinks)
        let vector = ProbedVector(x)
        func check(_ analytic: [Double]) -> GradientCheckReport {
            GradientCheck.run("kinked", probes: [vector.probe(analytic: analytic)], options: GradientCheckOptions(entries: 10)) {
                function.loss(vector.values)
            }
        }
        let gradient = function.gradient(x)
        let right = check(gradient)
        XCTAssertTrue(right.passed, right.failures.map(\.description).joined(separator: "\n"))
        // Unresolved entries are those with a kink of their own or of a unit within the stencil.
        let z = layer.preActivations(x)
        let kinked = Set(x.indices.filter { j in j < 4 || z.indices.contains { abs(z[$0]) <= abs(layer.weights[$0][j]) * step } })
        let unresolved = Set(right.probes[0].entries.filter { !$0.resolved }.map(\.index))
        XCTAssertTrue(unresolved.isSubset(of: kinked), "unresolved \(unresolved.sorted()), kinked \(kinked.sorted())")
        XCTAssertTrue(unresolved.contains(0), "a kink at the entry itself is not compared")

        let scaled = check(gradient.map { $0 * 1.02 })
        XCTAssertGreaterThanOrEqual(scaled.failures.count, 3, "2% too large is caught at the resolved entries")
    }

    func testExactlyLinearFunctionAllowsOnlyFloatRoundingOfTheAnalyticGradient() {
        // loss = Σ r x in Double: the numeric slope is r up to Double rounding.
        let r = randomPoint(10, seed: 5).map { $0 < 0 ? $0 / 2 - 0.5 : $0 / 2 + 0.5 }   // |r| in [0.5, 1]
        let x = randomPoint(10, seed: 6)
        func check(_ analytic: [Double]) -> GradientCheckReport {
            let vector = ProbedVector(x)
            return GradientCheck.run("linear", probes: [vector.probe(analytic: analytic)], options: GradientCheckOptions(entries: 10)) {
                LossValue(zip(vector.values, r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) })
            }
        }
        XCTAssertTrue(check(r.map(Double.init)).passed)
        XCTAssertEqual(check(r.map { Double($0) * (1 + 1e-4) }).failures.count, 10, "1e-4 relative is beyond float rounding")
    }
}
