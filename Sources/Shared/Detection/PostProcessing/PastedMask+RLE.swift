// A pasted mask as the pycocotools RLE of its whole image (column-major runs starting with
// zeros), encoded straight from the computed region without building the full image.
import SharedMasks

extension PastedMask {
    /// The mask's RLE over the whole image (equal to `RLE(rowMajorMask: fullImage())`).
    public func rle() -> RLE {
        var counts: [UInt32] = []
        var previous = false
        var run: UInt32 = 0
        func emit(_ on: Bool, _ length: Int) {
            guard length > 0 else { return }
            if on != previous {
                counts.append(run)
                run = 0
                previous = on
            }
            run += UInt32(length)
        }
        for column in 0..<imageSize.width {
            guard column >= x, column < x + width, height > 0 else {
                emit(false, imageSize.height)
                continue
            }
            emit(false, y)
            for row in 0..<height { emit(bits[row * width + column - x] != 0, 1) }
            emit(false, imageSize.height - y - height)
        }
        counts.append(run)
        return RLE(height: imageSize.height, width: imageSize.width, counts: counts)
    }
}
