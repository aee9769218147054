// The run bound of a polygon's mask, known from its vertices before rasterising: never below
// the runs the rasteriser makes (seeded polygons inside, around and far outside the image),
// tight on a rectangle, and `RLE(segmentation:)` refusing a mask over `RLE.maximumRuns`
// without making it (issue "Hostile input": a 20 KB polygon asked for a million runs).
import SharedData
@testable import SharedMasks
import SharedSupport
import XCTest

final class PolygonRunBoundTests: XCTestCase {
    func testBoundIsNeverBelowTheRunsMade() {
        var random = SeededRandom(seed: 2024)
        for index in 0..<600 {
            let height = 1 + random.nextInt(below: 60), width = 1 + random.nextInt(below: 60)
            let reach = [0.0, 1, 4][index % 3]
            var xy: [Double] = []
            for _ in 0..<(1 + random.nextInt(below: 14)) {
                xy.append((random.nextDouble() * (2 * reach + 1) - reach) * Double(width))
                xy.append((random.nextDouble() * (2 * reach + 1) - reach) * Double(height))
            }
            let runs = RLE(polygon: xy, height: height, width: width).counts.count
            let bound = RLE.runBound(polygon: xy, height: height, width: width)
            XCTAssertLessThanOrEqual(runs, bound, "\(height)x\(width) \(xy)")
            // At most one start per column per edge, one per vertex, and the last run.
            XCTAssertLessThanOrEqual(bound, (xy.count / 2) * (width + 1) + 1, "\(xy)")
        }
    }

    /// A rectangle over columns 2...9: its two vertical edges make no start, the two
    /// horizontal ones one per column each; the bound adds one per vertex and the last run.
    func testRectangleBoundIsTight() {
        let rectangle: [Double] = [2, 3, 2, 7, 10, 7, 10, 3]
        let mask = RLE(polygon: rectangle, height: 12, width: 16)
        XCTAssertEqual(mask.counts.count, 2 * 8 + 1)
        XCTAssertEqual(RLE.runBound(polygon: rectangle, height: 12, width: 16), 2 * 8 + 4 + 1)
        XCTAssertEqual(RLE.runBound(polygon: [], height: 12, width: 16), 1)
        let union = Segmentation.polygons([rectangle, rectangle])
        XCTAssertEqual(RLE.runBound(segmentation: union, height: 12, width: 16), 2 * (2 * 8 + 4 + 1))
        XCTAssertEqual(RLE.runBound(segmentation: .uncompressedRLE(height: 12, width: 16, counts: [192]), height: 12, width: 16), 0)
    }

    /// Coordinates far outside cost nothing: the bound counts image columns, not coordinates.
    func testFarCoordinatesAreBoundedByTheImage() {
        let zigzag: [Double] = (0..<400).flatMap { i -> [Double] in [i % 2 == 0 ? 1e9 : -1e9, Double(i % 40)] }
        XCTAssertLessThanOrEqual(RLE.runBound(polygon: zigzag, height: 48, width: 64), 400 * 65 + 1)
    }

    /// A zig-zag of 1700 vertices across a 640-wide image (about 17 KB of json) would make a
    /// mask of over a million runs: refused by its bound at once, naming the limit; one of 1600
    /// vertices (just under the limit) is made and equals the unchecked rasteriser's mask.
    func testSegmentationOverTheRunLimitIsRefusedBeforeRasterising() throws {
        func zigzag(_ vertices: Int) -> [Double] {
            (0..<vertices).flatMap { i -> [Double] in [i % 2 == 0 ? 639.5 : 0.2, Double(i * 7 % 4700) / 10 + 0.3] }
        }
        let over = zigzag(1700)
        XCTAssertGreaterThan(RLE.runBound(polygon: over, height: 480, width: 640), RLE.maximumRuns)
        let clock = Date()
        XCTAssertThrowsError(try RLE(segmentation: .polygons([over]), height: 480, width: 640)) { error in
            let message = (error as? ToolError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("over the limit of 1048576 runs per mask"), message)
            XCTAssertNotNil((error as? ToolError)?.hint)
        }
        XCTAssertLessThan(Date().timeIntervalSince(clock), 0.5, "refused from the vertices, not rasterised")
        // Two parts each under the limit whose union bound is over it: refused too.
        let half = zigzag(900)
        XCTAssertLessThanOrEqual(RLE.runBound(polygon: half, height: 480, width: 640), RLE.maximumRuns)
        XCTAssertThrowsError(try RLE(segmentation: .polygons([half, half]), height: 480, width: 640))
        let under = zigzag(160)
        XCTAssertEqual(try RLE(segmentation: .polygons([under]), height: 480, width: 640),
                       RLE(polygons: [under], height: 480, width: 640))
    }
}
