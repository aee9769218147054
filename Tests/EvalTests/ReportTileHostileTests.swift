// A detection tile drawn from a results file's numbers: a box at 1e300, a score of 1e300
// and an image whose size is zero in the json used to trap in conversions to Int; they now
// draw what falls on the tile, and the label says ">9999".
import SharedData
@testable import SharedEval
import SharedMasks
import XCTest

final class ReportTileHostileTests: XCTestCase {
    func testHugeBoxesAndScoresDrawWithoutTrapping() {
        let image = RGBImage(width: 40, height: 30, fill: .white)
        let detections = [DrawnDetection(category: CategoryID(1), score: 1e300, box: BoxXYWH(x: -1e300, y: 1e300, width: 1e300, height: 5)),
                          DrawnDetection(category: CategoryID(2), score: 0.5, box: BoxXYWH(x: 1e300, y: -1e300, width: 2e300, height: 2e300))]
        let tile = DetectionTile.render(image: image, originalWidth: 40, originalHeight: 30, detections: detections,
                                        names: [:], size: 64)
        XCTAssertEqual(tile.width, 64)
        XCTAssertEqual(DetectionDrawing.scoreText(1e300), ">9999")
        XCTAssertEqual(DetectionDrawing.scoreText(0.873), "0.87")
        XCTAssertEqual(DetectionDrawing.scoreText(0.05), "0.05")
        let empty = DetectionTile.render(image: image, originalWidth: 0, originalHeight: 0, detections: detections, names: [:], size: 64)
        XCTAssertEqual(empty.height, 64)
    }
}
