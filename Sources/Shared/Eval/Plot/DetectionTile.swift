// One image of the detection grid: the image scaled to fit a square tile, each detection
// drawn as a translucent mask (its RLE decoded and sampled at the tile's pixels), a box
// outline and a "name score" label on a band of the category's colour.
import SharedData
import SharedMasks

public struct DrawnDetection: Sendable {
    public var category: CategoryID
    public var score: Double
    /// In original image pixels.
    public var box: BoxXYWH
    public var mask: RLE?

    public init(category: CategoryID, score: Double, box: BoxXYWH, mask: RLE? = nil) {
        self.category = category
        self.score = score
        self.box = box
        self.mask = mask
    }
}

public enum DetectionTile {
    public static let maskAlpha = 0.45

    /// Draws `image` (decoded at any size; `originalWidth` x `originalHeight` is the size the
    /// detections refer to) scaled to fit `size` x `size`, top-left, on a white tile.
    public static func render(image: RGBImage, originalWidth: Int, originalHeight: Int, detections: [DrawnDetection],
                              names: [CategoryID: String], size: Int) -> Canvas {
        // A zero size (refused before an image is drawn) must not make the scale infinite.
        let scale = min(Double(size) / Double(max(1, originalWidth)), Double(size) / Double(max(1, originalHeight)))
        let width = max(1, min(size, Int((Double(originalWidth) * scale).rounded())))
        let height = max(1, min(size, Int((Double(originalHeight) * scale).rounded())))
        let scaled = AreaResize.resize(image, width: width, height: height)
        var tile = RGBImage(width: size, height: size, fill: .white)
        tile.paste(scaled, x: 0, y: 0)
        var canvas = Canvas(image: tile)
        for detection in detections {
            if let mask = detection.mask { drawMask(&canvas, mask, scale: scale, color: CategoryColor.color(detection.category)) }
        }
        for detection in detections {
            let color = CategoryColor.color(detection.category)
            let b = detection.box
            canvas.strokeRect(x: b.x * scale, y: b.y * scale, width: max(2, b.width * scale), height: max(2, b.height * scale),
                              color: color, thickness: 2)
        }
        for detection in detections {
            let label = "\(names[detection.category] ?? String(detection.category.rawValue)) \(scoreText(detection.score))"
            let b = detection.box
            let labelWidth = Double(Canvas.textWidth(label)) + 4
            let x = min(max(0, b.x * scale), Double(size) - labelWidth)
            let y = b.y * scale >= 11 ? b.y * scale - 11 : b.y * scale + 2
            canvas.fillRect(x: x, y: y, width: labelWidth, height: 11, color: CategoryColor.color(detection.category))
            canvas.drawText(label, x: x + 2, y: y + 2, color: .white)
        }
        return canvas
    }

    /// "0.87". A score from a file far outside 0...1 (or NaN) shows as ">9999" or "?" instead
    /// of trapping in the conversion to Int.
    static func scoreText(_ score: Double) -> String {
        guard score.isFinite, score >= 0 else { return "?" }
        guard score < 10_000 else { return ">9999" }
        let hundredths = Int((score * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    /// Blends `color` over the tile pixels whose centre falls on a foreground mask pixel.
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
