// The run-length encoded binary mask of pycocotools: column-major runs over h x w that
// start with a (possibly empty) run of zeros. Encode, decode and area (maskApi.c).
import SharedData

/// A binary mask of `height` x `width` pixels as column-major run lengths, alternating
/// 0-runs and 1-runs and starting with 0s (pycocotools' `RLE`).
public struct RLE: Hashable, Sendable {
    public var height: Int
    public var width: Int
    /// Run lengths; odd positions (1, 3, ...) are runs of ones.
    public var counts: [UInt32]

    public init(height: Int, width: Int, counts: [UInt32]) {
        self.height = height
        self.width = width
        self.counts = counts
    }

    /// An all-zero mask (pycocotools gives `[h*w]`). The size must be one an RLE can
    /// describe (`RLE.pixels(height:width:)`; sizes from input are checked with `checkSize`).
    public static func empty(height: Int, width: Int) -> RLE {
        RLE(height: height, width: width, counts: [requireDescribable(height: height, width: width)])
    }

    /// rleEncode: runs of a column-major mask (index `x * height + y`); nonzero is on.
    public init(columnMajorMask mask: UnsafeBufferPointer<UInt8>, height: Int, width: Int) {
        precondition(mask.count == height * width, "mask has \(mask.count) pixels, expected \(height) x \(width)")
        var counts: [UInt32] = []
        var previous = false
        var run: UInt32 = 0
        for value in mask {
            let on = value != 0
            if on != previous {
                counts.append(run)
                run = 0
                previous = on
            }
            run += 1
        }
        counts.append(run)
        self.init(height: height, width: width, counts: counts)
    }

    /// rleEncode of a column-major mask given as an array.
    public init(columnMajorMask mask: [UInt8], height: Int, width: Int) {
        self = mask.withUnsafeBufferPointer { RLE(columnMajorMask: $0, height: height, width: width) }
    }

    /// rleEncode of a row-major mask (index `y * width + x`), e.g. a pasted model output.
    public init(rowMajorMask mask: UnsafeBufferPointer<UInt8>, height: Int, width: Int) {
        precondition(mask.count == height * width, "mask has \(mask.count) pixels, expected \(height) x \(width)")
        var counts: [UInt32] = []
        var previous = false
        var run: UInt32 = 0
        for x in 0..<width {
            var index = x
            for _ in 0..<height {
                let on = mask[index] != 0
                if on != previous {
                    counts.append(run)
                    run = 0
                    previous = on
                }
                run += 1
                index += width
            }
        }
        counts.append(run)
        self.init(height: height, width: width, counts: counts)
    }

    /// rleDecode: the column-major 0/1 mask of `height * width` bytes. Runs past the end
    /// are cut and a short RLE leaves the rest zero.
    public func decodeColumnMajor() -> [UInt8] {
        let total = height * width
        var mask = [UInt8](repeating: 0, count: total)
        mask.withUnsafeMutableBufferPointer { output in
            var position = 0
            var value: UInt8 = 0
            for run in counts {
                let end = min(position + Int(run), total)
                if value != 0 && end > position {
                    (output.baseAddress! + position).update(repeating: 1, count: end - position)
                }
                position = end
                value ^= 1
            }
        }
        return mask
    }

    /// The row-major 0/1 mask (index `y * width + x`).
    public func decodeRowMajor() -> [UInt8] {
        let columnMajor = decodeColumnMajor()
        var mask = [UInt8](repeating: 0, count: height * width)
        for x in 0..<width {
            for y in 0..<height { mask[y * width + x] = columnMajor[x * height + y] }
        }
        return mask
    }

    /// rleArea: the number of pixels that are on (sum of the odd-position runs).
    public var area: Int {
        counts.withUnsafeBufferPointer { Int(RunLengthKernels.area($0)) }
    }
}
