// The raw-buffer RLE kernels against naive pixel versions on seeded random masks (decode,
// area, box, IoU), and against pycocotools on RLEs with empty runs, which only the
// kernels' run arithmetic sees.
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

    /// Naive versions over the decoded column-major pixels.
    func pixels(_ rle: RLE) -> [UInt8] { rle.decodeColumnMajor() }

    func naiveBox(_ mask: [UInt8], height: Int, width: Int) -> BoxXYWH {
        var xs = width, ys = height, xe = -1, ye = -1
        for x in 0..<width { for y in 0..<height where mask[x * height + y] != 0 {
            xs = min(xs, x); xe = max(xe, x); ys = min(ys, y); ye = max(ye, y)
        } }
        if xe < 0 { return BoxXYWH(x: 0, y: 0, width: 0, height: 0) }
        return BoxXYWH(x: Double(xs), y: Double(ys), width: Double(xe - xs + 1), height: Double(ye - ys + 1))
    }

    func testKernelsAgreeWithNaivePixelVersions() {
        var random = SeededRandom(seed: 7)
        for trial in 0..<300 {
            let height = 1 + random.nextInt(below: 40), width = 1 + random.nextInt(below: 40)
            let a = randomMask(&random, height: height, width: width)
            let b = randomMask(&random, height: height, width: width)
            let pa = pixels(a), pb = pixels(b)
            var counts: [UInt32] = []
            a.compressedBytes.withUnsafeBufferPointer { _ = RunLengthKernels.decode($0, into: &counts) }
            XCTAssertEqual(counts, a.counts, "trial \(trial): decode")
            a.counts.withUnsafeBufferPointer { ra in
                b.counts.withUnsafeBufferPointer { rb in
                    let areaA = pa.reduce(0) { $0 + Int($1) }
                    XCTAssertEqual(Int(RunLengthKernels.area(ra)), areaA, "trial \(trial): area")
                    if areaA > 0 {  // an empty mask has runs, and pycocotools gives it a degenerate box
                        XCTAssertEqual(RunLengthKernels.boundingBox(ra, height: height, width: width),
                                       naiveBox(pa, height: height, width: width), "trial \(trial): box")
                    }
                    let intersection = zip(pa, pb).reduce(0) { $0 + Int($1.0 & $1.1) }
                    let union = zip(pa, pb).reduce(0) { $0 + Int($1.0 | $1.1) }
                    for crowd in [false, true] {
                        let expected = intersection == 0 ? 0 : Double(intersection) / Double(crowd ? areaA : union)
                        XCTAssertEqual(RunLengthKernels.iou(ra, rb, crowd: crowd, detectionArea: UInt32(areaA)), expected,
                                       "trial \(trial): iou crowd=\(crowd)")
                    }
                }
            }
        }
    }

    /// Regression (detect-eval once used maskApi.c's older rleToBbox): RLEs with empty runs,
    /// expected boxes from pycocotools 2.0.11:
    ///   python3 -c "import pycocotools.mask as m; r = m.frPyObjects({'size': [4, 4], 'counts': C}, 4, 4); print(m.toBbox(r))"
    func testBoundingBoxOfRLEsWithEmptyRunsMatchesPycocotools() {
        let cases: [([UInt32], BoxXYWH)] = [
            ([2, 0, 3, 1, 10], BoxXYWH(x: 1, y: 1, width: 1, height: 1)),
            ([0, 0, 5, 3, 8], BoxXYWH(x: 1, y: 1, width: 1, height: 3)),
            ([3, 2, 0, 4, 7], BoxXYWH(x: 0, y: 0, width: 3, height: 4)),
            ([1, 0, 14, 1], BoxXYWH(x: 3, y: 3, width: 1, height: 1)),
            ([5, 0, 11], BoxXYWH(x: 4, y: 4, width: 4_294_967_293, height: 4_294_967_293)),
        ]
        for (counts, expected) in cases {
            XCTAssertEqual(RLE(height: 4, width: 4, counts: counts).boundingBox, expected, "\(counts)")
        }
    }
}
