// One image of the detection grid: the image scaled to fit a square tile, each detection
// drawn over it by `DetectionDrawing` (a translucent mask sampled at the tile's pixels, a box
// outline and a "name score" label on a band of the category's colour).
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
    public static let maskAlpha = DetectionDrawing.maskAlpha

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
        DetectionDrawing.draw(detections, on: &canvas, scale: scale, names: names, style: .tile)
        return canvas
    }
}
