// The invariant every RLE read from a file must meet before the run walks see it: its runs
// cover the image exactly (the counts add up to height * width). pycocotools does not check
// this (its walks read past the end or spin); we name the record instead.
import SharedData
import SharedSupport

extension RunLengthKernels {
    /// The number of pixels the runs describe (their sum, without 32-bit wrap-around).
    @inlinable
    public static func pixelCount(_ counts: UnsafeBufferPointer<UInt32>) -> UInt64 {
        var total: UInt64 = 0
        for run in counts { total += UInt64(run) }
        return total
    }

    /// True when the runs add up to exactly `height * width` pixels.
    @inlinable
    public static func coversImage(_ counts: UnsafeBufferPointer<UInt32>, height: Int, width: Int) -> Bool {
        guard let pixels = imagePixels(height: height, width: width) else { return false }
        return pixelCount(counts) == pixels
    }

    /// `height * width`, or nil for a negative or overflowing size.
    @inlinable
    public static func imagePixels(height: Int, width: Int) -> UInt64? {
        guard height >= 0, width >= 0 else { return nil }
        let (pixels, overflow) = UInt64(height).multipliedReportingOverflow(by: UInt64(width))
        return overflow ? nil : pixels
    }
}

extension RLE {
    /// The number of pixels the runs describe (their sum).
    public var pixelCount: UInt64 {
        counts.withUnsafeBufferPointer { RunLengthKernels.pixelCount($0) }
    }

    /// Throws unless the runs add up to `height * width` (the caller adds file and record).
    public func checkCoversImage() throws {
        let covered = counts.withUnsafeBufferPointer {
            RunLengthKernels.coversImage($0, height: height, width: width)
        }
        if !covered { throw RLE.coverageError(pixelCount: pixelCount, height: height, width: width) }
    }

    /// The error for runs that add up to `pixelCount` instead of `height * width`.
    public static func coverageError(pixelCount: UInt64, height: Int, width: Int) -> ToolError {
        let product = RunLengthKernels.imagePixels(height: height, width: width).map { " = \($0)" } ?? ""
        return ToolError("mask run lengths add up to \(pixelCount) pixels; they must add up to height*width = \(height)*\(width)\(product)",
                         hint: "the RLE `counts` are malformed; encode each mask with pycocotools.mask.encode on its full \(height)x\(width) image")
    }
}
