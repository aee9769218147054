// The Winograd F(2x2, 3x3) tile transforms on every code path this host runs (AVX-512 and
// AVX2 C kernels, the Swift baseline; `VectorISA.hostSupported`) against their Swift loops,
// bit for bit, with signed zeros, infinities and NaN, on planes of every parity from 1x1 up
// and on bands that start inside the plane. The plane and the transformed values sit inside
// larger buffers filled with a sentinel: a read outside the plane would change a result (the
// Swift loops read zeros there), and a write outside would change the buffer, so both are
// caught by comparing whole buffers.
import XCTest
import TestValues
import SharedSupport
@testable import SharedNN

final class WinogradTransformKernelTests: XCTestCase {
    private let sentinel: Float = 1.0e6
    /// Sentinel floats before and after each region.
    private let margin = 40

    /// (height, width) pairs: both parities, widths below, at and above one 16-tile vector.
    private let sizes = [(1, 1), (1, 2), (2, 1), (2, 2), (3, 3), (4, 7), (7, 4), (14, 14), (13, 13), (9, 31),
                         (5, 32), (6, 33), (3, 34), (2, 64), (3, 65), (17, 70)]

    /// Tile-row bands of a plane with `tileRows` tile rows: all of them, and one starting inside.
    private func bands(_ tileRows: Int) -> [Range<Int>] {
        tileRows > 2 ? [0..<tileRows, 1..<(tileRows - 1)] : [0..<tileRows]
    }

    /// A buffer of `count` floats between two margins of sentinels; the region starts at `margin`.
    private func framed(_ count: Int, _ fill: (Int) -> Float) -> [Float] {
        [Float](repeating: sentinel, count: margin) + (0..<count).map(fill) + [Float](repeating: sentinel, count: margin)
    }

    func testInputAndOutputGradientTransformsMatchSwiftBitForBit() {
        for isa in VectorISA.hostSupported { checkInputAndOutputGradientTransforms(isa) }
    }

    func testOutputTransformMatchesSwiftBitForBit() {
        for isa in VectorISA.hostSupported { checkOutputTransform(isa) }
    }

    private func checkInputAndOutputGradientTransforms(_ isa: VectorISA) {
        var random = SeededRandom(seed: 91)
        for (h, w) in sizes {
            let plane = framed(h * w) { _ in AwkwardFloats.next(&random, oneIn: 12) }
            for band in bands(WinogradF2x3.tiles(h)) {
                let tiles = band.count * WinogradF2x3.tiles(w), stride = tiles + 3
                let start = framed(16 * stride) { _ in -0.0 }
                var padded = [Float](repeating: 0, count: WinogradF2x3.paddedBandSize(tileRows: band.count, width: w))
                for gradient in [false, true] {
                    var fast = start, slow = start
                    plane.withUnsafeBufferPointer { planeBuffer in
                        let source = planeBuffer.baseAddress! + margin
                        fast.withUnsafeMutableBufferPointer { fastBuffer in
                            slow.withUnsafeMutableBufferPointer { slowBuffer in
                                let fastValues = fastBuffer.baseAddress! + margin, slowValues = slowBuffer.baseAddress! + margin
                                if gradient {
                                    WinogradF2x3.transformOutputGradient(plane: source, height: h, width: w, tileRows: band,
                                                                         values: fastValues, stride: stride, isa: isa)
                                    WinogradF2x3.transformOutputGradientPortable(plane: source, height: h, width: w,
                                                                                 tileRows: band, values: slowValues, stride: stride)
                                } else {
                                    padded.withUnsafeMutableBufferPointer { scratch in
                                        WinogradF2x3.transformInput(plane: source, height: h, width: w, tileRows: band,
                                                                    values: fastValues, stride: stride, padded: scratch.baseAddress!,
                                                                    isa: isa)
                                        WinogradF2x3.transformInputPortable(plane: source, height: h, width: w, tileRows: band,
                                                                            values: slowValues, stride: stride,
                                                                            padded: scratch.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                    XCTAssertEqual(fast.map(\.bitPattern), slow.map(\.bitPattern),
                                   "\(isa): \(gradient ? "output-gradient" : "input") transform, \(h)x\(w), tile rows \(band)")
                    XCTAssertNotEqual(fast.map(\.bitPattern), start.map(\.bitPattern), "the transform wrote nothing")
                }
            }
        }
    }

    private func checkOutputTransform(_ isa: VectorISA) {
        var random = SeededRandom(seed: 92)
        for (h, w) in sizes {
            for band in bands(WinogradF2x3.tiles(h)) {
                let tiles = band.count * WinogradF2x3.tiles(w), stride = tiles + 5
                // Values outside the band's tiles are sentinels too: reading them would show.
                let values = framed(16 * stride) { index in index % stride < tiles ? AwkwardFloats.next(&random, oneIn: 12) : self.sentinel }
                let start = framed(h * w) { _ in AwkwardFloats.next(&random, oneIn: 12) }
                for accumulate in [false, true] {
                    var fast = start, slow = start
                    values.withUnsafeBufferPointer { valuesBuffer in
                        let source = valuesBuffer.baseAddress! + margin
                        fast.withUnsafeMutableBufferPointer { fastBuffer in
                            WinogradF2x3.transformOutput(values: source, stride: stride, tileRows: band,
                                                         plane: fastBuffer.baseAddress! + margin, height: h, width: w,
                                                         accumulate: accumulate, isa: isa)
                        }
                        slow.withUnsafeMutableBufferPointer { slowBuffer in
                            WinogradF2x3.transformOutputPortable(values: source, stride: stride, tileRows: band,
                                                                 plane: slowBuffer.baseAddress! + margin, height: h, width: w,
                                                                 accumulate: accumulate)
                        }
                    }
                    XCTAssertEqual(fast.map(\.bitPattern), slow.map(\.bitPattern),
                                   "\(isa): output transform, \(h)x\(w), tile rows \(band), accumulate \(accumulate)")
                    XCTAssertNotEqual(fast.map(\.bitPattern), start.map(\.bitPattern), "the transform wrote nothing")
                }
            }
        }
    }
}
