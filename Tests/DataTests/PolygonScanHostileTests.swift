// PolygonScan on coordinates far outside the canvas (issue "hostile input"): rows and columns
// are clamped before converting to Int, so 1e300 or infinities neither trap nor cost more,
// and a polygon overhanging the canvas fills what a clipped copy of it fills.
import XCTest
@testable import SharedData

final class PolygonScanHostileTests: XCTestCase {
    private func spans(_ polygons: [[CanvasPoint]], width: Int = 12, height: Int = 9) -> [[Int]] {
        var out: [[Int]] = []
        PolygonScan.spans(polygons, width: width, height: height) { y, x0, x1 in out.append([y, x0, x1]) }
        return out
    }

    func testHugeCoordinatesAreClampedToTheCanvas() {
        let huge = spans([[CanvasPoint(-1e300, -1e300), CanvasPoint(1e300, -1e300), CanvasPoint(1e300, 1e300), CanvasPoint(-1e300, 1e300)]])
        XCTAssertEqual(huge, (0..<9).map { [$0, 0, 12] })
        // A square overhanging by 1e9 fills what the canvas-sized square fills.
        let overhang = spans([[CanvasPoint(2, -1e9), CanvasPoint(1e9, -1e9), CanvasPoint(1e9, 5), CanvasPoint(2, 5)]])
        XCTAssertEqual(overhang, spans([[CanvasPoint(2, -1), CanvasPoint(13, -1), CanvasPoint(13, 5), CanvasPoint(2, 5)]]))
        XCTAssertEqual(overhang.count, 5)
    }

    func testNonFinitePolygonsAreIgnored() {
        let square = [CanvasPoint(1, 1), CanvasPoint(4, 1), CanvasPoint(4, 4), CanvasPoint(1, 4)]
        for bad in [Double.nan, .infinity, -.infinity] {
            let polygon = [CanvasPoint(1, 1), CanvasPoint(bad, 1), CanvasPoint(4, 4)]
            XCTAssertEqual(spans([polygon, square]), spans([square]), "\(bad)")
            XCTAssertEqual(spans([[CanvasPoint(1, bad), CanvasPoint(4, 1), CanvasPoint(4, 4)]]), [], "\(bad)")
        }
    }
}
