// Pasted masks to RLE: the direct region encoding equals SharedMasks' encoding of the full
// image, for boxes inside, across the border of and outside the image, and empty masks.
import XCTest
import SharedMasks
import SharedSupport
@testable import SharedDetection

final class PastedMaskRLETests: XCTestCase {
    func testRegionEncodingEqualsFullImageEncoding() {
        var random = SeededRandom(seed: 8)
        let size = ImageSize(width: 37, height: 29)
        let boxes = [Box(x1: 3, y1: 4, x2: 20, y2: 25), Box(x1: -5, y1: 10, x2: 12, y2: 40), Box(x1: 30, y1: -3, x2: 60, y2: 8),
                     Box(x1: 0, y1: 0, x2: 37, y2: 29), Box(x1: 50, y1: 50, x2: 60, y2: 60), Box(x1: 5, y1: 5, x2: 5, y2: 9)]
        for box in boxes {
            let map = (0..<(28 * 28)).map { _ in random.nextFloat() }
            let pasted = pasteMask(map, mapHeight: 28, mapWidth: 28, box: box, imageSize: size)
            let full = pasted.fullImage()
            let expected = full.withUnsafeBufferPointer { RLE(rowMajorMask: $0, height: size.height, width: size.width) }
            XCTAssertEqual(pasted.rle(), expected, "box \(box)")
            XCTAssertEqual(pasted.rle().area, full.reduce(0) { $0 + Int($1) })
        }
    }
}
