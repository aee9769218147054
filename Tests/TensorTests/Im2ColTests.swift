// im2col / col2im against their naive references (strides, padding, odd sizes, columns of
// several images side by side), col2im as the adjoint of im2col, and the NCHW <->
// channel-major moves.
import XCTest
@testable import SharedSupport
@_spi(Kernels) @testable import SharedTensor

final class Im2ColTests: XCTestCase {
    let windows = [
        ConvWindow(channels: 3, height: 7, width: 6, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
        ConvWindow(channels: 2, height: 9, width: 8, kernelH: 3, kernelW: 3, stride: 2, padding: 1),
        ConvWindow(channels: 2, height: 11, width: 10, kernelH: 7, kernelW: 7, stride: 2, padding: 3),
        ConvWindow(channels: 4, height: 5, width: 5, kernelH: 1, kernelW: 1, stride: 2, padding: 0),
        ConvWindow(channels: 1, height: 4, width: 5, kernelH: 3, kernelW: 2, stride: 1, padding: 0),
        ConvWindow(channels: 2, height: 3, width: 3, kernelH: 3, kernelW: 3, stride: 3, padding: 2),
        ConvWindow(channels: 2, height: 4, width: 37, kernelH: 3, kernelW: 3, stride: 1, padding: 1),  // SIMD rows
    ]

    func testIm2ColMatchesReferenceWithLeadingDimension() {
        var random = SeededRandom(seed: 41)
        for window in windows {
            for parallelism in [Parallelism.serial, Parallelism(threads: 2)] {
                let image = (0..<(window.channels * window.height * window.width)).map { _ in random.nextFloat() - 0.5 }
                let expected = Im2Col.im2colReference(image, window)
                let k = window.rows, l = window.columns, ld = l + 3
                var col = [Float](repeating: .nan, count: k * ld)
                image.withUnsafeBufferPointer { img in
                    col.withUnsafeMutableBufferPointer { c in
                        Im2Col.im2col(img.baseAddress!, window, col: c.baseAddress!, ldCol: ld, parallelism: parallelism)
                    }
                }
                for row in 0..<k {
                    XCTAssertEqual(Array(col[(row * ld)..<(row * ld + l)]), Array(expected[(row * l)..<((row + 1) * l)]),
                                   "\(window) row \(row)")
                    XCTAssertTrue(col[row * ld + l].isNaN, "columns past L untouched")
                }
            }
        }
    }

    func testCol2ImMatchesReferenceAndIsTheAdjoint() {
        var random = SeededRandom(seed: 42)
        for window in windows {
            let k = window.rows, l = window.columns, size = window.channels * window.height * window.width
            let col = (0..<(k * l)).map { _ in random.nextFloat() - 0.5 }
            let start = (0..<size).map { _ in random.nextFloat() }
            var fast = start
            col.withUnsafeBufferPointer { c in
                fast.withUnsafeMutableBufferPointer { img in
                    Im2Col.col2im(c.baseAddress!, ldCol: l, window, image: img.baseAddress!, parallelism: Parallelism(threads: 2))
                }
            }
            let slow = Im2Col.col2imReference(col, window, image: start)
            for i in 0..<size { XCTAssertEqual(fast[i], slow[i], accuracy: 1e-5, "\(window) at \(i)") }
            // <im2col(x), c> == <x, col2im(c)>
            let x = (0..<size).map { _ in random.nextFloat() - 0.5 }
            let lhs = zip(Im2Col.im2colReference(x, window), col).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let back = Im2Col.col2imReference(col, window, image: [Float](repeating: 0, count: size))
            let rhs = zip(x, back).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4)
        }
    }

    func testChannelMajorRoundTrip() {
        let n = 3, c = 4, p = 5
        let batch = Tensor(shape: [n, c, 1, p], values: (0..<(n * c * p)).map(Float.init))
        let major = Tensor(shape: [c, n * p]), back = Tensor(shape: batch.shape)
        ChannelMajor.gather(batch.data, n: n, c: c, p: p, into: major.data, parallelism: Parallelism(threads: 2))
        XCTAssertEqual(major[2, 1 * p + 3], batch[1, 2, 0, 3])
        ChannelMajor.scatter(major.data, n: n, c: c, p: p, into: back.data, parallelism: .serial)
        XCTAssertEqual(back.toArray(), batch.toArray())
    }
}
