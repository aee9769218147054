// Area resize against the naive 2D integration, exact averages on integer factors, and the
// fit-into-(S, L) geometry.
import XCTest
@testable import SharedData

final class AreaResizeTests: XCTestCase {
    func testIntegerFactorIsBlockMean() {
        let image = RGBImage(width: 4, height: 2, pixels: [
            0, 0, 0, 10, 10, 10, 100, 0, 0, 200, 0, 0,
            20, 20, 20, 30, 30, 30, 0, 100, 0, 0, 200, 0,
        ])
        let small = AreaResize.resize(image, width: 2, height: 1)
        XCTAssertEqual(small.pixels, [15, 15, 15, 75, 75, 0])
    }

    func testFastMatchesNaiveOnOddFactors() {
        var random = SeededGenerator(seed: 11)
        let pixels = (0..<(37 * 23 * 3)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let image = RGBImage(width: 37, height: 23, pixels: pixels)
        for (w, h) in [(10, 7), (36, 22), (5, 23), (37, 4), (1, 1), (50, 30)] {
            let fast = AreaResize.resize(image, width: w, height: h)
            let naive = AreaResize.resizeNaive(image, width: w, height: h)
            for index in 0..<fast.pixels.count {
                XCTAssertLessThanOrEqual(abs(Int(fast.pixels[index]) - Int(naive.pixels[index])), 1, "\(w)x\(h) at \(index)")
            }
        }
    }

    func testUniformImageStaysUniform() {
        let image = RGBImage(width: 33, height: 17, fill: RGBColor(hex: 0x7B2D9C))
        let small = AreaResize.resize(image, width: 13, height: 9)
        XCTAssertEqual(small, RGBImage(width: 13, height: 9, fill: RGBColor(hex: 0x7B2D9C)))
    }

    func testResizePlanFitsShortAndLongSides() {
        let plan = ResizePlan(width: 640, height: 480, maxShort: 256, maxLong: 384)
        XCTAssertEqual(plan.storedWidth, 341)
        XCTAssertEqual(plan.storedHeight, 256)
        let longLimited = ResizePlan(width: 1000, height: 200, maxShort: 256, maxLong: 384)
        XCTAssertEqual(longLimited.storedWidth, 384)
        XCTAssertEqual(longLimited.storedHeight, 77)
        let small = ResizePlan(width: 100, height: 80, maxShort: 256, maxLong: 384)
        XCTAssertTrue(small.isIdentity)
        XCTAssertEqual(plan.scaleX, 341.0 / 640.0)
    }

    func testBoxEdgesFollowPixels() {
        // A white block at x in [8, 16) of a 32-wide image lands at [2, 4) after 4x shrink.
        var canvas = Canvas(width: 32, height: 8, background: .black)
        canvas.fillRect(x: 8, y: 0, width: 8, height: 8, color: .white)
        let small = AreaResize.resize(canvas.image, width: 8, height: 2)
        let plan = ResizePlan(width: 32, height: 8, maxShort: 2, maxLong: nil)
        XCTAssertEqual(plan.storedWidth, 8)
        XCTAssertEqual(8 * plan.scaleX, 2)
        XCTAssertEqual(16 * plan.scaleX, 4)
        for x in 0..<8 { XCTAssertEqual(small[x, 0], (2..<4).contains(x) ? .white : .black) }
    }
}
