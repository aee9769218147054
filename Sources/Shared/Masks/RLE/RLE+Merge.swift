// rleMerge: union or intersection of several RLEs of one size, walking runs (maskApi.c,
// including its handling of empty runs, so the counts match pycocotools exactly).
import SharedData

extension RLE {
    /// Union (or intersection) of `masks`. An empty list gives a 0 x 0 mask; masks of
    /// different sizes give a 0 x 0 mask with no counts, as in pycocotools.
    public static func merge(_ masks: [RLE], intersect: Bool = false) -> RLE {
        guard let first = masks.first else { return RLE(height: 0, width: 0, counts: []) }
        if masks.count == 1 { return first }
        let height = first.height
        let width = first.width
        var current = first.counts
        var output: [UInt32] = []
        output.reserveCapacity(current.count)
        for other in masks.dropFirst() {
            if other.height != height || other.width != width {
                return RLE(height: 0, width: 0, counts: [])
            }
            output.removeAll(keepingCapacity: true)
            mergeRuns(current, other.counts, intersect: intersect, into: &output)
            swap(&current, &output)
        }
        return RLE(height: height, width: width, counts: current)
    }

    /// One step of rleMerge on two count lists (A = `a`, B = `b`), appended to `output`.
    /// Lists of different totals are merged over the pixels both cover.
    static func mergeRuns(_ a: [UInt32], _ b: [UInt32], intersect: Bool, into output: inout [UInt32]) {
        // maskApi.c reads cnts[0] unconditionally; an empty list behaves as [0] here.
        var ca: UInt32 = a.first ?? 0
        var cb: UInt32 = b.first ?? 0
        var va = false, vb = false, v = false
        var ia = 1, ib = 1
        var cc: UInt32 = 0
        var ct: UInt32 = 1
        while ct > 0 {
            let c = min(ca, cb)
            cc &+= c
            ct = 0
            ca &-= c
            if ca == 0 && ia < a.count { ca = a[ia]; ia += 1; va.toggle() }
            ct &+= ca
            cb &-= c
            if cb == 0 && ib < b.count { cb = b[ib]; ib += 1; vb.toggle() }
            ct &+= cb
            let previous = v
            v = intersect ? (va && vb) : (va || vb)
            if v != previous || ct == 0 {
                output.append(cc)
                cc = 0
            }
            // Lists that do not add up to the same total (masks that do not cover the image):
            // end with the pixels both cover instead of spinning. Valid lists never get here.
            if ct > 0 && RunLengthKernels.hasRunOut(ca, ia, a.count, cb, ib, b.count) {
                if cc > 0 { output.append(cc) }
                break
            }
        }
    }
}
