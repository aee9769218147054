// rleToBbox: the tight box of an RLE's pixels, as pycocotools (2.0.7 and later) computes
// it: background runs and empty foreground runs skipped, a run crossing a column spans the height.
import SharedData

extension RLE {
    /// The bounding box [x, y, w, h] of the pixels that are on; all zeros for an RLE with
    /// fewer than two runs. (Unsigned 32-bit arithmetic as in maskApi.c, wrap-arounds included.)
    public var boundingBox: BoxXYWH {
        counts.withUnsafeBufferPointer { RunLengthKernels.boundingBox($0, height: height, width: width) }
    }
}
