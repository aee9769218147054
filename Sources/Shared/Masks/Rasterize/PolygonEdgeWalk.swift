// rleFrPoly's boundary as functions instead of arrays: the x5-upsampled polygon and, per
// edge, point t of maskApi.c's dense walk computed exactly as its loop computes it, so the
// rasteriser can visit the few points that reach the image and skip the rest (a walk has
// max(|dx|, |dy|) + 1 points, which grows with the coordinates, not with the image).
import SharedData

/// C's `(int)value` for a double as x86-64 computes it (cvttsd2si): truncation toward
/// zero, and INT_MIN for NaN or out-of-range values.
@inline(__always)
func truncateToInt32LikeC(_ value: Double) -> Int32 {
    guard value > -2147483649.0 && value < 2147483648.0 else { return Int32.min }
    return Int32(value)
}

/// A point of the upsampled boundary: `u` along x, `v` along y (pixel coordinates x 5).
struct BoundaryPoint: Equatable {
    var u: Int32
    var v: Int32
}

/// The upsampled, rounded vertices of a flat [x0, y0, x1, y1, ...] polygon as a closed ring
/// (vertex k repeats vertex 0); an odd trailing value is ignored, as in pycocotools.
struct UpsampledPolygon {
    static let scale = 5.0
    let xs: [Int32]
    let ys: [Int32]

    init(_ xy: [Double]) {
        let k = xy.count / 2
        var xs = [Int32](repeating: 0, count: k + 1)
        var ys = [Int32](repeating: 0, count: k + 1)
        for j in 0..<k {
            xs[j] = truncateToInt32LikeC(Self.scale * xy[2 * j] + 0.5)
            ys[j] = truncateToInt32LikeC(Self.scale * xy[2 * j + 1] + 0.5)
        }
        if k > 0 {
            xs[k] = xs[0]
            ys[k] = ys[0]
        }
        self.xs = xs
        self.ys = ys
    }

    var edgeCount: Int { xs.count - 1 }

    /// The walk of edge j (vertex j to vertex j + 1).
    func edge(_ j: Int) -> PolygonEdgeWalk {
        PolygonEdgeWalk(x0: xs[j], y0: ys[j], x1: xs[j + 1], y1: ys[j + 1])
    }
}

/// One edge's dense walk: `steps + 1` points along its major axis, indexed by maskApi.c's
/// `t` (0 at the lower end of the major axis). The C loop visits t = 0...steps, or
/// steps...0 when it swapped the ends (`reversed`).
struct PolygonEdgeWalk {
    /// max(|dx|, |dy|), in 64 bits (a wrapped 32-bit difference would trap; C's is undefined).
    let steps: Int
    let xMajor: Bool
    let reversed: Bool
    let xStart: Int
    let yStart: Int
    let slope: Double

    init(x0: Int32, y0: Int32, x1: Int32, y1: Int32) {
        var xStart = x0, xEnd = x1, yStart = y0, yEnd = y1
        let dx = abs(Int(xEnd) - Int(xStart)), dy = abs(Int(yStart) - Int(yEnd))
        let flip = (dx >= dy && xStart > xEnd) || (dx < dy && yStart > yEnd)
        if flip {
            swap(&xStart, &xEnd)
            swap(&yStart, &yEnd)
        }
        xMajor = dx >= dy
        steps = xMajor ? dx : dy
        reversed = flip
        // 0 / 0 = NaN for a zero-length edge, as in C: its one point gets v (or u) = INT_MIN.
        slope = xMajor ? Double(Int(yEnd) - Int(yStart)) / Double(dx) : Double(Int(xEnd) - Int(xStart)) / Double(dy)
        self.xStart = Int(xStart)
        self.yStart = Int(yStart)
    }

    /// Point t (0...steps): the major coordinate exact, the minor one rounded as C does.
    @inline(__always)
    func point(_ t: Int) -> BoundaryPoint {
        let minor = truncateToInt32LikeC(Double(xMajor ? yStart : xStart) + slope * Double(t) + 0.5)
        let major = Int32(truncatingIfNeeded: t + (xMajor ? xStart : yStart))
        return xMajor ? BoundaryPoint(u: major, v: minor) : BoundaryPoint(u: minor, v: major)
    }

    /// The first and last points in the C loop's order (its pairs with the next edge).
    var first: BoundaryPoint { point(reversed ? steps : 0) }
    var last: BoundaryPoint { point(reversed ? 0 : steps) }
}
