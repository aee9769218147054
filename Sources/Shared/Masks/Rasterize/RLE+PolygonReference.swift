// The reference rleFrPoly: maskApi.c's dense boundary walk transcribed line for line (the
// implementation before clipping). Tests compare the clipped rasteriser against it.
import SharedData

extension RLE {
    /// rleFrPoly as maskApi.c writes it: every point of the upsampled boundary in two
    /// arrays, every x-change turned into a run start, sorted, differenced, empty runs folded.
    /// Its time and memory grow with the coordinates' magnitude (billions of points for a
    /// vertex at 1e8), so it is the reference `RLE(polygon:height:width:)` is tested
    /// against on polygons it can afford, not for input.
    public static func denseWalkReference(polygon xy: [Double], height: Int, width: Int) -> RLE {
        let k = xy.count / 2
        guard k > 0 else {
            // maskApi.c would read uninitialised memory; an empty polygon is an empty mask.
            return .empty(height: height, width: width)
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
        return RLE(height: height, width: width, counts: counts)
    }
}
