// rleToBbox: the tight box of an RLE's pixels, as pycocotools (2.0.7 and later) computes
// it: background runs and empty foreground runs skipped, a run crossing a column spans the height.
import SharedData

extension RLE {
    /// The bounding box [x, y, w, h] of the pixels that are on; all zeros for an RLE with
    /// fewer than two runs. (Unsigned 32-bit arithmetic as in maskApi.c, wrap-arounds included.)
    public var boundingBox: BoxXYWH {
        let h = UInt32(truncatingIfNeeded: height)
        let w = UInt32(truncatingIfNeeded: width)
        let m = (counts.count / 2) * 2
        guard m > 0, h > 0 else { return BoxXYWH(x: 0, y: 0, width: 0, height: 0) }
        var xs = w, ys = h, xe: UInt32 = 0, ye: UInt32 = 0
        var cc: UInt32 = 0
        for j in 0..<m {
            let start = cc
            cc &+= counts[j]
            if j % 2 == 0 || counts[j] == 0 { continue }
            let yStart = start % h, xStart = (start &- yStart) / h
            let last = cc &- 1
            let yEnd = last % h, xEnd = (last &- yEnd) / h
            xs = min(xs, xStart)
            xe = max(xe, xEnd)
            if xStart < xEnd {
                ys = 0
                ye = h &- 1
            } else {
                ys = min(ys, yStart)
                ye = max(ye, yEnd)
            }
        }
        return BoxXYWH(x: Double(xs), y: Double(ys), width: Double(xe &- xs &+ 1), height: Double(ye &- ys &+ 1))
    }
}
