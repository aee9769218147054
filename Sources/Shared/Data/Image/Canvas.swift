// A small RGB drawing surface for plots and synthetic images, saved as PNG.
//
// API (coordinates are Doubles in pixels, x right, y down; alpha in 0...1 blends over
// what is there):
//   var canvas = Canvas(width: 640, height: 480, background: .white)
//   canvas.fillRect(x: 10, y: 10, width: 100, height: 50, color: .blue, alpha: 0.5)
//   canvas.strokeRect(x: 10, y: 10, width: 100, height: 50, color: .black, thickness: 1)
//   canvas.drawLine(from: CanvasPoint(0, 0), to: CanvasPoint(100, 80), color: .red, thickness: 2)
//   canvas.drawPolyline([CanvasPoint], color:, thickness:)      // e.g. a PR curve
//   canvas.fillPolygon([CanvasPoint], color:, alpha:)          // even-odd, pixel centres
//   canvas.drawText("AP 0.42", x: 12, y: 20, color: .black, scale: 2)  // 5x7 font, top-left at (x, y)
//   Canvas.textWidth("AP 0.42", scale: 2)                      // pixels, for alignment
//   try canvas.writePNG(to: "pr.png")                          // atomic write; canvas.pngBytes() for bytes
//   canvas.image                                               // the RGBImage
import SharedSupport

public struct Canvas: Sendable {
    public private(set) var image: RGBImage
    public var width: Int { image.width }
    public var height: Int { image.height }

    public init(width: Int, height: Int, background: RGBColor = .white) {
        precondition(width > 0 && height > 0, "canvas must not be empty")
        image = RGBImage(width: width, height: height, fill: background)
    }

    public init(image: RGBImage) { self.image = image }

    // MARK: Pixels

    /// Blends `color` over pixel (x, y) with opacity `alpha`; outside pixels are ignored.
    public mutating func blend(x: Int, y: Int, color: RGBColor, alpha: Double = 1) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        blendSpan(y: y, x0: x, x1: x + 1, color: color, alpha: alpha)
    }

    /// Blends `color` over pixels x0..<x1 of row y (already clipped).
    mutating func blendSpan(y: Int, x0: Int, x1: Int, color: RGBColor, alpha: Double) {
        let w = width
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            Canvas.blendSpan(pixels, width: w, y: y, x0: x0, x1: x1, color: color, alpha: alpha)
        }
    }

    /// The blending kernel over a packed RGB buffer `width` pixels wide.
    @inline(__always)
    static func blendSpan(_ pixels: UnsafeMutableBufferPointer<UInt8>, width: Int, y: Int, x0: Int, x1: Int,
                          color: RGBColor, alpha: Double) {
        let a = max(0, min(1, alpha))
        var index = (y * width + x0) * 3
        if a >= 1 {
            for _ in x0..<x1 {
                pixels[index] = color.red; pixels[index + 1] = color.green; pixels[index + 2] = color.blue
                index += 3
            }
        } else {
            let weight = Int((a * 256).rounded())
            let r = Int(color.red) * weight, g = Int(color.green) * weight, b = Int(color.blue) * weight
            let keep = 256 - weight
            for _ in x0..<x1 {
                pixels[index] = UInt8((Int(pixels[index]) * keep + r + 128) >> 8)
                pixels[index + 1] = UInt8((Int(pixels[index + 1]) * keep + g + 128) >> 8)
                pixels[index + 2] = UInt8((Int(pixels[index + 2]) * keep + b + 128) >> 8)
                index += 3
            }
        }
    }

    // MARK: Shapes

    /// Fills the pixels whose centres lie in the rectangle [x, x+width) x [y, y+height).
    /// Coordinates are clamped to the canvas before any conversion to Int, so a box from a
    /// file at 1e300 (or NaN) draws what it covers of the canvas (NaN: nothing), never traps.
    public mutating func fillRect(x: Double, y: Double, width rectWidth: Double, height rectHeight: Double,
                                  color: RGBColor, alpha: Double = 1) {
        let x0 = PolygonScan.clampedInt((x - 0.5).rounded(.up), 0, width)
        let x1 = PolygonScan.clampedInt((x + rectWidth - 0.5).rounded(.up), 0, width)
        let y0 = PolygonScan.clampedInt((y - 0.5).rounded(.up), 0, height)
        let y1 = PolygonScan.clampedInt((y + rectHeight - 0.5).rounded(.up), 0, height)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 { blendSpan(y: row, x0: x0, x1: x1, color: color, alpha: alpha) }
    }

    /// Outlines a rectangle with lines `thickness` pixels wide, drawn inside its edges.
    public mutating func strokeRect(x: Double, y: Double, width w: Double, height h: Double,
                                    color: RGBColor, thickness: Double = 1, alpha: Double = 1) {
        let t = max(1, thickness)
        fillRect(x: x, y: y, width: w, height: t, color: color, alpha: alpha)
        fillRect(x: x, y: y + h - t, width: w, height: t, color: color, alpha: alpha)
        fillRect(x: x, y: y + t, width: t, height: max(0, h - 2 * t), color: color, alpha: alpha)
        fillRect(x: x + w - t, y: y + t, width: t, height: max(0, h - 2 * t), color: color, alpha: alpha)
    }

    /// Fills the union (even-odd) of polygons.
    public mutating func fillPolygons(_ polygons: [[CanvasPoint]], color: RGBColor, alpha: Double = 1) {
        let w = width, h = height
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            PolygonScan.spans(polygons, width: w, height: h) { y, x0, x1 in
                Canvas.blendSpan(pixels, width: w, y: y, x0: x0, x1: x1, color: color, alpha: alpha)
            }
        }
    }

    public mutating func fillPolygon(_ points: [CanvasPoint], color: RGBColor, alpha: Double = 1) {
        fillPolygons([points], color: color, alpha: alpha)
    }

    /// A straight line `thickness` pixels wide (at least one pixel is always covered).
    public mutating func drawLine(from start: CanvasPoint, to end: CanvasPoint, color: RGBColor,
                                  thickness: Double = 1, alpha: Double = 1) {
        let dx = end.x - start.x, dy = end.y - start.y
        let length = (dx * dx + dy * dy).squareRoot()
        let half = max(1, thickness) / 2
        if length < 1e-9 {
            fillRect(x: start.x - half, y: start.y - half, width: 2 * half, height: 2 * half, color: color, alpha: alpha)
            return
        }
        // Extend by half a pixel along the line so the end pixels are covered.
        let ux = dx / length, uy = dy / length
        let nx = -uy * half, ny = ux * half
        let a = CanvasPoint(start.x - ux * 0.5, start.y - uy * 0.5), b = CanvasPoint(end.x + ux * 0.5, end.y + uy * 0.5)
        fillPolygon([CanvasPoint(a.x + nx, a.y + ny), CanvasPoint(b.x + nx, b.y + ny),
                     CanvasPoint(b.x - nx, b.y - ny), CanvasPoint(a.x - nx, a.y - ny)], color: color, alpha: alpha)
    }

    /// Connected line segments through `points`.
    public mutating func drawPolyline(_ points: [CanvasPoint], color: RGBColor, thickness: Double = 1, alpha: Double = 1) {
        guard points.count >= 2 else { return }
        for index in 1..<points.count {
            drawLine(from: points[index - 1], to: points[index], color: color, thickness: thickness, alpha: alpha)
        }
    }

    // MARK: Text

    /// Draws `text` in the built-in 5x7 font, top-left at (x, y), each font pixel a
    /// `scale` x `scale` square; characters advance by 6 * scale. Unknown characters show as '?'.
    public mutating func drawText(_ text: String, x: Double, y: Double, color: RGBColor, scale: Int = 1, alpha: Double = 1) {
        precondition(scale >= 1, "text scale must be at least 1")
        var cursor = x
        let s = Double(scale)
        for character in text.unicodeScalars {
            let columns = BitmapFont.glyph(character)
            for (column, bits) in columns.enumerated() where bits != 0 {
                for row in 0..<7 where bits & (1 << row) != 0 {
                    fillRect(x: cursor + Double(column) * s, y: y + Double(row) * s, width: s, height: s, color: color, alpha: alpha)
                }
            }
            cursor += 6 * s
        }
    }

    /// Width in pixels that `drawText` uses for `text` (without the trailing gap).
    public static func textWidth(_ text: String, scale: Int = 1) -> Int {
        let count = text.unicodeScalars.count
        return count == 0 ? 0 : (count * 6 - 1) * scale
    }

    /// Height in pixels of one line of text.
    public static func textHeight(scale: Int = 1) -> Int { 7 * scale }

    // MARK: Output

    public func pngBytes() -> [UInt8] { PNGCodec.encode(image) }

    public func writePNG(to path: String) throws {
        try writeFileAtomically(path, bytes: pngBytes())
    }
}
