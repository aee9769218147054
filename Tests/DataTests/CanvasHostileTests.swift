// Rectangles whose coordinates come from files (a results box at 1e300, a NaN from a
// chart's arithmetic): clamped to the canvas before any conversion to Int, so they draw
// what they cover of it (NaN: nothing) instead of trapping; in-canvas rectangles unchanged.
import XCTest
@testable import SharedData

final class CanvasHostileTests: XCTestCase {
    private func painted(_ canvas: Canvas) -> Int {
        stride(from: 0, to: canvas.image.pixels.count, by: 3).filter { canvas.image.pixels[$0] == 0 }.count
    }

    func testHugeAndNonFiniteRectanglesAreClampedOrSkipped() {
        var canvas = Canvas(width: 10, height: 8, background: .white)
        canvas.fillRect(x: -1e300, y: -1e300, width: 2e300, height: 2e300, color: .black)
        XCTAssertEqual(painted(canvas), 80, "covers the whole canvas")
        for (x, y, w, h) in [(Double.nan, 0.0, 3.0, 3.0), (0, 0, .nan, 3), (1e300, 0, 5, 5), (0, -1e300, 5, 5), (.infinity, 0, 1, 1),
                             (-Double.infinity, 0, .infinity, 2)] {
            var blank = Canvas(width: 10, height: 8, background: .white)
            blank.fillRect(x: x, y: y, width: w, height: h, color: .black)
            XCTAssertEqual(painted(blank), 0, "\(x), \(y), \(w), \(h)")
        }
        var partly = Canvas(width: 10, height: 8, background: .white)
        partly.strokeRect(x: 8, y: 6, width: 1e300, height: 1e300, color: .black, thickness: 2)
        partly.drawText("label", x: 1e300, y: 3, color: .black)
        XCTAssertEqual(painted(partly), 4, "the 2 x 2 corner of the outline inside the canvas")
    }
}
