// The RLE kernels over raw run buffers, without allocating: rleFrString (decode a
// compressed string), rleArea, rleToBbox and rleIou's run walk. `RLE`'s API is built on
// them, and the evaluator calls them directly on its packed columns (millions of masks).
// Tested against pycocotools through the RLE API and against naive pixel versions
// (Tests/MasksTests/RunLengthKernelTests.swift).
import SharedData

public enum RunLengthKernels {
    /// rleFrString: appends the counts of a compressed `counts` string to `counts`;
    /// returns how many were appended.
    @discardableResult
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into counts: inout [UInt32]) -> Int {
        let start = counts.count
        let n = bytes.count
        if n == 0 { return 0 }
        // Each count takes at least one byte: grow once, write through a pointer, trim.
        counts.append(contentsOf: repeatElement(0, count: n))
        let written = counts.withUnsafeMutableBufferPointer { all -> Int in
            let out = all.baseAddress! + start
            var m = 0, p = 0
            while p < n {
                var value: Int
                let first = bytes[p] &- 48
                if first & 0x20 == 0 {
                    // One group (the common case): 5 bits, sign bit 0x10.
                    value = Int(first & 0x1F)
                    if first & 0x10 != 0 { value -= 32 }
                    p += 1
                } else {
                    value = 0
                    var group = 0
                    while true {
                        // Past the end the C code reads the terminating NUL.
                        let c = (p < n ? bytes[p] : 0) &- 48
                        value |= Int(Int32(truncatingIfNeeded: Int(c & 0x1F) << (5 * group)))
                        let more = (c & 0x20) != 0
                        p += 1
                        group += 1
                        if !more {
                            if (c & 0x10) != 0 { value |= 5 * group < 32 ? Int(Int32(-1) << Int32(5 * group)) : 0 }
                            break
                        }
                        if group > 12 { break }
                    }
                }
                if m > 2 { value += Int(out[m - 2]) }
                out[m] = UInt32(truncatingIfNeeded: value)
                m += 1
            }
            return m
        }
        counts.removeLast(n - written)
        return written
    }

    /// rleArea: the sum of the runs of ones (odd positions), in 32-bit arithmetic as in C.
    @inline(__always)
    public static func area(_ counts: UnsafeBufferPointer<UInt32>) -> UInt32 {
        var total: UInt32 = 0
        var j = 1
        while j < counts.count {
            total &+= counts[j]
            j += 2
        }
        return total
    }

    /// rleToBbox as pycocotools 2.0.7 and later compute it: background runs and empty
    /// foreground runs are skipped, and a run crossing a column spans the whole height. All
    /// zeros for fewer than two runs. (Unsigned 32-bit arithmetic as in maskApi.c.)
    public static func boundingBox(_ counts: UnsafeBufferPointer<UInt32>, height: Int, width: Int) -> BoxXYWH {
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

    /// rleIou's run walk for one pair whose boxes overlap: intersection / union, or
    /// intersection / area(detection) for a crowd ground truth. The runs should cover the
    /// same number of pixels (`coversImage`); if not, only the pixels both cover are walked.
    public static func iou(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>, crowd: Bool, detectionArea: UInt32) -> Double {
        var ca: UInt32 = a.isEmpty ? 0 : a[0], cb: UInt32 = b.isEmpty ? 0 : b[0]
        var va = false, vb = false
        var ia = 1, ib = 1
        var intersection: UInt32 = 0, union: UInt32 = 0
        var ct: UInt32 = 1
        while ct > 0 {
            let c = min(ca, cb)
            if va || vb {
                union &+= c
                if va && vb { intersection &+= c }
            }
            ct = 0
            ca &-= c
            if ca == 0 && ia < a.count { ca = a[ia]; ia += 1; va.toggle() }
            ct &+= ca
            cb &-= c
            if cb == 0 && ib < b.count { cb = b[ib]; ib += 1; vb.toggle() }
            ct &+= cb
            // Runs that do not add up to the same total (not a valid pair): stop where the
            // shorter one ends instead of spinning on it. Valid pairs never get here.
            if ct > 0 && Self.hasRunOut(ca, ia, a.count, cb, ib, b.count) { break }
        }
        if intersection == 0 {
            union = 1
        } else if crowd {
            union = detectionArea
        }
        return Double(intersection) / Double(union)
    }

    /// True when a two-list run walk (rleIou, rleMerge) cannot advance: one side has used its
    /// last run (`c == 0` with nothing left) while the other still has pixels. The C walk
    /// would take steps of 0 forever there.
    @inline(__always)
    static func hasRunOut(_ ca: UInt32, _ ia: Int, _ na: Int, _ cb: UInt32, _ ib: Int, _ nb: Int) -> Bool {
        (ca == 0 && ia >= na) || (cb == 0 && ib >= nb)
    }
}
