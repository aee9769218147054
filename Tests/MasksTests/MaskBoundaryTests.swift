// Boundary masks (boundary-iou-api's mask_to_boundary) against the reference itself on the
// cases of scripts/fixtures/make_boundary_fixtures.py (mask_boundary.json: OpenCV's erosion on
// synthetic and real COCO / LVIS masks, dilation ratios 0 to 3, .5 roundings), bit for bit,
// and the run kernel against the naive pixel erosion on seeded random masks.
import SharedData
import SharedMasks
import SharedSupport
import XCTest

final class MaskBoundaryTests: XCTestCase {
    func testBoundariesAreTheReferencesBitForBit() throws {
        let cases = try MaskFixtures.cases("mask_boundary.json", "cases")
        XCTAssertGreaterThan(cases.count, 100)
        var real = 0
        for c in cases {
            let name = "\(c["name"] as? String ?? "?") ratio \(c["dilation_ratio"] as? Double ?? .nan)"
            let height = c.int("height"), width = c.int("width")
            let ratio = try XCTUnwrap(c["dilation_ratio"] as? Double)
            let mask = try RLE(compressedString: try XCTUnwrap(c["mask"] as? String), height: height, width: width)
            let expected = try RLE(compressedString: try XCTUnwrap(c["boundary"] as? String), height: height, width: width)
            XCTAssertEqual(mask.area, c.int("mask_area"), "\(name): mask decoded")
            XCTAssertEqual(MaskBoundary.dilation(height: height, width: width, ratio: ratio), c.int("dilation"), "\(name): dilation")
            let boundary = mask.boundary(dilationRatio: ratio)
            XCTAssertEqual(boundary.counts, expected.counts, "\(name): boundary runs")
            XCTAssertEqual(boundary.area, c.int("boundary_area"), "\(name): boundary area")
            if (c["name"] as? String)?.hasPrefix("coco_") == true || (c["name"] as? String)?.hasPrefix("lvis_") == true { real += 1 }
        }
        XCTAssertGreaterThanOrEqual(real, 40, "real COCO / LVIS masks among the cases")
    }

    /// The naive reference (iterated 3x3 erosion of the zero-padded pixels) is itself the
    /// reference's on the fixture's small masks.
    func testNaiveReferenceMatchesTheFixtures() throws {
        var checked = 0
        for c in try MaskFixtures.cases("mask_boundary.json", "cases") where c.int("height") * c.int("width") <= 5000 {
            let height = c.int("height"), width = c.int("width")
            let mask = try RLE(compressedString: try XCTUnwrap(c["mask"] as? String), height: height, width: width)
            let expected = try RLE(compressedString: try XCTUnwrap(c["boundary"] as? String), height: height, width: width)
            XCTAssertEqual(mask.boundaryReference(dilation: c.int("dilation")).counts, expected.counts, "\(c["name"] ?? "?")")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 40)
    }

    /// Random masks (blobs, noise, holes, empty runs in the RLE), sizes 1-48, every dilation
    /// from 1 past the size: the run kernel equals the pixel erosion.
    func testRunKernelEqualsPixelErosion() {
        var random = SeededRandom(seed: 2021)
        for trial in 0..<400 {
            let height = 1 + random.nextInt(below: 48), width = 1 + random.nextInt(below: 48)
            var pixels = [UInt8](repeating: 0, count: height * width)
            switch random.nextInt(below: 4) {
            case 0:  // noise
                let density = 1 + random.nextInt(below: 9)
                for i in pixels.indices where random.nextInt(below: 10) < density { pixels[i] = 1 }
            default:  // boxes, some with holes
                for _ in 0..<(1 + random.nextInt(below: 4)) {
                    let x0 = random.nextInt(below: width), y0 = random.nextInt(below: height)
                    let x1 = min(width, x0 + 1 + random.nextInt(below: width)), y1 = min(height, y0 + 1 + random.nextInt(below: height))
                    let value: UInt8 = random.nextInt(below: 4) == 0 ? 0 : 1
                    for x in x0..<x1 { for y in y0..<y1 { pixels[x * height + y] = value } }
                }
            }
            var mask = RLE(columnMajorMask: pixels, height: height, width: width)
            if trial % 7 == 0 && mask.counts.count > 2 {
                // The same mask with a run split by an empty background run: decodes the same.
                let i = 1 + 2 * random.nextInt(below: mask.counts.count / 2)
                if i < mask.counts.count && mask.counts[i] >= 2 {
                    let run = mask.counts[i], first = 1 + UInt32(random.nextInt(below: Int(run) - 1))
                    mask.counts.replaceSubrange(i...i, with: [first, 0, run - first])
                }
            }
            let dilation = 1 + random.nextInt(below: max(height, width) + 2)
            XCTAssertEqual(mask.boundary(dilation: dilation).counts, mask.boundaryReference(dilation: dilation).counts,
                           "trial \(trial): \(height)x\(width), dilation \(dilation)")
        }
    }

    /// Columns with several intervals left after the vertical erosion (horizontal bands, a ring)
    /// take the kernel's doubling path, single-interval columns its sliding-window path: both
    /// equal the pixel erosion.
    func testBothErosionPathsEqualPixelErosion() {
        let height = 40, width = 37
        var bands = [UInt8](repeating: 0, count: height * width)
        var ring = bands
        for x in 2..<35 {
            for y in 3..<15 { bands[x * height + y] = 1 }
            for y in 22..<38 { bands[x * height + y] = 1 }
            for y in 5..<35 where !(12..<26).contains(x) || !(14..<26).contains(y) { ring[x * height + y] = 1 }
        }
        var convex = [UInt8](repeating: 0, count: height * width)
        for x in 0..<width { for y in max(0, 20 - x)..<min(height, 20 + x) { convex[x * height + y] = 1 } }
        for (name, pixels) in [("bands", bands), ("ring", ring), ("convex", convex)] {
            let mask = RLE(columnMajorMask: pixels, height: height, width: width)
            for dilation in [1, 2, 3, 5, 8, 13, 19] {
                XCTAssertEqual(mask.boundary(dilation: dilation), mask.boundaryReference(dilation: dilation), "\(name), dilation \(dilation)")
            }
        }
    }

    /// Our own limits (the reference's rounding is checked by every fixture case's `dilation`,
    /// .5 cases included): NaN gives 1, huge ratios are capped instead of overflowing, and any
    /// dilation past the mask's size erodes it whole.
    func testDilationLimits() {
        XCTAssertEqual(MaskBoundary.dilation(height: 3, width: 4, ratio: .nan), 1)
        XCTAssertEqual(MaskBoundary.dilation(height: 3, width: 4, ratio: -5), 1)
        XCTAssertEqual(MaskBoundary.dilation(height: 3, width: 4, ratio: 1e300), MaskBoundary.maximumDilation)
        XCTAssertEqual(MaskBoundary.dilation(height: 3, width: 4, ratio: .infinity), MaskBoundary.maximumDilation)
        let mask = RLE(columnMajorMask: [UInt8](repeating: 1, count: 12), height: 3, width: 4)
        for dilation in [4, 1_000_000, MaskBoundary.maximumDilation] {
            XCTAssertEqual(mask.boundary(dilation: dilation), mask, "dilation \(dilation)")
        }
    }

    func testEmptyAndFullMasks() {
        let empty = RLE.empty(height: 5, width: 7)
        XCTAssertEqual(empty.boundary(), empty)
        XCTAssertEqual(RLE.empty(height: 0, width: 3).boundary(dilation: 1).area, 0)
        // A full mask erodes from the image border (the reference's zero padding).
        let full = RLE(columnMajorMask: [UInt8](repeating: 1, count: 35), height: 5, width: 7)
        for dilation in 1...4 {
            XCTAssertEqual(full.boundary(dilation: dilation), full.boundaryReference(dilation: dilation), "dilation \(dilation)")
        }
        XCTAssertLessThan(full.boundary(dilation: 1).area, full.area)
    }
}
