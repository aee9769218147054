// Detections drawn over a full-size picture (`predict --draw`): the picture keeps the image's
// size, the box outline and the mask change the pixels they cover, the label band sits above
// the box in the category's colour, pixels away from every detection stay as they were, and
// the style grows with the picture.
import SharedData
@testable import SharedEval
import SharedMasks
import XCTest

final class DetectionDrawingTests: XCTestCase {
    func testPictureDrawsBoxMaskAndLabelAndLeavesTheRest() {
        let grey = RGBColor(red: 90, green: 90, blue: 90)
        let image = RGBImage(width: 200, height: 120, fill: grey)
        let box = BoxXYWH(x: 40, y: 50, width: 60, height: 40)
        var maskBits = [UInt8](repeating: 0, count: 200 * 120)  // column-major, x * h + y
        for x in 50..<90 { for y in 60..<80 { maskBits[x * 120 + y] = 1 } }
        let mask = RLE(columnMajorMask: maskBits, height: 120, width: 200)
        let detection = DrawnDetection(category: CategoryID(7), score: 0.9, box: box, mask: mask)
        let picture = DetectionDrawing.picture(image: image, detections: [detection], names: [CategoryID(7): "cat"])
        XCTAssertEqual(picture.width, 200)
        XCTAssertEqual(picture.height, 120)
        let color = CategoryColor.color(CategoryID(7))
        XCTAssertEqual(picture.image[40, 70], color, "left edge of the box outline")
        XCTAssertEqual(picture.image[70, 89], color, "bottom edge of the box outline")
        let inside = picture.image[70, 70]
        XCTAssertNotEqual(inside, grey, "the mask tints the pixels it covers")
        XCTAssertNotEqual(inside, color, "translucently")
        XCTAssertEqual(picture.image[70, 55], grey, "inside the box but off the mask: unchanged")
        XCTAssertEqual(picture.image[150, 100], grey, "away from the detection: unchanged")
        XCTAssertEqual(picture.image[5, 5], grey)
        // The label band ends just above the box (7-pixel text plus 2-pixel padding each side).
        XCTAssertEqual(picture.image[41, 48], color, "label band above the box")
        XCTAssertEqual(picture.image[41, 38], grey, "above the band")
        // No detections: the image itself.
        XCTAssertEqual(DetectionDrawing.picture(image: image, detections: [], names: [:]).image, image)
    }

    func testStyleFollowsThePictureSize() {
        XCTAssertEqual(DetectionStyle.forPicture(width: 200, height: 120), DetectionStyle(lineWidth: 2, textScale: 1))
        XCTAssertEqual(DetectionStyle.forPicture(width: 640, height: 480), DetectionStyle(lineWidth: 2, textScale: 2))
        XCTAssertEqual(DetectionStyle.forPicture(width: 4000, height: 3000), DetectionStyle(lineWidth: 12, textScale: 10))
        XCTAssertEqual(DetectionStyle.tile, DetectionStyle(lineWidth: 2, textScale: 1))
    }
}
