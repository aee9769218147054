// Losses: PyTorch parity (values and gradients from the fixture) and finite-difference
// gradient checks on seeded inputs; backward accumulates into the caller's buffer.
import XCTest
import SharedSupport
@testable import SharedNN
import GradientChecking

final class LossTests: XCTestCase {
    func testSoftmaxCrossEntropyMatchesPyTorch() throws {
        let f = try loadFixture("losses.safetensors")
        let logits = try f.floats("ce_logits")
        let (loss, saved) = logits.withUnsafeBufferPointer {
            softmaxCrossEntropyForward(logits: $0, labels: try! f.ints("ce_labels"), weights: try! f.floats("ce_weights"),
                                       classCount: 6, averageFactor: try! f.scalar("ce_avg"))
        }
        assertClose(loss, try f.scalar("ce_loss"), "ce loss")
        var grad = [Float](repeating: 0, count: logits.count)
        grad.withUnsafeMutableBufferPointer { softmaxCrossEntropyBackward(dLogits: $0, dLoss: 1, saved: saved) }
        assertClose(grad, try f.floats("ce_grad"), "ce grad")
    }

    func testSoftmaxCrossEntropyFiniteDifferencesAndAccumulation() {
        var random = SeededRandom(seed: 11)
        let N = 5, K = 4
        let logits = randomFloats(N * K, &random, low: -3, high: 3)
        let labels: [Int32] = [0, 3, 1, 3, 2]
        let weights = randomFloats(N, &random, low: 0, high: 2)
        func loss(_ x: [Float]) -> Float {
            x.withUnsafeBufferPointer { softmaxCrossEntropyForward(logits: $0, labels: labels, weights: weights, classCount: K, averageFactor: 3).loss }
        }
        let saved = logits.withUnsafeBufferPointer {
            softmaxCrossEntropyForward(logits: $0, labels: labels, weights: weights, classCount: K, averageFactor: 3).saved
        }
        var grad = [Float](repeating: 0.5, count: N * K)   // accumulates onto 0.5
        grad.withUnsafeMutableBufferPointer { softmaxCrossEntropyBackward(dLogits: $0, dLoss: 2, saved: saved) }
        // grad = 0.5 + 2 g: the check compares g (half an ulp of the stored sum is extra rounding).
        assertGradient("ce finite differences", at: logits, analytic: grad.map { (Double($0) - 0.5) / 2 },
                       analyticRounding: grad.map { Double($0.ulp) / 4 }, options: GradientCheckOptions(entries: logits.count)) {
            LossValue(float: loss($0))
        }
    }

    func testSigmoidBCEMatchesPyTorch() throws {
        let f = try loadFixture("losses.safetensors")
        let logits = try f.floats("bce_logits")
        let (loss, saved) = logits.withUnsafeBufferPointer {
            sigmoidBCEForward(logits: $0, targets: try! f.floats("bce_targets"), weights: try! f.floats("bce_weights"),
                              averageFactor: try! f.scalar("bce_avg"))
        }
        assertClose(loss, try f.scalar("bce_loss"), "bce loss")
        var grad = [Float](repeating: 0, count: logits.count)
        grad.withUnsafeMutableBufferPointer { sigmoidBCEBackward(dLogits: $0, dLoss: 1, saved: saved) }
        assertClose(grad, try f.floats("bce_grad"), "bce grad")
    }

    func testSigmoidBCEFiniteDifferencesAndLargeLogits() {
        var random = SeededRandom(seed: 12)
        let x = randomFloats(16, &random, low: -4, high: 4)
        let t = randomFloats(16, &random, low: 0, high: 1)   // soft targets are allowed
        func loss(_ x: [Float]) -> Float { x.withUnsafeBufferPointer { sigmoidBCEForward(logits: $0, targets: t, weights: nil, averageFactor: 4).loss } }
        let saved = x.withUnsafeBufferPointer { sigmoidBCEForward(logits: $0, targets: t, weights: nil, averageFactor: 4).saved }
        var grad = [Float](repeating: 0, count: 16)
        grad.withUnsafeMutableBufferPointer { sigmoidBCEBackward(dLogits: $0, dLoss: 1, saved: saved) }
        assertGradient("bce finite differences", at: x, analytic: grad.map(Double.init),
                       options: GradientCheckOptions(entries: x.count)) { LossValue(float: loss($0)) }
        // Stable for |x| = 100: loss 100 for the wrong target, 0 for the right one.
        let big: [Float] = [100, -100]
        let value = big.withUnsafeBufferPointer { sigmoidBCEForward(logits: $0, targets: [0, 0], weights: nil, averageFactor: 1).loss }
        XCTAssertEqual(value, 100, accuracy: 1e-4)
    }

    func testMaskBCEMatchesPyTorch() throws {
        let f = try loadFixture("losses.safetensors")
        let logits = try f.floats("mask_logits")
        let (loss, saved) = logits.withUnsafeBufferPointer {
            maskBCEForward(logits: $0, labels: try! f.ints("mask_labels"), targets: try! f.floats("mask_targets"), classCount: 4, maskSize: 6)
        }
        assertClose(loss, try f.scalar("mask_loss"), "mask loss")
        var grad = [Float](repeating: 0, count: logits.count)
        grad.withUnsafeMutableBufferPointer { maskBCEBackward(dLogits: $0, dLoss: 1, saved: saved) }
        assertClose(grad, try f.floats("mask_grad"), "mask grad")
    }

    func testMaskBCEFiniteDifferencesOnlyTouchGroundTruthChannel() {
        var random = SeededRandom(seed: 13)
        let R = 2, K = 3, M = 3
        let x = randomFloats(R * K * M * M, &random, low: -3, high: 3)
        let labels: [Int32] = [2, 0]
        let t = (0..<(R * M * M)).map { _ in random.nextFloat() < 0.5 ? Float(0) : 1 }
        func loss(_ x: [Float]) -> Float { x.withUnsafeBufferPointer { maskBCEForward(logits: $0, labels: labels, targets: t, classCount: K, maskSize: M).loss } }
        let saved = x.withUnsafeBufferPointer { maskBCEForward(logits: $0, labels: labels, targets: t, classCount: K, maskSize: M).saved }
        var grad = [Float](repeating: 0, count: x.count)
        grad.withUnsafeMutableBufferPointer { maskBCEBackward(dLogits: $0, dLoss: 1, saved: saved) }
        assertGradient("mask finite differences", at: x, analytic: grad.map(Double.init),
                       options: GradientCheckOptions(entries: x.count)) { LossValue(float: loss($0)) }
        XCTAssertTrue(grad[(0 * K + 0) * M * M..<(0 * K + 2) * M * M].allSatisfy { $0 == 0 }, "non-GT channels get no gradient")
    }

    func testL1AndSmoothL1MatchPyTorch() throws {
        let f = try loadFixture("losses.safetensors")
        let p = try f.floats("l1_pred"), q = try f.floats("l1_target"), w = try f.floats("l1_weights")
        let avg = try f.scalar("l1_avg")
        for (kind, lossName, gradName) in [(RegressionLossKind.l1, "l1_loss", "l1_grad"),
                                           (.smoothL1(beta: try f.scalar("sl1_beta")), "sl1_loss", "sl1_grad")] {
            let (loss, saved) = p.withUnsafeBufferPointer {
                regressionLossForward(kind: kind, prediction: $0, target: q, weights: w, averageFactor: avg)
            }
            assertClose(loss, try f.scalar(lossName), lossName)
            var grad = [Float](repeating: 0, count: p.count)
            grad.withUnsafeMutableBufferPointer { regressionLossBackward(dPrediction: $0, dLoss: 1, saved: saved) }
            assertClose(grad, try f.floats(gradName), gradName)
        }
    }

    func testRegressionLossFiniteDifferencesAwayFromKinks() {
        var random = SeededRandom(seed: 14)
        let target = randomFloats(24, &random)
        // Differences at least 0.05 from 0 and from +-beta, so the step never crosses a kink.
        let beta: Float = 0.5
        var prediction = [Float]()
        for t in target {
            var d: Float
            repeat { d = random.nextFloat() * 4 - 2 } while abs(d) < 0.05 || abs(abs(d) - beta) < 0.05
            prediction.append(t + d)
        }
        let weights = randomFloats(24, &random, low: 0, high: 1)
        for kind in [RegressionLossKind.l1, .smoothL1(beta: beta)] {
            func loss(_ x: [Float]) -> Float {
                x.withUnsafeBufferPointer { regressionLossForward(kind: kind, prediction: $0, target: target, weights: weights, averageFactor: 5).loss }
            }
            let saved = prediction.withUnsafeBufferPointer {
                regressionLossForward(kind: kind, prediction: $0, target: target, weights: weights, averageFactor: 5).saved
            }
            var grad = [Float](repeating: 0, count: 24)
            grad.withUnsafeMutableBufferPointer { regressionLossBackward(dPrediction: $0, dLoss: 1, saved: saved) }
            assertGradient("\(kind)", at: prediction, analytic: grad.map(Double.init),
                           options: GradientCheckOptions(entries: prediction.count)) { LossValue(float: loss($0)) }
        }
    }
}
