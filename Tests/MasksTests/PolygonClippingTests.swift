// The clipped rasteriser (only the boundary points that reach an image column) against
// pycocotools on polygons outside the image (mask_clipping.json) and against the dense-walk
// reference (maskApi.c's rleFrPoly transcribed), count for count, on seeded polygons inside,
// around and far outside the image, on rounding-prone coordinates, and with the run-start
// reduction forced; and its cost on coordinates the walk cannot afford.
import SharedData
@testable import SharedMasks
import SharedSupport
import XCTest

final class PolygonClippingTests: XCTestCase {
    /// A polygon of 1-12 vertices whose coordinates spread `reach` image sizes around the image.
    private func randomPolygon(_ random: inout SeededRandom, height: Int, width: Int, reach: Double) -> [Double] {
        let vertices = 1 + random.nextInt(below: 12)
        var xy: [Double] = []
        for _ in 0..<vertices {
            for size in [Double(width), Double(height)] {
                var value = (random.nextDouble() * (2 * reach + 1) - reach) * size
                switch random.nextInt(below: 4) {
                case 0: value = value.rounded()                   // integers: exact upsampled vertices
                case 1: value = (value * 2).rounded() / 2         // halves: C's +0.5 rounding ties
                case 2: value = (value * 10).rounded() / 10       // tenths: inexact in binary
                default: break
                }
                xy.append(value)
            }
        }
        if random.nextInt(below: 10) == 0 { xy.append(random.nextDouble() * Double(width)) }  // odd length
        return xy
    }

    private func assertMatchesReference(_ xy: [Double], height: Int, width: Int, _ label: String,
                                        file: StaticString = #filePath, line: UInt = #line) {
        let reference = RLE.denseWalkReference(polygon: xy, height: height, width: width)
        let clipped = RLE(polygon: xy, height: height, width: width)
        XCTAssertEqual(clipped.counts, reference.counts, "\(label): \(height)x\(width) \(xy)", file: file, line: line)
        XCTAssertEqual(clipped.height, height, file: file, line: line)
        XCTAssertEqual(clipped.width, width, file: file, line: line)
    }

    func testPolygonsOutsideTheImageMatchPycocotools() throws {
        let cases = try MaskFixtures.cases("mask_clipping.json", "cases")
        XCTAssertEqual(cases.count, 232)
        var kinds: [String: Int] = [:]
        for (index, item) in cases.enumerated() {
            kinds[item.string("kind"), default: 0] += 1
            let polygons = item.doubleLists("polygons"), height = item.int("height"), width = item.int("width")
            let label = "clipping case \(index) (\(item.string("kind")))"
            let rle = try RLE(segmentation: .polygons(polygons), height: height, width: width)
            XCTAssertEqual(rle.counts, item.counts("counts"), label)
            XCTAssertEqual(rle.compressedString, item.string("string"), label)
            XCTAssertEqual(rle.area, item.int("area"), label)
            XCTAssertEqual(values(rle.boundingBox), item.doubles("bbox"), label)
            if polygons.count == 1 {
                XCTAssertEqual(RLE(polygon: polygons[0], height: height, width: width).counts, item.counts("counts"), label)
            }
        }
        XCTAssertEqual(kinds, ["around": 160, "far": 40, "object": 30, "zigzag": 2])
    }

    func testPolygonsAroundTheImageMatchTheDenseWalk() {
        var random = SeededRandom(seed: 20_240_611)
        for index in 0..<3000 {
            let height = random.nextInt(below: 33), width = random.nextInt(below: 33)
            let reach = [0.0, 0.5, 2, 10][index % 4]
            let xy = randomPolygon(&random, height: height, width: width, reach: reach)
            assertMatchesReference(xy, height: height, width: width, "case \(index)")
        }
    }

    /// Long, nearly axis-parallel edges: the y-major walks whose u changes rarely and the
    /// x-major ones whose v does, where a search for the crossing could land one step off.
    func testSteepAndFlatEdgesFarOutsideMatchTheDenseWalk() {
        var random = SeededRandom(seed: 77)
        for index in 0..<150 {
            let height = 1 + random.nextInt(below: 24), width = 1 + random.nextInt(below: 24)
            let far = Double(500 + random.nextInt(below: 5000))
            let x0 = random.nextDouble() * Double(width + 4) - 2, x1 = random.nextDouble() * Double(width + 4) - 2
            let y0 = random.nextDouble() * Double(height + 4) - 2, y1 = random.nextDouble() * Double(height + 4) - 2
            let steep = [x0, -far, x1, far, x1 + 1.3, far * 0.5, x0 - 0.7, -far * 0.9]
            let flat = [-far, y0, far, y1, far * 0.7, y1 + 2.2, -far * 0.4, y0 - 1.1]
            assertMatchesReference(steep, height: height, width: width, "steep \(index)")
            assertMatchesReference(flat, height: height, width: width, "flat \(index)")
        }
    }

    /// Hand-picked shapes: degenerate, repeated vertices, bow ties, edges along pixel-centre
    /// lines, negative coordinates (C truncates toward zero there), zero-size images.
    func testEdgeCasesMatchTheDenseWalk() {
        let cases: [(Int, Int, [Double])] = [
            (10, 10, []), (10, 10, [3]), (10, 10, [3, 3]), (10, 10, [1, 1, 8, 8]),
            (10, 10, [2, 2, 2, 2, 8, 2, 8, 8, 8, 8, 2, 8]), (10, 10, [0, 0, 9, 9, 9, 0, 0, 9]),
            (10, 10, [-0.5, -0.5, 10.5, -0.5, 10.5, 10.5, -0.5, 10.5]), (10, 10, [-3, -3, -1, 5, -2, 9]),
            (10, 10, [-0.1, 2, 4, -0.1, 9.9, 9.9]), (10, 10, [0.4, 0.4, 0.6, 0.4, 0.6, 0.6]),
            (0, 10, [1, 1, 8, 1, 8, 8]), (10, 0, [1, 1, 8, 1, 8, 8]), (0, 0, [1, 1, 8, 1, 8, 8]),
            (1, 1, [-5, -5, 5, -5, 5, 5, -5, 5]), (7, 9, [1.5, 1.5, 7.5, 1.5, 7.5, 5.5, 1.5, 5.5]),
            (5, 5, [2, -400, 2, 400, 3, 400, 3, -400]), (5, 5, [-400, 2, 400, 2, 400, 3, -400, 3]),
            (6, 6, [-1e4, -1e4, 1e4, 1e4, -1e4, 1e4]), (6, 6, [3, 3, 3, 3, 3, 3]),
        ]
        for (index, (height, width, xy)) in cases.enumerated() {
            assertMatchesReference(xy, height: height, width: width, "edge case \(index)")
        }
    }

    /// The run starts are reduced to their odd-count values every few starts instead of at
    /// the end, into the parity bitmap or (bitmap limit 0) the sorted list: the same counts
    /// (the paths a polygon with millions of crossings takes).
    func testReducingStartsEarlyGivesTheSameCounts() {
        var random = SeededRandom(seed: 5)
        for index in 0..<600 {
            let height = random.nextInt(below: 20), width = random.nextInt(below: 20)
            let xy = randomPolygon(&random, height: height, width: width, reach: [0.2, 1, 5][index % 3])
            let full = RLE(polygon: xy, height: height, width: width)
            for threshold in [1, 2, 3, 7] {
                for bitmapLimit: UInt32 in [0, 1 << 28] {
                    let reduced = RLE(polygon: xy, height: height, width: width, reductionThreshold: threshold, bitmapLimit: bitmapLimit)
                    XCTAssertEqual(reduced.counts, full.counts, "case \(index), threshold \(threshold), bitmap limit \(bitmapLimit): \(xy)")
                }
            }
        }
    }

    /// Far vertices the dense walk still affords in a debug build (about 10^6 points per
    /// edge); pycocotools' own answers at ±1e6 are in mask_clipping.json.
    func testFarCoordinatesMatchTheDenseWalk() {
        let zigzag: [Double] = [1e5, 3, -1e5, 7.5, 1e5, 12.2, -1e5, 15, 4, 1e5, 9, -1e5]
        assertMatchesReference(zigzag, height: 20, width: 16, "zig-zag ±1e5")
    }

    /// The issue's hostile polygon: 270 vertices zig-zagging between x = ±1e6 (the dense walk
    /// needs ~2.7e9 points, 21 GB). Clipped, it costs O(vertices x columns).
    func testZigZagAtAMillionIsCheap() {
        var xy: [Double] = []
        for i in 0..<270 { xy += [i % 2 == 0 ? 1e6 : -1e6, Double(i * 17 % 400) / 10 + 10] }
        let clock = Stopwatch()
        let rle = RLE(polygon: xy, height: 480, width: 640)
        XCTAssertLessThan(clock.elapsed, 5, "rasterising took \(clock.elapsed) s")
        XCTAssertEqual(rle.pixelCount, 480 * 640)
        XCTAssertGreaterThan(rle.area, 0)
        // Every column sees the same edges: the mask is the same in all of them.
        let mask = rle.decodeColumnMajor()
        for x in 1..<640 { XCTAssertEqual(mask[(x * 480)..<((x + 1) * 480)], mask[0..<480], "column \(x)") }
    }

    /// Coordinates past 32 bits after upsampling (C's INT_MIN) and non-finite ones: no trap,
    /// bounded time, the same counts as the dense walk where it can run.
    func testCoordinatesBeyondInt32AreBounded() {
        let cases: [[Double]] = [
            [1e12, 1e12, 2e12, 1e12, 2e12, 2e12],
            [1e9, 5, -1e9, 6, 3, 1e9],
            [1e39, 1, 2, 3, 4, 1e39],
            [.infinity, 1, 2, 3, 4, 5], [.nan, 1, 2, 3, 4, 5], [-.infinity, -.infinity, 3, 4, 5, .infinity],
        ]
        for xy in cases {
            let clock = Stopwatch()
            let rle = RLE(polygon: xy, height: 28, width: 28)
            XCTAssertLessThan(clock.elapsed, 1, "\(xy)")
            XCTAssertEqual(rle.pixelCount, 28 * 28, "\(xy)")
        }
        XCTAssertEqual(RLE(polygon: cases[0], height: 4, width: 4).counts,
                       RLE.denseWalkReference(polygon: cases[0], height: 4, width: 4).counts)
    }
}
