// Equilibrium loss: torch goldens (cross_entropy on z + log s with weights and an average
// factor, and its gradient), the pairwise-margin form, plain CE when all s are equal, a
// finite-difference gradient check (GradientChecking), and backward accumulating into dLogits.
import XCTest
import Foundation
@testable import SharedLongTail
import SharedSupport
import GradientChecking

final class EquilibriumLossTests: XCTestCase {
    func testMatchesTorchCrossEntropyOnAdjustedLogits() throws {
        let fixture = try Fixture.load("equilibrium_loss.json")
        let logits = Fixture.floats(fixture["logits"]), labels = Fixture.ints(fixture["labels"])
        let s = Fixture.floats(fixture["meanScores"]), weights = Fixture.floats(fixture["weights"])
        let averageFactor = Float(Fixture.double(fixture["averageFactor"]))
        let forward = equilibriumLossForward(logits: logits, labels: labels, logMeanScores: s.map { log($0) },
                                             weights: weights, averageFactor: averageFactor)
        XCTAssertEqual(Double(forward.loss), Fixture.double(fixture["loss"]), accuracy: 1e-5)
        assertClose(forward.perSample, Fixture.floats(fixture["perSample"]), absolute: 1e-5, relative: 1e-5)
        var dLogits = [Float](repeating: 0, count: logits.count)
        equilibriumLossBackward(dLogits: &dLogits, saved: forward.saved, labels: labels, weights: weights, averageFactor: averageFactor)
        assertClose(dLogits, Fixture.floats(fixture["dLogits"]), absolute: 1e-6, relative: 1e-5)
    }

    func randomProblem(seed: UInt64, n: Int = 9, k: Int = 6) -> (logits: [Float], labels: [Int], s: [Float]) {
        var random = SeededRandom(seed: seed)
        let logits = (0..<(n * k)).map { _ in 2 * random.nextGaussian() }
        let labels = (0..<n).map { _ in random.nextInt(below: k) }
        let s = (0..<k).map { _ in 0.001 + 0.9 * random.nextFloat() }
        return (logits, labels, s)
    }

    func testEqualsCEOnAdjustedLogitsAndThePairwiseMarginForm() {
        let (logits, labels, s) = randomProblem(seed: 1)
        let k = s.count
        let forward = equilibriumLossForward(logits: logits, labels: labels, logMeanScores: s.map { log($0) }, averageFactor: 1)
        for (i, label) in labels.enumerated() {
            let row = Array(logits[(i * k)..<((i + 1) * k)])
            // Naive CE in Double on z + log s.
            let adjusted = zip(row, s).map { Double($0) + log(Double($1)) }
            let naive = log(adjusted.map { exp($0) }.reduce(0, +)) - adjusted[label]
            XCTAssertEqual(Double(forward.perSample[i]), naive, accuracy: 1e-5)
            XCTAssertEqual(Double(forward.perSample[i]), equilibriumLossPairwise(logits: row, label: label, meanScores: s), accuracy: 1e-5)
        }
        XCTAssertEqual(Double(forward.loss), forward.perSample.map(Double.init).reduce(0, +), accuracy: 1e-4)
    }

    func testAllEqualScoresGivePlainCrossEntropy() {
        let (logits, labels, _) = randomProblem(seed: 2)
        let k = 6
        let equal = equilibriumLossForward(logits: logits, labels: labels, logMeanScores: Array(repeating: log(0.37), count: k), averageFactor: 4)
        let plain = equilibriumLossForward(logits: logits, labels: labels, logMeanScores: Array(repeating: 0, count: k), averageFactor: 4)
        XCTAssertEqual(equal.loss, plain.loss, accuracy: 1e-5)
        assertClose(equal.saved.adjustedProbabilities, plain.saved.adjustedProbabilities, absolute: 1e-6)
    }

    func testMarginsPushWeakTrueClassesHarder() {
        // Same logits, true class weak vs strong competitor: the loss is larger than plain CE.
        let logits: [Float] = [1, 1, 0]
        let weakTrue = equilibriumLossPairwise(logits: logits, label: 0, meanScores: [0.01, 0.5, 0.01])
        let plain = equilibriumLossPairwise(logits: logits, label: 0, meanScores: [0.3, 0.3, 0.3])
        let strongTrue = equilibriumLossPairwise(logits: logits, label: 1, meanScores: [0.01, 0.5, 0.01])
        XCTAssertGreaterThan(weakTrue, plain)
        XCTAssertLessThan(strongTrue, plain)
    }

    func testGradientByCentralDifferences() {
        let (logits, labels, s) = randomProblem(seed: 3, n: 5, k: 4)
        let logS = s.map { log($0) }
        var random = SeededRandom(seed: 33)
        let weights = labels.map { _ in 0.25 + random.nextFloat() }
        let averageFactor: Float = 3.5
        let forward = equilibriumLossForward(logits: logits, labels: labels, logMeanScores: logS, weights: weights, averageFactor: averageFactor)
        // Backward adds: start from a non-zero buffer and check the difference.
        var dLogits = [Float](repeating: 0.5, count: logits.count)
        equilibriumLossBackward(dLogits: &dLogits, saved: forward.saved, labels: labels, weights: weights,
                                averageFactor: averageFactor, dLoss: 2)
        // A double-precision forward for the finite differences: the check then measures the analytic
        // float gradient against an almost exact derivative.
        func loss(_ z: [Float]) -> Double {
            var total = 0.0
            for (i, label) in labels.enumerated() {
                let a = (0..<4).map { Double(z[i * 4 + $0]) + Double(logS[$0]) }
                let m = a.max()!
                total += Double(weights[i]) * (log(a.map { exp($0 - m) }.reduce(0, +)) + m - a[label])
            }
            return 2 * total / Double(averageFactor)
        }
        // dLogits = 0.5 + the added gradient; storing the sum rounds by half an ulp.
        assertGradient("equilibrium loss", at: logits, analytic: dLogits.map { Double($0) - 0.5 },
                       analyticRounding: dLogits.map { Double($0.ulp) / 2 },
                       options: GradientCheckOptions(entries: logits.count)) { LossValue(loss($0)) }
        // Zero weights contribute nothing; the average factor helper counts positive weights.
        XCTAssertEqual(classificationAverageFactor(weights: [1, 0, 2, 0]), 2)
        XCTAssertEqual(classificationAverageFactor(weights: [0, 0]), 1)
    }
}
