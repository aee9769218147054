// The invariant every RLE read from a file must meet before the run walks see it: its runs
// cover the image exactly (the counts add up to height * width). pycocotools does not check
// this (its walks read past the end or spin); we name the record instead.
import SharedData
import SharedSupport

extension RunLengthKernels {
    /// The number of pixels the runs describe (their sum, without 32-bit wrap-around;
    /// `UInt64.max` if even 64 bits overflow).
    @inlinable
    public static func pixelCount(_ counts: UnsafeBufferPointer<UInt32>) -> UInt64 {
        var total: UInt64 = 0
        for run in counts {
            let (sum, overflow) = total.addingReportingOverflow(UInt64(run))
            if overflow { return .max }
            total = sum
        }
        return total
    }

    /// True when the runs add up to exactly `height * width` pixels and that size is one an
    /// RLE can describe (at most 2^32 - 1 pixels, so no 32-bit run walk wraps).
    @inlinable
    public static func coversImage(_ counts: UnsafeBufferPointer<UInt32>, height: Int, width: Int) -> Bool {
        guard let pixels = imagePixels(height: height, width: width), pixels <= UInt64(UInt32.max) else { return false }
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

    /// The error for runs that add up to `pixelCount` instead of `height * width`, or for a
    /// size no RLE can describe.
    public static func coverageError(pixelCount: UInt64, height: Int, width: Int) -> ToolError {
        if RLE.pixels(height: height, width: width) == nil { return RLE.sizeError(height: height, width: width) }
        let product = RunLengthKernels.imagePixels(height: height, width: width).map { " = \($0)" } ?? ""
        return ToolError("mask run lengths add up to \(pixelCount) pixels; they must add up to height*width = \(height)*\(width)\(product)",
                         hint: "the RLE `counts` are malformed; encode each mask with pycocotools.mask.encode on its full \(height)x\(width) image")
    }
}
