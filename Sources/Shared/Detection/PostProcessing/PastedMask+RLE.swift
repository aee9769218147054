// A pasted mask as the pycocotools RLE of its whole image (column-major runs starting with
// zeros), encoded straight from the computed region without building the full image.
import SharedMasks

extension PastedMask {
    /// The mask's RLE over the whole image (equal to `RLE(rowMajorMask: fullImage())`).
    public func rle() -> RLE {
        var runs = RunCounter()
        bits.withUnsafeBufferPointer { bits in  // every pixel of the region: no per-pixel checks
            for column in 0..<imageSize.width {
                guard column >= x, column < x + width, height > 0 else {
                    runs.append(false, length: imageSize.height)
                    continue
                }
                runs.append(false, length: y)
                for row in 0..<height { runs.append(bits[row &* width &+ (column &- x)] != 0, length: 1) }
                runs.append(false, length: imageSize.height - y - height)
            }
        }
        return RLE(height: imageSize.height, width: imageSize.width, counts: runs.finished())
    }
}

/// Run lengths of a bit sequence that starts with zeros (a value, not captured variables, so
/// `predict`'s per-pixel calls carry no dynamic exclusivity checks).
private struct RunCounter {
    private var counts: [UInt32] = []
    private var previous = false
    private var run: UInt32 = 0

    /// `length` more bits of value `on`.
    mutating func append(_ on: Bool, length: Int) {
        guard length > 0 else { return }
        if on != previous {
            counts.append(run)
            run = 0
            previous = on
        }
        run += UInt32(length)
    }

    /// Every run, the last one included.
    func finished() -> [UInt32] { counts + [run] }
}
