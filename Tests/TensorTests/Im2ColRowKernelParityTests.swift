// The im2col / col2im row kernels on every code path this host runs (AVX-512 and AVX2 C
// kernels for stride-1 rows, the stride-2 gather and scatter-add; the Swift baseline) against
// their Swift loops and the references, bit for bit, with signed zeros, NaNs and infinities. Rows and images end right before an
// inaccessible page, so a load or store past the last element crashes the test instead of
// passing unnoticed.
import Glibc
import XCTest
import TestValues
@testable import SharedSupport
@_spi(Kernels) @testable import SharedTensor

/// `count` floats whose last one is the last float before a page that faults when touched.
private final class GuardedFloats {
    let pointer: UnsafeMutablePointer<Float>
    private let mapping: UnsafeMutableRawPointer, length: Int

    init(count: Int) {
        let page = sysconf(Int32(_SC_PAGESIZE))
        let dataPages = (count * MemoryLayout<Float>.stride + page - 1) / page
        length = (dataPages + 1) * page
        let start = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        precondition(start != MAP_FAILED, "mmap failed")
        mapping = start
        precondition(mprotect(start + dataPages * page, page, PROT_NONE) == 0, "mprotect failed")
        pointer = (start + dataPages * page).assumingMemoryBound(to: Float.self) - count
    }

    deinit { munmap(mapping, length) }
}

final class Im2ColRowKernelParityTests: XCTestCase {
    private var counts: [Int] { Array(0...40) + [63, 64, 65, 129, 1000] }

    func testGatherStride2MatchesSwiftLoopBitForBit() {
        for isa in VectorISA.hostSupported { checkGatherStride2(isa) }
    }

    func testScatterAddStride2MatchesSwiftLoopBitForBit() {
        for isa in VectorISA.hostSupported { checkScatterAddStride2(isa) }
    }

    func testIm2ColAndCol2ImMatchReferencesBitForBit() {
        for isa in VectorISA.hostSupported { checkIm2ColAndCol2Im(isa) }
    }

    private func checkGatherStride2(_ isa: VectorISA) {
        var random = SeededRandom(seed: 61)
        for count in counts {
            let sourceCount = max(0, 2 * count - 1)   // src[0 ... 2(count - 1)]
            let source = GuardedFloats(count: sourceCount)
            for i in 0..<sourceCount { source.pointer[i] = AwkwardFloats.next(&random, oneIn: 10) }
            // One float more than written: must stay untouched.
            var fast = [Float](repeating: -0.0, count: count + 1), slow = fast
            fast.withUnsafeMutableBufferPointer {
                Im2Col.gatherStride2(source.pointer, into: $0.baseAddress!, count: count, isa: isa)
            }
            slow.withUnsafeMutableBufferPointer {
                Im2Col.gatherStride2Portable(source.pointer, into: $0.baseAddress!, count: count)
            }
            XCTAssertEqual(fast.map(\.bitPattern), slow.map(\.bitPattern), "\(isa): gather, count \(count)")
            XCTAssertEqual(fast[count].bitPattern, (-0.0 as Float).bitPattern, "\(isa): gather wrote past count \(count)")
        }
    }

    private func checkScatterAddStride2(_ isa: VectorISA) {
        var random = SeededRandom(seed: 62)
        for count in counts {
            let destinationCount = max(0, 2 * count - 1)   // dst[0 ... 2(count - 1)]
            let source = (0..<count).map { _ in AwkwardFloats.next(&random, oneIn: 10) }
            let start = (0..<destinationCount).map { _ in AwkwardFloats.next(&random, oneIn: 10) }
            let fast = GuardedFloats(count: destinationCount), slow = GuardedFloats(count: destinationCount)
            for i in 0..<destinationCount { fast.pointer[i] = start[i]; slow.pointer[i] = start[i] }
            source.withUnsafeBufferPointer { src in
                Im2Col.scatterAddStride2(src.baseAddress!, into: fast.pointer, count: count, isa: isa)
                Im2Col.scatterAddStride2Portable(src.baseAddress!, into: slow.pointer, count: count)
            }
            for i in 0..<destinationCount {
                XCTAssertEqual(fast.pointer[i].bitPattern, slow.pointer[i].bitPattern, "\(isa): scatter-add, count \(count) at \(i)")
                if i % 2 == 1 {
                    XCTAssertEqual(fast.pointer[i].bitPattern, start[i].bitPattern, "\(isa): odd element \(i) changed, count \(count)")
                }
            }
        }
    }

    /// Stride-1 and stride-2 windows of every width 1 ... 40 and 129 (odd and even; one
    /// 16-lane block, several, and a tail), kernels 1x1 to 7x7 with every padding we use.
    private var windows: [ConvWindow] {
        var windows: [ConvWindow] = []
        for stride in [1, 2] {
            for width in Array(1...40) + [129] {
                for (kernel, padding) in [(1, 0), (3, 0), (3, 1), (3, 2), (5, 2), (7, 3)] where width + 2 * padding >= kernel {
                    windows.append(ConvWindow(channels: 2, height: 3 + width % 4, width: width, kernelH: kernel, kernelW: kernel,
                                              stride: stride, padding: padding))
                }
            }
        }
        return windows
    }

    /// im2col and col2im against their references, which copy and add in the order of the
    /// Swift loops, so the comparison is of bits.
    private func checkIm2ColAndCol2Im(_ isa: VectorISA) {
        var random = SeededRandom(seed: 63)
        for window in windows {
            let k = window.rows, l = window.columns, size = window.channels * window.height * window.width
            let image = (0..<size).map { _ in AwkwardFloats.next(&random, oneIn: 10) }
            var col = [Float](repeating: 42, count: k * l)
            let imageBuffer = GuardedFloats(count: size)   // the last pixel is the last float of the tensor
            for i in 0..<size { imageBuffer.pointer[i] = image[i] }
            col.withUnsafeMutableBufferPointer { c in
                Im2Col.im2col(imageBuffer.pointer, window, col: c.baseAddress!, ldCol: l, parallelism: Parallelism(threads: 2),
                              isa: isa)
            }
            XCTAssertEqual(col.map(\.bitPattern), Im2Col.im2colReference(image, window).map(\.bitPattern), "\(isa): im2col \(window)")

            let gradient = (0..<(k * l)).map { _ in AwkwardFloats.next(&random, oneIn: 10) }
            let start = (0..<size).map { _ in AwkwardFloats.next(&random, oneIn: 10) }
            for i in 0..<size { imageBuffer.pointer[i] = start[i] }
            gradient.withUnsafeBufferPointer { c in
                Im2Col.col2im(c.baseAddress!, ldCol: l, window, image: imageBuffer.pointer, parallelism: Parallelism(threads: 2),
                              isa: isa)
            }
            let expected = Im2Col.col2imReference(gradient, window, image: start)
            XCTAssertEqual((0..<size).map { imageBuffer.pointer[$0].bitPattern }, expected.map(\.bitPattern),
                           "\(isa): col2im \(window)")
        }
    }
}
