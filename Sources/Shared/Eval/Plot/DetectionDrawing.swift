// Drawing detections over an image, shared by the report's tiles (`DetectionTile`) and
// `detect-train predict --draw` (`DetectionDrawing.picture`): translucent masks first, then
// box outlines, then a "name score" label on a band of the category's colour (above the box
// when there is room, else inside its top), all in the category's stable colour.
import SharedData
import SharedMasks

/// Line and text sizes of drawn detections.
public struct DetectionStyle: Sendable, Equatable {
    /// Box outline width (canvas pixels); also the smallest drawn box side.
    public var lineWidth: Double
    /// Font pixel size of the labels (the 5x7 font at 1 = 7 pixels high).
    public var textScale: Int

    public init(lineWidth: Double = 2, textScale: Int = 1) {
        precondition(lineWidth > 0 && textScale >= 1, "line width and text scale must be positive")
        self.lineWidth = lineWidth
        self.textScale = textScale
    }

    /// The report tiles' style: 2-pixel boxes, 7-pixel text.
    public static let tile = DetectionStyle()

    /// A style that reads at the picture's own size: text 7 pixels high per 300 pixels of
    /// the short side (at least 7), boxes 2 pixels per 480 (at least 2).
    public static func forPicture(width: Int, height: Int) -> DetectionStyle {
        let short = Double(max(1, min(width, height)))
        return DetectionStyle(lineWidth: max(2, (short / 240).rounded(.down)), textScale: max(1, Int((short / 300).rounded())))
    }
}

public enum DetectionDrawing {
    public static let maskAlpha = 0.45

    /// `image` at its own size with `detections` (in its pixels) drawn over it.
    public static func picture(image: RGBImage, detections: [DrawnDetection], names: [CategoryID: String]) -> Canvas {
        var canvas = Canvas(image: image)
        draw(detections, on: &canvas, scale: 1, names: names, style: .forPicture(width: image.width, height: image.height))
        return canvas
    }

    /// Draws `detections` (boxes and masks in original image pixels) on `canvas`, where one
    /// original pixel is `scale` canvas pixels. A category without a name shows its id.
    public static func draw(_ detections: [DrawnDetection], on canvas: inout Canvas, scale: Double, names: [CategoryID: String],
                            style: DetectionStyle = .tile) {
        for detection in detections {
            if let mask = detection.mask { drawMask(&canvas, mask, scale: scale, color: CategoryColor.color(detection.category)) }
        }
        for detection in detections {
            let b = detection.box
            canvas.strokeRect(x: b.x * scale, y: b.y * scale, width: max(style.lineWidth, b.width * scale),
                              height: max(style.lineWidth, b.height * scale), color: CategoryColor.color(detection.category),
                              thickness: style.lineWidth)
        }
        let pad = Double(2 * style.textScale)
        let band = Double(Canvas.textHeight(scale: style.textScale)) + 2 * pad
        for detection in detections {
            let label = "\(names[detection.category] ?? String(detection.category.rawValue)) \(scoreText(detection.score))"
            let b = detection.box
            let labelWidth = Double(Canvas.textWidth(label, scale: style.textScale)) + 2 * pad
            let x = min(max(0, b.x * scale), Double(canvas.width) - labelWidth)
            let y = b.y * scale >= band ? b.y * scale - band : b.y * scale + pad
            canvas.fillRect(x: x, y: y, width: labelWidth, height: band, color: CategoryColor.color(detection.category))
            canvas.drawText(label, x: x + pad, y: y + pad, color: .white, scale: style.textScale)
        }
    }

    /// "0.87". A score from a file far outside 0...1 (or NaN) shows as ">9999" or "?" instead
    /// of trapping in the conversion to Int.
    static func scoreText(_ score: Double) -> String {
        guard score.isFinite, score >= 0 else { return "?" }
        guard score < 10_000 else { return ">9999" }
        let hundredths = Int((score * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    /// Blends `color` over the canvas pixels whose centre falls on a foreground mask pixel.
    static func drawMask(_ canvas: inout Canvas, _ mask: RLE, scale: Double, color: RGBColor) {
        let bits = mask.decodeColumnMajor()  // index x * h + y
        let h = mask.height, w = mask.width
        guard let box = boundingBox(mask) else { return }
        let x0 = max(0, Int(Double(box.x) * scale)), x1 = min(canvas.width, Int((Double(box.x + box.width) * scale).rounded(.up)) + 1)
        let y0 = max(0, Int(Double(box.y) * scale)), y1 = min(canvas.height, Int((Double(box.y + box.height) * scale).rounded(.up)) + 1)
        guard x0 < x1, y0 < y1 else { return }
        for ty in y0..<y1 {
            let sy = Int((Double(ty) + 0.5) / scale)
            guard sy < h else { continue }
            var runStart = -1
            for tx in x0...x1 {
                let sx = tx < x1 ? Int((Double(tx) + 0.5) / scale) : w
                let on = tx < x1 && sx < w && bits[sx * h + sy] != 0
                if on && runStart < 0 { runStart = tx }
                if !on && runStart >= 0 {
                    canvas.fillRect(x: Double(runStart), y: Double(ty), width: Double(tx - runStart), height: 1, color: color, alpha: maskAlpha)
                    runStart = -1
                }
            }
        }
    }

    static func boundingBox(_ mask: RLE) -> (x: Int, y: Int, width: Int, height: Int)? {
        let box = mask.boundingBox
        guard box.width > 0, box.height > 0 else { return nil }
        return (Int(box.x), Int(box.y), Int(box.width), Int(box.height))
    }
}
