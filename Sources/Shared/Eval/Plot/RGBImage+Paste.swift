// Copies one image into another at an offset (clipped): how the detection grid puts a
// scaled photo into its tile and tiles into the grid.
import SharedData

extension RGBImage {
    mutating func paste(_ source: RGBImage, x: Int, y: Int) {
        let x0 = max(0, x), x1 = min(width, x + source.width)
        guard x0 < x1 else { return }
        for row in max(0, y)..<min(height, y + source.height) {
            let from = ((row - y) * source.width + (x0 - x)) * 3
            let to = (row * width + x0) * 3
            pixels.replaceSubrange(to..<to + (x1 - x0) * 3, with: source.pixels[from..<from + (x1 - x0) * 3])
        }
    }
}
