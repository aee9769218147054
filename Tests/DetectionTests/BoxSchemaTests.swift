// Conversions between the detector's Box and the schema's BoxXYXY / BoxXYWH.
import XCTest
import SharedData
@testable import SharedDetection

final class BoxSchemaTests: XCTestCase {
    func testRoundTripsAndXYWH() {
        let box = Box(x1: 1.5, y1: 2.25, x2: 11.5, y2: 7.75)
        XCTAssertEqual(BoxXYWH(box), BoxXYWH(x: 1.5, y: 2.25, width: 10, height: 5.5))
        XCTAssertEqual(Box(BoxXYWH(box)), box)
        XCTAssertEqual(Box(BoxXYXY(box)), box)
        XCTAssertEqual(Box(BoxXYWH(x: 3, y: 4, width: 5, height: 6)), Box(x1: 3, y1: 4, x2: 8, y2: 10))
    }
}
