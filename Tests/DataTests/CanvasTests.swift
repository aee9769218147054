// The Canvas: rectangles, polygons at pixel centres, lines, alpha blending, text, PNG output.
import Foundation
import XCTest
@testable import SharedData

final class CanvasTests: XCTestCase {
    func testFillRectCoversExactlyThePixelCentresInside() {
        var canvas = Canvas(width: 10, height: 8, background: .white)
        canvas.fillRect(x: 2, y: 1, width: 3, height: 2, color: .black)
        var black = 0
        for y in 0..<8 {
            for x in 0..<10 where canvas.image[x, y] == .black {
                black += 1
                XCTAssertTrue((2..<5).contains(x) && (1..<3).contains(y), "pixel \(x),\(y)")
            }
        }
        XCTAssertEqual(black, 6)
    }

    func testTrianglePixelCountMatchesArea() {
        var canvas = Canvas(width: 100, height: 100, background: .black)
        canvas.fillPolygon([CanvasPoint(0.3, 0.2), CanvasPoint(100.3, 0.2), CanvasPoint(0.3, 100.2)], color: .white)
        let white = stride(from: 0, to: canvas.image.pixels.count, by: 3).filter { canvas.image.pixels[$0] == 255 }.count
        // Centres (x + .5, y + .5) with x + y + 1 - 0.5 < 100, i.e. x + y <= 99: 100 * 101 / 2.
        XCTAssertEqual(white, 5050)
    }

    func testAlphaBlendsHalfway() {
        var canvas = Canvas(width: 2, height: 1, background: .black)
        canvas.fillRect(x: 0, y: 0, width: 1, height: 1, color: .white, alpha: 0.5)
        XCTAssertEqual(canvas.image[0, 0], RGBColor(red: 128, green: 128, blue: 128))
        XCTAssertEqual(canvas.image[1, 0], .black)
    }

    func testLinesCoverTheirEndpoints() {
        var canvas = Canvas(width: 20, height: 20, background: .white)
        canvas.drawLine(from: CanvasPoint(2.5, 3.5), to: CanvasPoint(17.5, 15.5), color: .red, thickness: 1)
        XCTAssertEqual(canvas.image[2, 3], .red)
        XCTAssertEqual(canvas.image[17, 15], .red)
        XCTAssertEqual(canvas.image[17, 3], .white)
        canvas.drawLine(from: CanvasPoint(0, 10.5), to: CanvasPoint(20, 10.5), color: .blue, thickness: 1)
        for x in 0..<20 { XCTAssertEqual(canvas.image[x, 10], .blue) }
        XCTAssertNotEqual(canvas.image[5, 9], .blue)
        XCTAssertNotEqual(canvas.image[5, 11], .blue)
    }

    func testTextDrawsGlyphColumns() {
        var canvas = Canvas(width: 20, height: 10, background: .white)
        canvas.drawText("I", x: 0, y: 0, color: .black)
        // 'I' is columns 0x00 0x41 0x7F 0x41 0x00: the middle column is 7 pixels tall.
        for y in 0..<7 { XCTAssertEqual(canvas.image[2, y], .black) }
        XCTAssertEqual(canvas.image[0, 3], .white)
        XCTAssertEqual(canvas.image[1, 0], .black)
        XCTAssertEqual(canvas.image[1, 3], .white)
        XCTAssertEqual(Canvas.textWidth("AP", scale: 2), 22)
    }

    func testPNGFileRoundTrip() throws {
        var canvas = Canvas(width: 30, height: 20, background: .lightGray)
        canvas.fillPolygon([CanvasPoint(5, 5), CanvasPoint(25, 5), CanvasPoint(15, 18)], color: .orange, alpha: 0.7)
        canvas.drawText("ok", x: 1, y: 1, color: .black)
        let path = NSTemporaryDirectory() + "canvas-\(getpid()).png"
        defer { unlink(path) }
        try canvas.writePNG(to: path)
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(try PNGCodec.decode(bytes), canvas.image)
    }
}
