// boundary-iou-api's mask_to_boundary (boundary_iou/utils/boundary_utils.py) on runs, bit for
// bit: the mask's pixels within `dilation` (Chebyshev distance) of a background pixel or of the
// image border. The reference pads the mask with a 1-pixel zero border, erodes it with a 3x3
// kernel `dilation` times (cv2.erode; outside the padded image counts as foreground, so only
// the zero ring erodes from the border) and subtracts the eroded mask from the mask.
//
// Here the erosion runs on intervals, never on pixels: per column the mask's foreground
// intervals; the vertical erosion shrinks each by `dilation` at both ends (outside = 0); the
// horizontal erosion intersects the 2k+1 columns around each column: by a sliding window
// (van Herk / Gil-Werman max / min) when each column holds at most one interval, O(columns);
// else by doubling (windows of 1, 2, 4, ... columns, then two overlapping windows),
// O(columns x intervals per column x log k), however large `dilation` is. `RLE.boundaryReference(dilation:)` is the
// pixel-by-pixel iterated erosion the tests compare it with.
//
// Legend: h = height, w = width, k = dilation, L = 2k + 1 (window), n = columns of the mask's
// box; intervals are half-open row ranges [lo, hi) within one column.

public enum MaskBoundary {
    /// boundary-iou-api's default `dilation_ratio`.
    public static let defaultDilationRatio = 0.02

    /// The largest dilation returned: any past max(height, width) erodes every mask whole.
    public static let maximumDilation = 1 << 40

    /// `max(1, int(round(ratio * np.sqrt(h ** 2 + w ** 2))))` as the reference computes it:
    /// h^2 + w^2 exact, one float64 square root, Python's `round` (half to even); capped at
    /// `maximumDilation` (no overflow; NaN gives 1).
    public static func dilation(height: Int, width: Int, ratio: Double) -> Int {
        let h = UInt64(max(height, 0)), w = UInt64(max(width, 0))
        let (hh, o1) = h.multipliedReportingOverflow(by: h)
        let (ww, o2) = w.multipliedReportingOverflow(by: w)
        let (sum, o3) = hh.addingReportingOverflow(ww)
        let squares = o1 || o2 || o3 ? Double(h) * Double(h) + Double(w) * Double(w) : Double(sum)
        let value = (ratio * squares.squareRoot()).rounded(.toNearestOrEven)
        guard value >= 1 else { return 1 }  // also NaN
        return value >= Double(maximumDilation) ? maximumDilation : Int(value)
    }

    /// The most column intervals (`columnIntervals`) a mask may have for its boundary to be made
    /// here (2^22, about 100 MB of scratch): real masks have thousands. A run spanning many
    /// whole columns of a very elongated image (a 1 x 4e9 image's full mask) has one per column.
    public static let maximumColumnIntervals = 1 << 22

    /// The foreground intervals of the mask split at column ends (what the kernel works on, and
    /// bounds its time, memory and output): O(runs), before anything is made.
    public static func columnIntervals(_ counts: UnsafeBufferPointer<UInt32>, height: Int, width: Int) -> Int {
        let total = height * width
        guard height > 0 else { return 0 }
        var position = 0, intervals = 0, j = 0
        while j < counts.count && position < total {
            let end = min(position + Int(counts[j]), total)
            if j % 2 == 1 && end > position { intervals += (end - 1) / height - position / height + 1 }
            position = end
            j += 1
        }
        return intervals
    }

    /// Appends the boundary of the column-major runs `counts` (a mask of `height` x `width`)
    /// to `output` as runs in pycocotools' encoding (rleEncode of the boundary mask: a first
    /// run of zeros, possibly empty; no trailing empty run). Runs past height x width are cut,
    /// as rleDecode cuts them. `dilation` >= 1. Time, scratch and output grow with
    /// `columnIntervals` (check it against `maximumColumnIntervals` for masks from input).
    public static func appendBoundary(_ counts: UnsafeBufferPointer<UInt32>, height: Int, width: Int, dilation: Int,
                                      into output: inout [UInt32], workspace: inout BoundaryWorkspace) {
        precondition(dilation >= 1, "dilation must be at least 1")
        workspace.boundary(counts, height: height, width: width, dilation: dilation, into: &output)
    }
}

/// Reusable scratch space for `MaskBoundary.appendBoundary` (one per thread).
public struct BoundaryWorkspace {
    /// The mask: column (absolute) and rows [lo, hi) of each interval, column order.
    private var maskColumn: [Int] = []
    private var maskLow: [Int] = []
    private var maskHigh: [Int] = []
    /// One interval list per column of a level: `offsets[c]..<offsets[c + 1]` in lows / highs.
    private var current = IntervalColumns()
    private var next = IntervalColumns()
    private var window = IntervalColumns()
    /// The sliding-window path's per-column interval and block extremes.
    private var low: [Int] = [], high: [Int] = []
    private var prefixLow: [Int] = [], prefixHigh: [Int] = [], suffixLow: [Int] = [], suffixHigh: [Int] = []

    public init() {}

    mutating func boundary(_ counts: UnsafeBufferPointer<UInt32>, height h: Int, width w: Int, dilation k: Int,
                           into output: inout [UInt32]) {
        let total = h * w
        readMask(counts, height: h, total: total)
        guard let firstColumn = maskColumn.first, let lastColumn = maskColumn.last else {
            output.append(UInt32(truncatingIfNeeded: total))
            return
        }
        let n = lastColumn - firstColumn + 1
        let length = 2 * k + 1  // k <= 2^40: no overflow
        // The eroded mask, per column of the box: empty unless the whole window fits.
        let erodes = length <= n && length <= h
        if erodes {
            // Level 1: the vertical erosion of each column.
            current.reset()
            var i = 0
            for c in 0..<n {
                while i < maskColumn.count && maskColumn[i] == firstColumn + c {
                    if maskHigh[i] - maskLow[i] > 2 * k { current.append(maskLow[i] + k, maskHigh[i] - k) }
                    i += 1
                }
                current.close()
            }
            if current.isAtMostOnePerColumn {
                // At most one interval per column (most real masks): the window's intersection is
                // [max of the lows, min of the highs), by van Herk / Gil-Werman in O(n).
                slidingWindow(columns: n, length: length)
            } else {
                // Doubling: level `span` holds the intersection of columns c..<c+span.
                var span = 1
                while 2 * span <= length {
                    next.reset()
                    for c in 0...(n - 2 * span) { next.appendIntersection(current, c, current, c + span); next.close() }
                    swap(&current, &next)
                    span *= 2
                }
                window.reset()
                for c in 0...(n - length) {
                    window.appendIntersection(current, c, current, c + length - span)
                    window.close()
                }
            }
        }
        // Boundary = mask minus eroded, emitted as runs.
        // Appends in place: `output` may be a long arena (a copy per mask would be quadratic).
        var emitter = RunEmitter(height: h)
        var i = 0
        while i < maskColumn.count {
            let x = maskColumn[i]
            var end = i
            while end < maskColumn.count && maskColumn[end] == x { end += 1 }
            let c = x - firstColumn - k  // window start of column x
            if erodes && c >= 0 && c <= n - length {
                let (eStart, eEnd) = window.range(c)
                var e = eStart
                for j in i..<end {
                    var lo = maskLow[j]
                    let hi = maskHigh[j]
                    while e < eEnd && window.highs[e] <= lo { e += 1 }
                    while e < eEnd && window.lows[e] < hi {
                        // Eroded intervals lie inside the mask's.
                        if window.lows[e] > lo { emitter.emit(column: x, lo, window.lows[e], into: &output) }
                        lo = max(lo, window.highs[e])
                        if window.highs[e] > hi { break }
                        e += 1
                    }
                    if lo < hi { emitter.emit(column: x, lo, hi, into: &output) }
                }
            } else {
                for j in i..<end { emitter.emit(column: x, maskLow[j], maskHigh[j], into: &output) }
            }
            i = end
        }
        emitter.finish(total: total, into: &output)
    }

    /// `window` from `current` when every column holds at most one interval: per window of
    /// `length` columns, empty if any column is, else [max low, min high) when not empty. Block
    /// prefix / suffix extremes (van Herk / Gil-Werman) give each window's in O(1).
    private mutating func slidingWindow(columns n: Int, length: Int) {
        // Per column: its interval, or an empty one [Int.min / 2, Int.min / 2) that empties
        // every window holding it (its high is below every low).
        let emptyLow = Int.max / 2, emptyHigh = Int.min / 2
        low.removeAll(keepingCapacity: true)
        high.removeAll(keepingCapacity: true)
        for c in 0..<n {
            let (start, end) = current.range(c)
            if start < end {
                low.append(current.lows[start])
                high.append(current.highs[start])
            } else {
                low.append(emptyLow)
                high.append(emptyHigh)
            }
        }
        // prefix: from the block's start to c; suffix: from c to the block's end.
        prefixLow = low; prefixHigh = high; suffixLow = low; suffixHigh = high
        for c in 1..<max(n, 1) where c % length != 0 {
            prefixLow[c] = max(prefixLow[c - 1], low[c])
            prefixHigh[c] = min(prefixHigh[c - 1], high[c])
        }
        var c = n - 2
        while c >= 0 {
            if (c + 1) % length != 0 {
                suffixLow[c] = max(suffixLow[c + 1], low[c])
                suffixHigh[c] = min(suffixHigh[c + 1], high[c])
            }
            c -= 1
        }
        window.reset()
        for c in 0...(n - length) {
            let last = c + length - 1
            let lo = c % length == 0 ? prefixLow[last] : max(suffixLow[c], prefixLow[last])
            let hi = c % length == 0 ? prefixHigh[last] : min(suffixHigh[c], prefixHigh[last])
            if lo < hi { window.append(lo, hi) }
            window.close()
        }
    }

    /// The foreground intervals of the runs, split at column ends, adjacent ones merged.
    private mutating func readMask(_ counts: UnsafeBufferPointer<UInt32>, height h: Int, total: Int) {
        maskColumn.removeAll(keepingCapacity: true)
        maskLow.removeAll(keepingCapacity: true)
        maskHigh.removeAll(keepingCapacity: true)
        guard h > 0 else { return }
        var position = 0
        var j = 0
        while j < counts.count && position < total {
            let end = min(position + Int(counts[j]), total)
            if j % 2 == 1 {
                var start = position
                while start < end {
                    let x = start / h, top = x * h
                    let stop = min(end, top + h)
                    if let last = maskColumn.last, last == x, maskHigh[maskHigh.count - 1] == start - top {
                        maskHigh[maskHigh.count - 1] = stop - top
                    } else {
                        maskColumn.append(x)
                        maskLow.append(start - top)
                        maskHigh.append(stop - top)
                    }
                    start = stop
                }
            }
            position = end
            j += 1
        }
    }
}

/// Interval lists, one per column of a level, in one arena.
private struct IntervalColumns {
    var lows: [Int] = []
    var highs: [Int] = []
    var offsets: [Int] = [0]

    mutating func reset() {
        lows.removeAll(keepingCapacity: true)
        highs.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
    }

    @inline(__always) mutating func append(_ lo: Int, _ hi: Int) {
        lows.append(lo)
        highs.append(hi)
    }

    /// Ends the current column.
    @inline(__always) mutating func close() { offsets.append(lows.count) }

    @inline(__always) func range(_ c: Int) -> (Int, Int) { (offsets[c], offsets[c + 1]) }

    /// No column holds two intervals.
    var isAtMostOnePerColumn: Bool {
        for c in 0..<(offsets.count - 1) where offsets[c + 1] - offsets[c] > 1 { return false }
        return true
    }

    /// Appends the intersection of column `a` of `first` and column `b` of `second`.
    mutating func appendIntersection(_ first: IntervalColumns, _ a: Int, _ second: IntervalColumns, _ b: Int) {
        var (i, iEnd) = first.range(a)
        var (j, jEnd) = second.range(b)
        while i < iEnd && j < jEnd {
            let lo = max(first.lows[i], second.lows[j]), hi = min(first.highs[i], second.highs[j])
            if lo < hi { append(lo, hi) }
            if first.highs[i] < second.highs[j] { i += 1 } else { j += 1 }
        }
    }
}

/// Column intervals in order -> pycocotools runs (contiguous intervals merged), appended to
/// the caller's array.
private struct RunEmitter {
    let height: Int
    var position = 0      // end of the last run written
    var openStart = -1    // the foreground run being built
    var openEnd = -1

    init(height: Int) { self.height = height }

    @inline(__always) mutating func emit(column x: Int, _ lo: Int, _ hi: Int, into output: inout [UInt32]) {
        let start = x * height + lo, end = x * height + hi
        if start == openEnd {
            openEnd = end
            return
        }
        flush(into: &output)
        openStart = start
        openEnd = end
    }

    private mutating func flush(into output: inout [UInt32]) {
        guard openStart >= 0 else { return }
        output.append(UInt32(truncatingIfNeeded: openStart - position))
        output.append(UInt32(truncatingIfNeeded: openEnd - openStart))
        position = openEnd
    }

    mutating func finish(total: Int, into output: inout [UInt32]) {
        flush(into: &output)
        if position < total || position == 0 { output.append(UInt32(truncatingIfNeeded: total - position)) }
    }
}
