// The clipping of rleFrPoly: the run starts its walk produces, found without walking.
// maskApi.c turns a pair of consecutive boundary points whose u differs into a start only
// when the pair's column index xi (the lower u, or the higher u - 1, by walk direction)
// is 5n + 2 for an image column n in 0..<width. Along one edge u is monotone (exact steps
// of 1 on x-major edges, C-rounded steps on y-major ones), so for each column n the only
// pair that can give xi = 5n + 2 is the one where u passes from <= 5n + 2 to >= 5n + 3.
// Searching that pair per column visits O(columns the edge spans in the image) points per
// edge instead of max(|dx|, |dy|); the pairs between edges (last point of one, first of
// the next) are taken as they are. Each start is computed by the C arithmetic on the very
// same pair, so the multiset of starts is the walk's (tests: RLE.denseWalkReference).

/// rleFrPoly's start for the pair (previous, current) in walk order, with its column;
/// nil when u does not change or the column is outside the image (maskApi.c lines
/// "if(u[j]!=u[j-1])" to "a[j]=x*h+y").
@inline(__always)
func boundaryStart(previous: BoundaryPoint, current: BoundaryPoint, height: Int, width: Int) -> (column: Int32, start: UInt32)? {
    guard current.u != previous.u else { return nil }
    let scale = UpsampledPolygon.scale
    var xd = Double(current.u < previous.u ? current.u : current.u &- 1)
    xd = (xd + 0.5) / scale - 0.5
    if xd.rounded(.down) != xd || xd < 0 || xd > Double(width - 1) { return nil }
    var yd = Double(current.v < previous.v ? current.v : previous.v)
    yd = (yd + 0.5) / scale - 0.5
    let heightDouble = Double(height)
    if yd < 0 { yd = 0 } else if yd > heightDouble { yd = heightDouble }
    yd = yd.rounded(.up)
    let x = truncateToInt32LikeC(xd), y = truncateToInt32LikeC(yd)
    return (x, UInt32(truncatingIfNeeded: x &* Int32(truncatingIfNeeded: height) &+ y))
}

extension PolygonEdgeWalk {
    /// Appends the starts of this edge's own point pairs (not the pair with the next edge).
    func appendStarts(height: Int, width: Int, to starts: inout BoundaryStarts) {
        guard let columns = columnsCrossed(width: width) else { return }
        let start = point(0), end = point(steps)
        let rising = start.u < end.u
        for column in columns {
            let level = 5 * column + 2
            let (before, after) = pair(passing: level, rising: rising, start: start, end: end)
            let (previous, current) = reversed ? (after, before) : (before, after)
            // A pair that jumps several levels gives one xi: it counts for that column only.
            if let found = boundaryStart(previous: previous, current: current, height: height, width: width),
               Int(found.column) == column {
                starts.append(found.start)
            }
        }
    }

    /// The image columns n this edge's own point pairs can start a run in: those with
    /// low <= 5n + 2 < high (low and high: u at the edge's two ends), inside the image; nil
    /// for none. `appendStarts` looks at exactly these columns, one start at most each.
    func columnsCrossed(width: Int) -> ClosedRange<Int>? {
        guard steps > 0 else { return nil }
        let start = point(0), end = point(steps)
        guard start.u != end.u else { return nil }
        let low = Int(min(start.u, end.u)), high = Int(max(start.u, end.u))
        let firstColumn = max(0, ceilingDivision(low - 2, by: 5))
        let lastColumn = min(width - 1, floorDivision(high - 3, by: 5))
        return firstColumn <= lastColumn ? firstColumn...lastColumn : nil
    }

    /// Points t - 1 and t (in t order) for the smallest t in 1...steps whose u has passed
    /// `level` (u > level when u rises with t, u <= level when it falls), given that point 0
    /// (`start`) has not and point `steps` (`end`) has. On an x-major edge u = xStart + t, so
    /// t = level + 1 - xStart; on a y-major one the search starts from the straight-line
    /// estimate and brackets outward: a few points for a good estimate, O(log steps) at worst.
    func pair(passing level: Int, rising: Bool, start: BoundaryPoint, end: BoundaryPoint) -> (BoundaryPoint, BoundaryPoint) {
        if xMajor {
            let t = level + 1 - xStart
            return (point(t - 1), point(t))
        }
        let bound = Int32(truncatingIfNeeded: level)
        // Invariant: lowPoint = point(low) has not passed, highPoint = point(high) has.
        var low = 0, high = steps, lowPoint = start, highPoint = end
        let estimate = ((Double(level) + 0.5 - Double(xStart)) / slope).rounded(.up)
        let guess = estimate.isFinite ? Int(Swift.min(Swift.max(estimate, 1), Double(steps))) : 1
        var probe = guess, stride = 1
        var probePoint = point(probe)
        if rising ? probePoint.u > bound : probePoint.u <= bound {
            high = probe; highPoint = probePoint
            while high - stride > low {
                probe = high - stride
                probePoint = point(probe)
                if rising ? probePoint.u > bound : probePoint.u <= bound {
                    high = probe; highPoint = probePoint; stride *= 2
                } else {
                    low = probe; lowPoint = probePoint; break
                }
            }
        } else {
            low = probe; lowPoint = probePoint
            while low + stride < high {
                probe = low + stride
                probePoint = point(probe)
                if rising ? probePoint.u > bound : probePoint.u <= bound {
                    high = probe; highPoint = probePoint; break
                } else {
                    low = probe; lowPoint = probePoint; stride *= 2
                }
            }
        }
        while high - low > 1 {
            probe = low + (high - low) / 2
            probePoint = point(probe)
            if rising ? probePoint.u > bound : probePoint.u <= bound {
                high = probe; highPoint = probePoint
            } else {
                low = probe; lowPoint = probePoint
            }
        }
        return (lowPoint, highPoint)
    }
}

@inline(__always)
func floorDivision(_ a: Int, by b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

@inline(__always)
func ceilingDivision(_ a: Int, by b: Int) -> Int {
    -floorDivision(-a, by: b)
}
