// Box geometry: area, clipping, scaling and horizontal flip on hand-computed cases and as
// properties (flip twice = identity, clipped boxes lie inside the image).
import XCTest
@testable import SharedDetection

final class BoxTransformTests: XCTestCase {
    func testAreaWidthHeightCentre() {
        let box = Box(x1: 2, y1: 3, x2: 12, y2: 8)
        XCTAssertEqual(box.width, 10); XCTAssertEqual(box.height, 5); XCTAssertEqual(box.area, 50)
        XCTAssertEqual(box.centerX, 7); XCTAssertEqual(box.centerY, 5.5)
        XCTAssertEqual(Box(x1: 5, y1: 5, x2: 4, y2: 9).area, 0)
        XCTAssertEqual(Box(centerX: 7, centerY: 5.5, width: 10, height: 5), box)
    }

    func testClipping() {
        let size = ImageSize(width: 100, height: 50)
        XCTAssertEqual(Box(x1: -5, y1: -1, x2: 120, y2: 60).clipped(to: size), Box(x1: 0, y1: 0, x2: 100, y2: 50))
        XCTAssertEqual(Box(x1: 10, y1: 10, x2: 20, y2: 20).clipped(to: size), Box(x1: 10, y1: 10, x2: 20, y2: 20))
        var source = SeededRandomBoxSource(seed: 3)
        for box in randomBoxes(100, extent: 150, random: &source) {
            let c = box.clipped(to: size)
            XCTAssert(c.x1 >= 0 && c.x2 <= 100 && c.y1 >= 0 && c.y2 <= 50 && c.x1 <= c.x2 && c.y1 <= c.y2)
        }
    }

    func testScalingAndFlip() {
        let box = Box(x1: 2, y1: 3, x2: 12, y2: 8)
        XCTAssertEqual(box.scaled(x: 2, y: 0.5), Box(x1: 4, y1: 1.5, x2: 24, y2: 4))
        XCTAssertEqual(box.flippedHorizontally(imageWidth: 20), Box(x1: 8, y1: 3, x2: 18, y2: 8))
        XCTAssertEqual(box.flippedHorizontally(imageWidth: 20).flippedHorizontally(imageWidth: 20), box)
        XCTAssertEqual(box.flippedHorizontally(imageWidth: 20).area, box.area)
        XCTAssert(box.hasSize(atLeast: 5)); XCTAssertFalse(box.hasSize(atLeast: 5.5))
    }
}
