// The evaluator's allocation-free mask kernels against SharedMasks' RLE API (itself
// bit-exact with pycocotools) on seeded random masks: decode, area, box and IoU agree.
@testable import SharedEval
import SharedData
import SharedMasks
import SharedSupport
import XCTest

final class RunLengthKernelTests: XCTestCase {
    /// A random column-major mask of blobs (boxes), sometimes empty or full.
    func randomMask(_ random: inout SeededRandom, height: Int, width: Int) -> RLE {
        var mask = [UInt8](repeating: 0, count: height * width)
        let kind = random.nextInt(below: 10)
        if kind == 0 { return RLE(columnMajorMask: mask, height: height, width: width) }
        if kind == 1 { return RLE(columnMajorMask: [UInt8](repeating: 1, count: height * width), height: height, width: width) }
        for _ in 0..<(1 + random.nextInt(below: 3)) {
            let x0 = random.nextInt(below: width), y0 = random.nextInt(below: height)
            let x1 = min(width, x0 + 1 + random.nextInt(below: width)), y1 = min(height, y0 + 1 + random.nextInt(below: height))
            for x in x0..<x1 { for y in y0..<y1 { mask[x * height + y] = 1 } }
        }
        return RLE(columnMajorMask: mask, height: height, width: width)
    }

    func testKernelsAgreeWithTheMaskAPI() {
        var random = SeededRandom(seed: 7)
        for trial in 0..<300 {
            let height = 1 + random.nextInt(below: 40), width = 1 + random.nextInt(below: 40)
            let a = randomMask(&random, height: height, width: width)
            let b = randomMask(&random, height: height, width: width)
            var counts: [UInt32] = []
            a.compressedBytes.withUnsafeBufferPointer { _ = RunLengthKernels.decode($0, into: &counts) }
            XCTAssertEqual(counts, a.counts, "trial \(trial): decode")
            a.counts.withUnsafeBufferPointer { ra in
                b.counts.withUnsafeBufferPointer { rb in
                    XCTAssertEqual(Int(RunLengthKernels.area(ra)), a.area, "trial \(trial): area")
                    XCTAssertEqual(RunLengthKernels.boundingBox(ra, height: height, width: width), a.boundingBox, "trial \(trial): box")
                    for crowd in [false, true] {
                        XCTAssertEqual(RunLengthKernels.iou(ra, rb, crowd: crowd, detectionArea: UInt32(a.area)),
                                       maskIoU(a, b, isCrowd: crowd), "trial \(trial): iou crowd=\(crowd)")
                    }
                }
            }
        }
    }
}
