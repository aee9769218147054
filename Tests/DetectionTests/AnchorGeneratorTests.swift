// Anchors: mmdetection v2 base anchors (hand-computed), grid order and shifts, counts per
// level, valid flags for padded images and the allowed-border filter.
import XCTest
@testable import SharedDetection

final class AnchorGeneratorTests: XCTestCase {
    func testBaseAnchorsOfStride4AreHandComputed() {
        let generator = AnchorGenerator()
        XCTAssertEqual(generator.anchorsPerLocation, 3)
        let base = generator.baseAnchors(level: 0)
        // ratio 0.5: w = 4 * sqrt(2) * 8 = 45.2548, h = 4 / sqrt(2) * 8 = 22.6274; ratio 1: 32 x 32; ratio 2: transposed.
        let w = Float(4 * 2.0.squareRoot() * 8), h = Float(4 / 2.0.squareRoot() * 8)
        assertClose(base[0], Box(x1: -w / 2, y1: -h / 2, x2: w / 2, y2: h / 2), tolerance: 1e-5)
        assertClose(base[1], Box(x1: -16, y1: -16, x2: 16, y2: 16), tolerance: 1e-6)
        assertClose(base[2], Box(x1: -h / 2, y1: -w / 2, x2: h / 2, y2: w / 2), tolerance: 1e-5)
        for (level, stride) in [4, 8, 16, 32, 64].enumerated() {
            let square = generator.baseAnchors(level: level)[1]
            XCTAssertEqual(square.width, Float(8 * stride), accuracy: 1e-4)
            for anchor in generator.baseAnchors(level: level) {
                XCTAssertEqual(anchor.area, Float(64 * stride * stride), accuracy: Float(stride * stride) * 1e-3)
                XCTAssertEqual(anchor.centerX, 0, accuracy: 1e-5)
            }
        }
    }

    func testGridOrderIsLocationMajorWithCornerCentres() {
        let generator = AnchorGenerator()
        let anchors = generator.gridAnchors(level: 1, featureHeight: 3, featureWidth: 5)
        XCTAssertEqual(anchors.count, 3 * 5 * 3)
        let base = generator.baseAnchors(level: 1)
        for y in 0..<3 {
            for x in 0..<5 {
                for a in 0..<3 {
                    let anchor = anchors[(y * 5 + x) * 3 + a]
                    XCTAssertEqual(anchor.centerX, Float(x * 8), accuracy: 1e-4)
                    XCTAssertEqual(anchor.centerY, Float(y * 8), accuracy: 1e-4)
                    XCTAssertEqual(anchor.width, base[a].width, accuracy: 1e-4)
                }
            }
        }
    }

    func testCenterOffsetMovesCentresToCellMiddles() {
        let generator = AnchorGenerator(strides: [16], ratios: [1], scales: [2], centerOffset: 0.5)
        let anchors = generator.gridAnchors(level: 0, featureHeight: 2, featureWidth: 2)
        XCTAssertEqual(anchors[3], Box(x1: 8, y1: 8, x2: 40, y2: 40))
    }

    func testValidFlagsCoverTheUnpaddedImage() {
        let generator = AnchorGenerator()
        // Image 30 x 20 padded to 32 x 32: stride 8 gives a 4 x 4 map, valid 4 columns (ceil(30/8)) x 3 rows (ceil(20/8)).
        let flags = generator.validFlags(level: 1, featureHeight: 4, featureWidth: 4, validSize: ImageSize(width: 30, height: 20))
        XCTAssertEqual(flags.count, 4 * 4 * 3)
        for y in 0..<4 {
            for x in 0..<4 {
                for a in 0..<3 { XCTAssertEqual(flags[(y * 4 + x) * 3 + a], y < 3, "cell (\(x), \(y))") }
            }
        }
    }

    func testAllowedBorder() {
        let anchors = [Box(x1: -2, y1: 0, x2: 10, y2: 10), Box(x1: 0, y1: 0, x2: 10, y2: 10), Box(x1: 0, y1: 0, x2: 20, y2: 10)]
        let size = ImageSize(width: 20, height: 20)
        XCTAssertEqual(anchorInsideFlags(anchors, validFlags: [true, true, true], imageSize: size, allowedBorder: -1), [true, true, true])
        XCTAssertEqual(anchorInsideFlags(anchors, validFlags: [true, false, true], imageSize: size, allowedBorder: 0), [false, false, false])
        XCTAssertEqual(anchorInsideFlags(anchors, validFlags: [true, true, true], imageSize: size, allowedBorder: 1), [false, true, true])
        XCTAssertEqual(anchorInsideFlags(anchors, validFlags: [true, true, true], imageSize: size, allowedBorder: 2), [true, true, true])
    }
}
