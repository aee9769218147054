// rleFrPoly and rleFrBbox, bit-exact with pycocotools: the polygon is upsampled x5, its
// boundary walked densely, the x-crossings mapped back to pixel columns and turned into runs.
import SharedData

/// C's `(int)value` for a double as x86-64 computes it (cvttsd2si): truncation toward
/// zero, and INT_MIN for NaN or out-of-range values.
@inline(__always)
func truncateToInt32LikeC(_ value: Double) -> Int32 {
    guard value > -2147483649.0 && value < 2147483648.0 else { return Int32.min }
    return Int32(value)
}

extension RLE {
    /// rleFrPoly: rasterises one polygon given as flat [x0, y0, x1, y1, ...] pixel
    /// coordinates (an odd trailing value is ignored, as `len(poly) / 2` in pycocotools).
    /// A pixel is on iff its centre is inside; self-intersections follow even-odd parity.
    public init(polygon xy: [Double], height: Int, width: Int) {
        let k = xy.count / 2
        guard k > 0 else {
            // maskApi.c would read uninitialised memory; an empty polygon is an empty mask.
            self = .empty(height: height, width: width)
            return
        }
        let scale = 5.0
        // Upsampled, rounded vertices (closed ring).
        var xs = [Int32](repeating: 0, count: k + 1)
        var ys = [Int32](repeating: 0, count: k + 1)
        for j in 0..<k {
            xs[j] = truncateToInt32LikeC(scale * xy[2 * j] + 0.5)
            ys[j] = truncateToInt32LikeC(scale * xy[2 * j + 1] + 0.5)
        }
        xs[k] = xs[0]
        ys[k] = ys[0]

        // Dense points along every edge, walked along its major axis.
        var u: [Int32] = []
        var v: [Int32] = []
        var total = 0
        for j in 0..<k {
            total += max(abs(Int(xs[j]) - Int(xs[j + 1])), abs(Int(ys[j]) - Int(ys[j + 1]))) + 1
        }
        u.reserveCapacity(total)
        v.reserveCapacity(total)
        for j in 0..<k {
            var xStart = xs[j], xEnd = xs[j + 1], yStart = ys[j], yEnd = ys[j + 1]
            // In 64 bits: a wrapped 32-bit difference would trap (C's abs(INT_MIN) is undefined).
            let dx = abs(Int(xEnd) - Int(xStart)), dy = abs(Int(yStart) - Int(yEnd))
            let flip = (dx >= dy && xStart > xEnd) || (dx < dy && yStart > yEnd)
            if flip {
                swap(&xStart, &xEnd)
                swap(&yStart, &yEnd)
            }
            let slope = dx >= dy ? Double(Int(yEnd) - Int(yStart)) / Double(dx) : Double(Int(xEnd) - Int(xStart)) / Double(dy)
            if dx >= dy {
                for d in 0...dx {
                    let t = flip ? dx - d : d
                    u.append(Int32(truncatingIfNeeded: t + Int(xStart)))
                    v.append(truncateToInt32LikeC(Double(yStart) + slope * Double(t) + 0.5))
                }
            } else {
                for d in 0...dy {
                    let t = flip ? dy - d : d
                    v.append(Int32(truncatingIfNeeded: t + Int(yStart)))
                    u.append(truncateToInt32LikeC(Double(xStart) + slope * Double(t) + 0.5))
                }
            }
        }

        // Points where x changes, mapped back to pixel columns; their rows, clamped.
        var starts: [UInt32] = []
        starts.reserveCapacity(u.count / Int(scale) + 2)
        let heightDouble = Double(height)
        for j in 1..<max(u.count, 1) where u[j] != u[j - 1] {
            var xd = Double(u[j] < u[j - 1] ? u[j] : u[j] &- 1)
            xd = (xd + 0.5) / scale - 0.5
            if xd.rounded(.down) != xd || xd < 0 || xd > Double(width - 1) { continue }
            var yd = Double(v[j] < v[j - 1] ? v[j] : v[j - 1])
            yd = (yd + 0.5) / scale - 0.5
            if yd < 0 { yd = 0 } else if yd > heightDouble { yd = heightDouble }
            yd = yd.rounded(.up)
            let x = truncateToInt32LikeC(xd), y = truncateToInt32LikeC(yd)
            starts.append(UInt32(truncatingIfNeeded: x &* Int32(truncatingIfNeeded: height) &+ y))
        }
        starts.append(UInt32(truncatingIfNeeded: height * width))

        // Sorted boundary indices, differenced into runs; empty runs fold into the next.
        starts.sort()
        var previous: UInt32 = 0
        for j in starts.indices {
            let value = starts[j]
            starts[j] = value &- previous
            previous = value
        }
        var counts: [UInt32] = [starts[0]]
        var j = 1
        while j < starts.count {
            if starts[j] > 0 {
                counts.append(starts[j])
                j += 1
            } else {
                j += 1
                if j < starts.count {
                    counts[counts.count - 1] &+= starts[j]
                    j += 1
                }
            }
        }
        self.init(height: height, width: width, counts: counts)
    }

    /// rleFrBbox: a box rasterised as the polygon of its four corners.
    public init(box: BoxXYWH, height: Int, width: Int) {
        let x1 = box.x, x2 = box.x + box.width
        let y1 = box.y, y2 = box.y + box.height
        self.init(polygon: [x1, y1, x1, y2, x2, y2, x2, y1], height: height, width: width)
    }

    /// frPoly + merge: the union of several polygons (one object's parts).
    public init(polygons: [[Double]], height: Int, width: Int) {
        let parts = polygons.map { RLE(polygon: $0, height: height, width: width) }
        if parts.isEmpty {
            // pycocotools rejects an empty list; an object without parts has no pixels.
            self = .empty(height: height, width: width)
        } else {
            self = RLE.merge(parts, intersect: false)
        }
    }
}
