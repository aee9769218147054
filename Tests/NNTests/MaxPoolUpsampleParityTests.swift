// Max-pool 3x3/2 and 2x upsampling on every code path this host runs (the AVX-512 and AVX2
// C kernels, the Swift baseline; `VectorISA.hostSupported`) against their Swift twins:
// outputs and argmax must be the same bits.
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN

final class MaxPoolUpsampleParityTests: XCTestCase {
    /// Random planes (narrow, odd, tails of every length) whose values are quantised so
    /// that ties are common, with -infinity runs, a few NaNs and signed zeros.
    private func awkwardTensor(_ shape: [Int], _ random: inout SeededRandom) -> Tensor {
        let tensor = randomTensor(shape, &random)
        for i in 0..<tensor.count {
            let roll = random.nextInt(below: 100)
            if roll < 10 { tensor.data[i] = -.infinity }
            else if roll < 11 { tensor.data[i] = .nan }
            else if roll < 14 { tensor.data[i] = roll < 12 ? -0.0 : 0.0 }
            else { tensor.data[i] = (tensor.data[i] * 3).rounded() }
        }
        return tensor
    }

    func testMaxPool3x3Stride2MatchesSwiftKernelBitForBit() throws {
        for isa in VectorISA.hostSupported { try checkMaxPool3x3Stride2(isa) }
    }

    func testUpsample2xMatchesSwiftKernelBitForBit() throws {
        for isa in VectorISA.hostSupported { try checkUpsample2x(isa) }
    }

    private func checkMaxPool3x3Stride2(_ isa: VectorISA) throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 91)
        let pool = MaxPoolShape(kernel: 3, stride: 2, padding: 1)
        // Output widths of one to seven 16-wide (AVX-512) or 8-wide (AVX2) strips and every tail
        // (the kernels run strips in fours, pairs, singles).
        var shapes: [[Int]] = [[2, 3, 128, 128], [1, 2, 64, 96], [1, 1, 1, 1], [1, 1, 2, 33],
                               [1, 1, 5, 129], [1, 2, 9, 160], [1, 1, 3, 161], [1, 1, 4, 192], [1, 1, 3, 200]]
        for width in [15, 16, 17, 18, 31, 32, 33, 34, 47, 48, 49, 50, 63, 64, 65, 66] { shapes.append([1, 1, 4, width]) }
        for _ in 0..<60 {
            shapes.append([1, 1 + random.nextInt(below: 3), 1 + random.nextInt(below: 40), 1 + random.nextInt(below: 120)])
        }
        for shape in shapes {
            let input = awkwardTensor(shape, &random)
            // Some planes entirely -infinity: every window is a tie of padding-like values.
            if random.nextInt(below: 4) == 0 { input.fill(-.infinity) }
            let output = Tensor(shape: pool.outputShape(input: shape))
            output.fill(42)
            let saved = MaxPool2D.forward(input: input, output: output, shape: pool, compute: compute, isa: isa)

            let h = shape[2], w = shape[3], oh = output.h, ow = output.w
            let expected = Tensor(shape: output.shape)
            var expectedArgmax = [Int32](repeating: -7, count: output.count)
            expectedArgmax.withUnsafeMutableBufferPointer { arg in
                for plane in 0..<(shape[0] * shape[1]) {
                    MaxPool2D.pool3x3Stride2(input.data + plane * h * w, h: h, w: w,
                                             dst: expected.data + plane * oh * ow,
                                             argmax: arg.baseAddress! + plane * oh * ow, oh: oh, ow: ow)
                }
            }
            XCTAssertEqual(output.toArray().map(\.bitPattern), expected.toArray().map(\.bitPattern),
                           "\(isa): \(shape) output")
            XCTAssertEqual(saved.argmax, expectedArgmax, "\(isa): \(shape) argmax")
        }
    }

    private func checkUpsample2x(_ isa: VectorISA) throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 92)
        var shapes: [[Int]] = [[2, 64, 32, 32], [1, 1, 1, 1], [1, 2, 3, 16], [1, 2, 5, 17]]
        for _ in 0..<40 {
            shapes.append([1, 1 + random.nextInt(below: 3), 1 + random.nextInt(below: 20), 1 + random.nextInt(below: 70)])
        }
        for shape in shapes {
            let input = awkwardTensor(shape, &random)
            let output = Tensor(shape: Upsample2x.outputShape(input: shape))
            output.fill(42)
            Upsample2x.forward(input: input, output: output, compute: compute, isa: isa)
            let h = shape[2], w = shape[3]
            let expected = Tensor(shape: output.shape)
            for plane in 0..<(shape[0] * shape[1]) {
                Upsample2x.upsamplePlane(input.data + plane * h * w, h: h, w: w,
                                         into: expected.data + plane * 4 * h * w)
            }
            XCTAssertEqual(output.toArray().map(\.bitPattern), expected.toArray().map(\.bitPattern), "\(isa): \(shape)")
        }
    }
}
