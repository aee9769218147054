// The fast convolution paths (batched im2col GEMM, pointwise GEMM, multi-threaded) against
// the naive direct convolution, on awkward sizes; conv-transpose against its definition.
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN

final class ConvolutionReferenceTests: XCTestCase {
    func testConv2DMatchesNaiveReference() throws {
        let workspace = Workspace()
        var random = SeededRandom(seed: 31)
        let cases: [(Conv2DShape, [Int])] = [
            (Conv2DShape(inChannels: 5, outChannels: 7, kernel: 3, stride: 1, padding: 1), [3, 5, 9, 11]),
            (Conv2DShape(inChannels: 4, outChannels: 6, kernel: 3, stride: 2, padding: 1), [2, 4, 10, 7]),
            (Conv2DShape(inChannels: 3, outChannels: 8, kernel: 7, stride: 2, padding: 3), [2, 3, 16, 13]),
            (Conv2DShape(inChannels: 6, outChannels: 5, kernel: 1, stride: 1, padding: 0), [3, 6, 5, 4]),
            (Conv2DShape(inChannels: 6, outChannels: 5, kernel: 1, stride: 2, padding: 0), [2, 6, 7, 7]),
            (Conv2DShape(inChannels: 2, outChannels: 3, kernel: 3, stride: 1, padding: 0), [1, 2, 4, 4]),
            (Conv2DShape(inChannels: 2, outChannels: 3, kernel: 3, stride: 1, padding: 1), [4, 2, 30, 30]),  // groups 3 + 1
            (Conv2DShape(inChannels: 1, outChannels: 2, kernel: 3, stride: 1, padding: 1), [3, 1, 46, 46]),  // one per GEMM
        ]
        for threads in [1, 2] {
            let compute = try testCompute(threads: threads)
            for (shape, inputShape) in cases {
                let input = randomTensor(inputShape, &random), weight = randomTensor(shape.weightShape, &random)
                let bias = randomTensor([shape.outChannels], &random)
                let output = Tensor(shape: shape.outputShape(input: inputShape))
                Conv2D.forward(input: input, weight: weight, bias: bias, output: output, shape: shape, compute: compute,
                               workspace: workspace)
                let expected = Conv2D.forwardReference(input: input, weight: weight, bias: bias, shape: shape)
                assertClose(output.toArray(), expected.toArray(), absolute: 1e-4, relative: 1e-4, "conv \(shape) t=\(threads)")
            }
        }
    }

    func testConvTransposeMatchesDefinition() throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 32)
        let input = randomTensor([2, 3, 3, 2], &random), weight = randomTensor([3, 4, 2, 2], &random)
        let bias = randomTensor([4], &random), output = Tensor(shape: [2, 4, 6, 4])
        ConvTranspose2x2.forward(input: input, weight: weight, bias: bias, output: output, compute: compute,
                                 workspace: Workspace())
        for n in 0..<2 { for co in 0..<4 { for oy in 0..<6 { for ox in 0..<4 {
            var sum = bias[co]
            for ci in 0..<3 { sum += input[n, ci, oy / 2, ox / 2] * weight[ci, co, oy % 2, ox % 2] }
            XCTAssertEqual(output[n, co, oy, ox], sum, accuracy: 1e-5)
        } } } }
    }

    func testNormedConvMatchesCosineFormula() throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 33)
        let input = randomTensor([2, 5, 2, 3], &random), weight = randomTensor([4, 5, 1, 1], &random)
        let bias = randomTensor([4], &random), output = Tensor(shape: [2, 4, 2, 3])
        NormedConv1x1.forward(input: input, weight: weight, bias: bias, output: output, compute: compute)
        for n in 0..<2 { for k in 0..<4 { for y in 0..<2 { for x in 0..<3 {
            var dot = 0.0, xx = 0.0, ww = 0.0
            for c in 0..<5 {
                dot += Double(input[n, c, y, x]) * Double(weight[k, c, 0, 0])
                xx += Double(input[n, c, y, x] * input[n, c, y, x]); ww += Double(weight[k, c, 0, 0] * weight[k, c, 0, 0])
            }
            let expected = 20 * dot / ((xx.squareRoot() + 1e-6) * (ww.squareRoot() + 1e-6)) + Double(bias[k])
            XCTAssertEqual(Double(output[n, k, y, x]), expected, accuracy: 1e-4)
        } } } }
    }
}

final class MaxPoolReferenceTests: XCTestCase {
    /// The vectorised 3x3/2 path and the scalar path against the naive definition, on
    /// planes wide enough for vector chunks, odd sizes, and ties (first maximum wins).
    func testMaxPoolMatchesNaiveReference() throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 34)
        for (shape, pool) in [([2, 3, 9, 70], MaxPoolShape(kernel: 3, stride: 2, padding: 1)),
                              ([1, 2, 5, 37], MaxPoolShape(kernel: 3, stride: 2, padding: 1)),
                              ([1, 2, 66, 66], MaxPoolShape(kernel: 3, stride: 2, padding: 1)),
                              ([2, 2, 7, 9], MaxPoolShape(kernel: 1, stride: 2)),
                              ([1, 2, 8, 8], MaxPoolShape(kernel: 2, stride: 2))] {
            let input = randomTensor(shape, &random)
            // Quantised values make ties common.
            for i in 0..<input.count { input.data[i] = (input.data[i] * 4).rounded() }
            let output = Tensor(shape: pool.outputShape(input: shape))
            let saved = MaxPool2D.forward(input: input, output: output, shape: pool, compute: compute)
            let expected = MaxPool2D.forwardReference(input: input, shape: pool)
            XCTAssertEqual(output.toArray(), expected.output.toArray(), "\(shape) \(pool)")
            XCTAssertEqual(saved.argmax, expected.argmax, "\(shape) \(pool) argmax")
        }
    }
}

final class ConvolutionGroupingTests: XCTestCase {
    func testImagesPerGEMMCoversTheMinimumColumns() {
        XCTAssertEqual(Conv2D.imagesPerGEMM(n: 4, columns: 900), 3)
        XCTAssertEqual(Conv2D.imagesPerGEMM(n: 2, columns: 900), 2)
        XCTAssertEqual(Conv2D.imagesPerGEMM(n: 2, columns: 4096), 1)
        XCTAssertEqual(Conv2D.imagesPerGEMM(n: 128, columns: 196), 11)
    }
}
