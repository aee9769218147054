// RoIAlign: torchvision parity (aligned, fixed and adaptive sampling, one level and the
// mmdetection multi-level extractor), the fast kernels against the naive port, a
// hand-checkable case, finite differences, and the level rule.
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN
import GradientChecking

final class RoIAlignTests: XCTestCase {
    /// Runs the fast kernels on one level; returns output and input gradient for `dOutput`.
    func fast(input: [Float], N: Int, C: Int, H: Int, W: Int, rois: [Float], scale: Float, options: RoIAlignOptions,
              dOutput: [Float], threads: Int = 2) -> (output: [Float], dInput: [Float]) {
        let R = rois.count / 5
        var output = [Float](repeating: 0, count: R * C * options.outputHeight * options.outputWidth)
        var dInput = [Float](repeating: 0, count: input.count)
        let parallelism = Parallelism(threads: threads)
        input.withUnsafeBufferPointer { input in
            rois.withUnsafeBufferPointer { rois in
                let saved = output.withUnsafeMutableBufferPointer {
                    roiAlignForward(output: $0, levels: [RoIAlignLevel(features: input, height: H, width: W, spatialScale: scale)],
                                    batch: N, channels: C, rois: rois, options: options, parallelism: parallelism)
                }
                dInput.withUnsafeMutableBufferPointer { d in
                    dOutput.withUnsafeBufferPointer { roiAlignBackward(dLevels: [d], dOutput: $0, saved: saved, parallelism: parallelism) }
                }
            }
        }
        return (output, dInput)
    }

    func testSingleLevelMatchesTorchvisionInAllSamplingModes() throws {
        let f = try loadFixture("roi_align.safetensors")
        let input = try f.floats("single_input"), rois = try f.floats("single_rois")
        for (name, size, ratio) in [("s7r2", 7, 2), ("s7r0", 7, 0), ("s5r0", 5, 0), ("s4r3", 4, 3)] {
            let options = RoIAlignOptions(outputSize: size, samplingRatio: ratio, aligned: true)
            let dOutput = try f.floats("single_\(name)_dout")
            let expected = try f.floats("single_\(name)_output"), expectedGrad = try f.floats("single_\(name)_dinput")
            let result = fast(input: input, N: 2, C: 3, H: 10, W: 12, rois: rois, scale: 0.5, options: options, dOutput: dOutput)
            assertClose(result.output, expected, relative: 1e-4, absolute: 1e-5, "\(name) forward")
            assertClose(result.dInput, expectedGrad, relative: 1e-4, absolute: 1e-5, "\(name) backward")
            // The naive port agrees with torchvision too.
            let naive = roiAlignForwardReference(input: input, batch: 2, channels: 3, height: 10, width: 12, rois: rois,
                                                 spatialScale: 0.5, options: options)
            assertClose(naive, expected, relative: 1e-4, absolute: 1e-5, "\(name) naive forward")
            var naiveGrad = [Float](repeating: 0, count: input.count)
            roiAlignBackwardReference(dInput: &naiveGrad, dOutput: dOutput, batch: 2, channels: 3, height: 10, width: 12,
                                      rois: rois, spatialScale: 0.5, options: options)
            assertClose(naiveGrad, expectedGrad, relative: 1e-4, absolute: 1e-5, "\(name) naive backward")
        }
    }

    func testMultiLevelMatchesMMDetectionExtractorOverTorchvision() throws {
        let f = try loadFixture("roi_align.safetensors")
        let rois = try f.floats("multi_rois")
        let levels = try (2...5).map { try f.floats("multi_p\($0)") }
        let sizes = [64, 32, 16, 8]
        let options = RoIAlignOptions(outputSize: 7, samplingRatio: 0)
        var output = [Float](repeating: 0, count: 12 * 2 * 49)
        var grads = sizes.map { [Float](repeating: 0, count: 2 * $0 * $0) }
        let dOutput = try f.floats("multi_dout")
        let pointers = levels.map { values -> UnsafeMutableBufferPointer<Float> in
            let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
            _ = p.initialize(from: values)
            return p
        }
        let gradPointers = grads.map { values -> UnsafeMutableBufferPointer<Float> in
            let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
            _ = p.initialize(from: values)
            return p
        }
        defer { (pointers + gradPointers).forEach { $0.deallocate() } }
        let roiLevels = rois.withUnsafeBufferPointer { rois in
            let saved = output.withUnsafeMutableBufferPointer {
                roiAlignForward(output: $0, levels: (0..<4).map {
                    RoIAlignLevel(features: UnsafeBufferPointer(pointers[$0]), height: sizes[$0], width: sizes[$0],
                                  spatialScale: 1 / Float(4 << $0))
                }, batch: 1, channels: 2, rois: rois, options: options, parallelism: Parallelism(threads: 2))
            }
            dOutput.withUnsafeBufferPointer { roiAlignBackward(dLevels: gradPointers, dOutput: $0, saved: saved, parallelism: Parallelism(threads: 2)) }
            return saved.roiLevels
        }
        for l in 0..<4 { grads[l] = Array(gradPointers[l]) }
        XCTAssertEqual(roiLevels.map(Int32.init), try f.ints("multi_levels"), "level assignment")
        XCTAssertGreaterThan(Set(roiLevels).count, 1, "the fixture exercises several levels")
        assertClose(output, try f.floats("multi_output"), relative: 1e-4, absolute: 1e-5, "multi-level forward")
        for l in 0..<4 {
            assertClose(grads[l], try f.floats("multi_dp\(l + 2)"), relative: 1e-4, absolute: 1e-5, "multi-level dP\(l + 2)")
        }
    }

    func testFastMatchesNaiveOnRandomBoxesAndThreadCounts() {
        // Channel counts exercise every path of the channels-last kernels: scalar only (5),
        // 16-lane vectors plus a scalar tail (37), a 64-channel block plus a vector (80).
        var random = SeededRandom(seed: 21)
        for (C, R) in [(5, 17), (37, 6), (80, 4)] {
            let N = 2, H = 9, W = 13
            let input = randomFloats(N * C * H * W, &random)
            var rois = [Float]()
            for r in 0..<R {
                let x1 = random.nextFloat() * 30 - 4, y1 = random.nextFloat() * 20 - 4
                rois += [Float(r % N), x1, y1, x1 + 0.5 + random.nextFloat() * 25, y1 + 0.5 + random.nextFloat() * 20]
            }
            for options in [RoIAlignOptions(outputSize: 7), RoIAlignOptions(outputSize: 3, samplingRatio: 2),
                            RoIAlignOptions(outputHeight: 2, outputWidth: 5, samplingRatio: 0, aligned: false)] {
                let dOutput = randomFloats(R * C * options.outputHeight * options.outputWidth, &random)
                let naive = roiAlignForwardReference(input: input, batch: N, channels: C, height: H, width: W, rois: rois,
                                                     spatialScale: 0.5, options: options)
                var naiveGrad = [Float](repeating: 0, count: input.count)
                roiAlignBackwardReference(dInput: &naiveGrad, dOutput: dOutput, batch: N, channels: C, height: H, width: W,
                                          rois: rois, spatialScale: 0.5, options: options)
                var firstBits: [UInt32]? = nil
                for threads in [1, 2, 3] {
                    let result = fast(input: input, N: N, C: C, H: H, W: W, rois: rois, scale: 0.5, options: options,
                                      dOutput: dOutput, threads: threads)
                    assertClose(result.output, naive, relative: 1e-5, absolute: 1e-6, "C \(C) forward \(threads) threads")
                    assertClose(result.dInput, naiveGrad, relative: 1e-5, absolute: 1e-5, "C \(C) backward \(threads) threads")
                    let bits = (result.output + result.dInput).map(\.bitPattern)
                    if let firstBits { XCTAssertEqual(bits, firstBits, "C \(C): same bytes for \(threads) threads") }
                    firstBits = bits
                }
            }
        }
    }

    func testHandCheckableFiveByFive() {
        // input[y, x] = 10 y + x is linear, so every interior bilinear sample is exact:
        // a 1x1 output over the box (1, 1)-(3, 3) with aligned=True samples the centre of
        // the shifted box (1.5, 1.5), i.e. value 10 * 1.5 + 1.5 = 16.5 (one sample: ratio 1).
        let input = (0..<25).map { Float(($0 / 5) * 10 + $0 % 5) }
        let options = RoIAlignOptions(outputSize: 1, samplingRatio: 1)
        let result = fast(input: input, N: 1, C: 1, H: 5, W: 5, rois: [0, 1, 1, 3, 3], scale: 1, options: options, dOutput: [1])
        XCTAssertEqual(result.output[0], 16.5, accuracy: 1e-6)
        // The gradient goes to the four corners (1,1), (1,2), (2,1), (2,2) with weight 1/4.
        for (index, value) in result.dInput.enumerated() {
            let expected: Float = [6, 7, 11, 12].contains(index) ? 0.25 : 0
            XCTAssertEqual(value, expected, accuracy: 1e-7, "dInput[\(index)]")
        }
        // A 2x2 output of the box (0, 0)-(4, 4), ratio 2: bin (0, 0) covers [-0.5, 1.5)^2,
        // samples at -0.0 and 1.0 on each axis; y = -0 clamps to 0, so the mean is
        // 10 * 0.5 + 0.5 = 5.5.
        let two = fast(input: input, N: 1, C: 1, H: 5, W: 5, rois: [0, 0, 0, 4, 4], scale: 1,
                       options: RoIAlignOptions(outputSize: 2, samplingRatio: 2), dOutput: [0, 0, 0, 0])
        XCTAssertEqual(two.output[0], 5.5, accuracy: 1e-5)
        XCTAssertEqual(two.output[3], 5.5 + 22, accuracy: 1e-5)
    }

    func testFiniteDifferencesWithRespectToFeatures() {
        // RoIAlign is linear in the features, so central differences are exact up to rounding.
        var random = SeededRandom(seed: 22)
        let N = 1, C = 2, H = 6, W = 7
        let input = randomFloats(N * C * H * W, &random)
        let rois: [Float] = [0, 1.3, 0.7, 9.1, 8.6, 0, -2.2, 3.1, 5.4, 12.9]
        let options = RoIAlignOptions(outputSize: 3)
        let weightsR = randomFloats(2 * C * 9, &random)
        let result = fast(input: input, N: N, C: C, H: H, W: W, rois: rois, scale: 0.75, options: options, dOutput: weightsR)
        assertGradient("RoIAlign dInput", at: input, analytic: result.dInput.map(Double.init),
                       options: GradientCheckOptions(entries: input.count)) { x in
            let out = roiAlignForwardReference(input: x, batch: N, channels: C, height: H, width: W, rois: rois,
                                               spatialScale: 0.75, options: options)
            return LossValue(zip(out, weightsR).reduce(0.0) { $0 + Double($1.0) * Double($1.1) })
        }
    }

    func testLevelRuleMatchesMMDetectionAndTheFPNFormula() {
        // mmdet map_roi_levels with finest scale 56: < 112 -> 0, [112, 224) -> 1, [224, 448) -> 2, else 3.
        let cases: [(Float, Int)] = [(1, 0), (55, 0), (111.9, 0), (112, 1), (223.9, 1), (224, 2), (447, 2), (448, 3), (2000, 3)]
        for (side, level) in cases {
            XCTAssertEqual(roiFeatureLevel(x1: 10, y1: 20, x2: 10 + side, y2: 20 + side, levelCount: 4), level, "side \(side)")
            // docs/method.md §Stage 1: clamp(floor(4 + log2(sqrt(wh) / 224)), 2, 5) - 2
            let fpn = min(max(Int((4 + log2(Double(side) / 224)).rounded(.down)), 2), 5) - 2
            XCTAssertEqual(fpn, level, "FPN formula at side \(side)")
        }
        XCTAssertEqual(roiFeatureLevel(x1: 5, y1: 5, x2: 5, y2: 300, levelCount: 4), 0, "empty box goes to the finest level")
        XCTAssertEqual(roiFeatureLevel(x1: 0, y1: 0, x2: 1000, y2: 1000, levelCount: 2), 1, "clamped to the coarsest level")
    }
}

final class MultiLevelRoIAlignTests: XCTestCase {
    func testTensorPoolerMatchesFixtureAndIsDeterministicAcrossThreadCounts() throws {
        let f = try loadFixture("roi_align.safetensors")
        let levels = try (2...5).map { level -> Tensor in
            let side = 256 >> level
            return Tensor(shape: [1, 2, side, side], values: try f.floats("multi_p\(level)"))
        }
        let rois = Tensor(shape: [12, 5], values: try f.floats("multi_rois"))
        let pooler = MultiLevelRoIAlign(strides: [4, 8, 16, 32], options: RoIAlignOptions(outputSize: 7, samplingRatio: 0))
        let dOutput = Tensor(shape: [12, 2, 7, 7], values: try f.floats("multi_dout"))
        var previous: [[UInt32]]? = nil
        for threads in [1, 2, 4] {
            let output = Tensor(shape: pooler.outputShape(roiCount: 12, channels: 2))
            let saved = pooler.forward(levels: levels, rois: rois, output: output, parallelism: Parallelism(threads: threads))
            assertClose(output.toArray(), try f.floats("multi_output"), relative: 1e-4, absolute: 1e-5, "pooler forward")
            let dLevels = levels.map { Tensor.zeros(like: $0) }
            pooler.backward(dOutput: dOutput, saved: saved, dLevels: dLevels, parallelism: Parallelism(threads: threads))
            for l in 0..<4 {
                assertClose(dLevels[l].toArray(), try f.floats("multi_dp\(l + 2)"), relative: 1e-4, absolute: 1e-5, "pooler dP\(l + 2)")
            }
            // Same bytes for any thread count (docs/design.md §Command-line conventions).
            let bits = [output.toArray().map(\.bitPattern)] + dLevels.map { $0.toArray().map(\.bitPattern) }
            if let previous { XCTAssertEqual(bits, previous, "\(threads) threads") }
            previous = bits
        }
    }
}

final class RoIAlignEdgeCaseTests: XCTestCase {
    func testDegenerateAndNonFiniteBoxesPoolZerosWithoutTrapping() {
        let input = (0..<(2 * 6 * 6)).map { Float($0) }
        // Empty box, inverted box, NaN and infinite coordinates, a box far outside the image.
        let rois: [Float] = [0, 3, 3, 3, 3,   0, 5, 5, 1, 1,   0, .nan, 1, 4, 4,   0, 0, 0, .infinity, 4,   0, 100, 100, 120, 130]
        let options = RoIAlignOptions(outputSize: 2)
        var output = [Float](repeating: 1, count: 5 * 2 * 4)
        var dInput = [Float](repeating: 0, count: input.count)
        input.withUnsafeBufferPointer { features in
            rois.withUnsafeBufferPointer { rois in
                let saved = output.withUnsafeMutableBufferPointer {
                    roiAlignForward(output: $0, levels: [RoIAlignLevel(features: features, height: 6, width: 6, spatialScale: 1)],
                                    batch: 1, channels: 2, rois: rois, options: options, parallelism: .serial)
                }
                let ones = [Float](repeating: 1, count: 5 * 2 * 4)
                dInput.withUnsafeMutableBufferPointer { d in
                    ones.withUnsafeBufferPointer { roiAlignBackward(dLevels: [d], dOutput: $0, saved: saved, parallelism: .serial) }
                }
            }
        }
        // Every one pools zeros: the empty and inverted boxes have an adaptive grid of 0 (as in
        // torchvision), the non-finite ones are skipped, the far one samples outside [-1, H].
        let reference = roiAlignForwardReference(input: input, batch: 1, channels: 2, height: 6, width: 6,
                                                 rois: [0, 3, 3, 3, 3], spatialScale: 1, options: options)
        XCTAssertEqual(Array(output[0..<8]), reference)
        XCTAssertTrue(output.allSatisfy { $0 == 0 }, "\(output)")
        XCTAssertTrue(dInput.allSatisfy { $0.isFinite })
    }
}

extension RoIAlignEdgeCaseTests {
    func testNoRoIsIsANoOp() {
        // An image batch without positive RoIs still runs the mask head's RoIAlign with R = 0.
        let features = [Float](repeating: 1, count: 1 * 3 * 4 * 4)
        var dFeatures = [Float](repeating: 0, count: features.count)
        var output: [Float] = []
        features.withUnsafeBufferPointer { features in
            let saved = output.withUnsafeMutableBufferPointer { out in
                [Float]().withUnsafeBufferPointer { rois in
                    roiAlignForward(output: out, levels: [RoIAlignLevel(features: features, height: 4, width: 4, spatialScale: 0.25)],
                                    batch: 1, channels: 3, rois: rois, options: RoIAlignOptions(outputSize: 14), parallelism: Parallelism(threads: 2))
                }
            }
            XCTAssertEqual(saved.plans.count, 0)
            dFeatures.withUnsafeMutableBufferPointer { d in
                [Float]().withUnsafeBufferPointer { roiAlignBackward(dLevels: [d], dOutput: $0, saved: saved, parallelism: Parallelism(threads: 2)) }
            }
        }
        XCTAssertTrue(dFeatures.allSatisfy { $0 == 0 })
    }
}
