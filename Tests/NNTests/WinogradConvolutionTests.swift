// Winograd F(2x2, 3x3) convolutions (Conv2D+Winograd.swift) against the im2col path (itself
// checked against the naive convolution, finite differences and PyTorch) and, through the
// public entry point, the naive convolution: odd and tiny planes, blocks that split and span
// images, accumulation into existing gradients, the same bits for every thread count.
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN

final class WinogradConvolutionTests: XCTestCase {
    /// (channels in, channels out, input [N, C, H, W]): odd sides, 1x1 and 1x2 planes, one image
    /// wider than a block, many images per block, channel counts that make blocks end mid-image.
    let cases: [(Int, Int, [Int])] = [
        (5, 7, [3, 5, 9, 11]),
        (3, 4, [2, 3, 1, 1]),
        (2, 3, [3, 2, 1, 2]),
        (4, 4, [1, 4, 2, 3]),
        (6, 5, [2, 6, 70, 37]),
        (16, 24, [13, 16, 14, 14]),
        (64, 64, [5, 64, 14, 14]),
        (96, 40, [2, 96, 8, 9]),
    ]

    func testWinogradSelection() {
        func uses(_ c: Int, _ m: Int, kernel: Int = 3, stride: Int = 1, padding: Int = 1, _ input: [Int]) -> Bool {
            Conv2D.usesWinograd(Conv2DShape(inChannels: c, outChannels: m, kernel: kernel, stride: stride, padding: padding),
                                input: input)
        }
        XCTAssertTrue(uses(64, 64, [64, 64, 14, 14]))     // mask head
        XCTAssertTrue(uses(32, 32, [2, 32, 64, 64]))      // res2
        XCTAssertTrue(uses(128, 128, [2, 128, 16, 16]))   // res4: 128 tiles
        XCTAssertFalse(uses(256, 256, [2, 256, 8, 8]))    // res5: 32 tiles
        XCTAssertFalse(uses(64, 64, stride: 2, [2, 64, 32, 32]))
        XCTAssertFalse(uses(64, 64, padding: 0, [2, 64, 32, 32]))
        XCTAssertFalse(uses(64, 64, kernel: 1, padding: 0, [2, 64, 32, 32]))
        XCTAssertFalse(uses(3, 64, [2, 3, 64, 64]))
    }

    func testForwardMatchesTheIm2ColPath() throws {
        var random = SeededRandom(seed: 91)
        for threads in [1, 2] {
            let compute = try testCompute(threads: threads), workspace = Workspace()
            for (c, m, inputShape) in cases {
                let shape = Conv2DShape(inChannels: c, outChannels: m, kernel: 3, stride: 1, padding: 1)
                let input = randomTensor(inputShape, &random), weight = randomTensor(shape.weightShape, &random)
                let output = Tensor(shape: shape.outputShape(input: inputShape)), expected = Tensor(shape: output.shape)
                output.fill(Float.nan)   // every pixel must be written
                Conv2D.winogradForward(input: input, weight: weight, output: output, shape: shape, compute: compute,
                                       workspace: workspace)
                Conv2D.im2colForward(input: input, weight: weight, output: expected, shape: shape, compute: compute,
                                     workspace: workspace)
                assertClose(output.toArray(), expected.toArray(), absolute: 1e-4, relative: 1e-4,
                            "winograd forward \(c)->\(m) \(inputShape) t=\(threads)")
            }
        }
    }

    /// Public entry points: a qualifying layer takes the Winograd path, bias included.
    func testLayerEntryPointsUseWinograd() throws {
        let compute = try testCompute(), workspace = Workspace()
        var random = SeededRandom(seed: 92)
        let shape = Conv2DShape(inChannels: 32, outChannels: 40, kernel: 3, stride: 1, padding: 1)
        XCTAssertTrue(Conv2D.usesWinograd(shape, input: [6, 32, 7, 6]))
        let input = randomTensor([6, 32, 7, 6], &random), weight = randomTensor(shape.weightShape, &random)
        let bias = randomTensor([40], &random), output = Tensor(shape: [6, 40, 7, 6])
        Conv2D.forward(input: input, weight: weight, bias: bias, output: output, shape: shape, compute: compute,
                       workspace: workspace)
        let expected = Conv2D.forwardReference(input: input, weight: weight, bias: bias, shape: shape)
        assertClose(output.toArray(), expected.toArray(), absolute: 1e-4, relative: 1e-4, "winograd layer forward")
    }

    func testGradientsMatchTheIm2ColPath() throws {
        var random = SeededRandom(seed: 93)
        let compute = try testCompute(), workspace = Workspace()
        for (c, m, inputShape) in cases {
            let shape = Conv2DShape(inChannels: c, outChannels: m, kernel: 3, stride: 1, padding: 1)
            let input = randomTensor(inputShape, &random), weight = randomTensor(shape.weightShape, &random)
            let dOutput = randomTensor(shape.outputShape(input: inputShape), &random)
            // Both accumulate into the same non-zero starting gradients.
            let dInput0 = randomTensor(inputShape, &random), dWeight0 = randomTensor(shape.weightShape, &random)
            let dInput = dInput0.clone(), dWeight = dWeight0.clone()
            Conv2D.winogradWeightGradient(input: input, dOutput: dOutput, dWeight: dWeight, shape: shape, compute: compute,
                                          workspace: workspace)
            Conv2D.winogradInputGradient(dOutput: dOutput, weight: weight, dInput: dInput, shape: shape, compute: compute,
                                         workspace: workspace)
            let expectedInput = dInput0.clone(), expectedWeight = dWeight0.clone()
            Conv2D.im2colBackward(dOutput: dOutput, input: input, weight: weight, dInput: expectedInput,
                                  dWeight: expectedWeight, shape: shape, compute: compute, workspace: workspace)
            let label = "\(c)->\(m) \(inputShape)"
            assertClose(dInput.toArray(), expectedInput.toArray(), absolute: 1e-4, relative: 1e-4, "winograd dX \(label)")
            assertClose(dWeight.toArray(), expectedWeight.toArray(), absolute: 2e-4, relative: 1e-4, "winograd dW \(label)")
        }
    }

    func testSameBitsForEveryThreadCount() throws {
        var random = SeededRandom(seed: 94)
        for (c, m, inputShape) in cases {
            let shape = Conv2DShape(inChannels: c, outChannels: m, kernel: 3, stride: 1, padding: 1)
            let input = randomTensor(inputShape, &random), weight = randomTensor(shape.weightShape, &random)
            let dOutput = randomTensor(shape.outputShape(input: inputShape), &random)
            func run(threads: Int) throws -> [[Float]] {
                let compute = try testCompute(threads: threads), workspace = Workspace()
                let output = Tensor(shape: dOutput.shape), dInput = Tensor(shape: inputShape)
                let dWeight = Tensor(shape: shape.weightShape)
                Conv2D.winogradForward(input: input, weight: weight, output: output, shape: shape, compute: compute,
                                       workspace: workspace)
                Conv2D.winogradWeightGradient(input: input, dOutput: dOutput, dWeight: dWeight, shape: shape,
                                              compute: compute, workspace: workspace)
                Conv2D.winogradInputGradient(dOutput: dOutput, weight: weight, dInput: dInput, shape: shape,
                                             compute: compute, workspace: workspace)
                return [output, dInput, dWeight].map { $0.toArray() }
            }
            let one = try run(threads: 1)
            for threads in [2, 3, 5] {
                let other = try run(threads: threads)
                for (a, b) in zip(one, other) {
                    XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(c)->\(m) \(inputShape) threads \(threads)")
                }
            }
        }
    }
}
