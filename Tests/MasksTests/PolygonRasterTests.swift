// frPoly / frBbox / annToRLE-style merges against pycocotools, bit for bit: counts,
// compressed string, area and bounding box of every fixture case.
import SharedData
import SharedMasks
import XCTest

final class PolygonRasterTests: XCTestCase {
    func testSinglePolygonsMatchPycocotools() throws {
        let cases = try MaskFixtures.cases("mask_synthetic.json", "polygons")
        XCTAssertEqual(cases.count, 163)
        for (index, item) in cases.enumerated() {
            let rle = RLE(polygon: item.doubles("polygon"), height: item.int("height"), width: item.int("width"))
            XCTAssertEqual(rle.counts, item.counts("counts"), "polygon case \(index): \(item.doubles("polygon"))")
            XCTAssertEqual(rle.compressedString, item.string("string"), "polygon case \(index)")
            XCTAssertEqual(rle.area, item.int("area"), "polygon case \(index)")
            XCTAssertEqual(values(rle.boundingBox), item.doubles("bbox"), "polygon case \(index)")
        }
    }

    func testBoxesMatchPycocotools() throws {
        let cases = try MaskFixtures.cases("mask_synthetic.json", "boxes")
        XCTAssertEqual(cases.count, 60)
        for (index, item) in cases.enumerated() {
            let rle = RLE(box: box(item.doubles("box")), height: item.int("height"), width: item.int("width"))
            XCTAssertEqual(rle.counts, item.counts("counts"), "box case \(index): \(item.doubles("box"))")
            XCTAssertEqual(rle.area, item.int("area"), "box case \(index)")
        }
    }

    func testMultiPolygonObjectsMatchPycocotools() throws {
        let cases = try MaskFixtures.cases("mask_synthetic.json", "objects")
        XCTAssertEqual(cases.count, 40)
        for (index, item) in cases.enumerated() {
            let segmentation = Segmentation.polygons(item.doubleLists("polygons"))
            let rle = try RLE(segmentation: segmentation, height: item.int("height"), width: item.int("width"))
            XCTAssertEqual(rle.counts, item.counts("counts"), "object case \(index)")
            XCTAssertEqual(rle.compressedString, item.string("string"), "object case \(index)")
            XCTAssertEqual(rle.area, item.int("area"), "object case \(index)")
            XCTAssertEqual(values(rle.boundingBox), item.doubles("bbox"), "object case \(index)")
        }
    }

    /// A hand-checked case: the square [1,4] x [1,4] covers the pixel centres 1..3 in both
    /// axes (a pixel is on iff its centre is inside, half-open).
    func testSquareCoversPixelCentresInside() {
        let rle = RLE(polygon: [1, 1, 4, 1, 4, 4, 1, 4], height: 6, width: 6)
        let mask = rle.decodeRowMajor()
        for y in 0..<6 {
            for x in 0..<6 {
                let inside = (1...3).contains(x) && (1...3).contains(y)
                XCTAssertEqual(mask[y * 6 + x], inside ? 1 : 0, "pixel (\(x), \(y))")
            }
        }
        XCTAssertEqual(rle.area, 9)
        XCTAssertEqual(rle.boundingBox, BoxXYWH(x: 1, y: 1, width: 3, height: 3))
    }

    func testDegenerateFirstPolygonIsAnErrorLikePycocotools() {
        XCTAssertThrowsError(try RLE(segmentation: .polygons([[1, 2, 3, 4]]), height: 5, width: 5))
        XCTAssertThrowsError(try RLE(segmentation: .polygons([[1, 2]]), height: 5, width: 5))
        XCTAssertEqual(try RLE(segmentation: .polygons([]), height: 5, width: 5).area, 0)
    }
}

final class PolygonRobustnessTests: XCTestCase {
    /// Coordinates beyond Int32 after the x5 upsampling must not trap (C truncates to INT_MIN).
    func testHugeCoordinatesDoNotTrap() {
        let rle = RLE(polygon: [1e12, 1e12, 2e12, 1e12, 2e12, 2e12], height: 4, width: 4)
        XCTAssertEqual(rle.area, 0)
    }

    func testFarAwayCoordinatesAreAnErrorInSegmentations() {
        XCTAssertThrowsError(try RLE(segmentation: .polygons([[0, 0, 5e8, 0, 5, 5]]), height: 10, width: 10))
        XCTAssertNoThrow(try RLE(segmentation: .polygons([[0, 0, -50, 0, 5, 500]]), height: 10, width: 10))
    }
}
