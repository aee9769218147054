// Polygon clipping for visible (occluded) masks: a polygon minus a convex polygon, as a
// list of disjoint pieces (Sutherland-Hodgman against half-planes). A shape's visible part
// is its outline minus every convex part of every object drawn above it.

public enum PolygonClipping {
    /// The part of `polygon` on the left of the directed line a->b (cross >= 0), for
    /// counter-clockwise convex clip polygons (in the y-down image frame "left" is the
    /// inside of a polygon whose signed area is positive).
    static func clip(_ polygon: [CanvasPoint], keepLeftOf a: CanvasPoint, _ b: CanvasPoint, keepLeft: Bool) -> [CanvasPoint] {
        guard !polygon.isEmpty else { return [] }
        func side(_ p: CanvasPoint) -> Double {
            let value = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
            return keepLeft ? value : -value
        }
        var output: [CanvasPoint] = []
        output.reserveCapacity(polygon.count + 2)
        var previous = polygon[polygon.count - 1]
        var previousSide = side(previous)
        for point in polygon {
            let pointSide = side(point)
            if pointSide >= 0 {
                if previousSide < 0 { output.append(intersection(previous, point, previousSide, pointSide)) }
                output.append(point)
            } else if previousSide >= 0 {
                output.append(intersection(previous, point, previousSide, pointSide))
            }
            previous = point
            previousSide = pointSide
        }
        return output
    }

    static func intersection(_ p: CanvasPoint, _ q: CanvasPoint, _ sp: Double, _ sq: Double) -> CanvasPoint {
        let t = sp / (sp - sq)
        return CanvasPoint(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y))
    }

    /// `polygon` minus the convex polygon `hole`: disjoint pieces whose union is the
    /// difference. Pieces smaller than `minimumArea` are dropped.
    public static func subtract(_ polygon: [CanvasPoint], convex hole: [CanvasPoint], minimumArea: Double = 0.25) -> [[CanvasPoint]] {
        guard polygon.count >= 3, hole.count >= 3 else { return [polygon] }
        if !boundsOverlap(polygon, hole) { return [polygon] }
        let counterClockwise = SynthShapes.signedArea(hole) > 0
        var pieces: [[CanvasPoint]] = []
        var remaining = polygon
        for i in 0..<hole.count {
            let a = hole[i], b = hole[(i + 1) % hole.count]
            // Outside this edge: a finished piece. Inside: continue with the next edges.
            let outside = clip(remaining, keepLeftOf: a, b, keepLeft: !counterClockwise)
            if abs(SynthShapes.signedArea(outside)) >= minimumArea { pieces.append(outside) }
            remaining = clip(remaining, keepLeftOf: a, b, keepLeft: counterClockwise)
            if remaining.count < 3 { break }
        }
        return pieces
    }

    /// Axis-aligned bounds (minX, minY, maxX, maxY) of a polygon, without allocating.
    @inline(__always)
    static func bounds(_ polygon: [CanvasPoint]) -> (Double, Double, Double, Double) {
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for p in polygon {
            if p.x < x0 { x0 = p.x }
            if p.x > x1 { x1 = p.x }
            if p.y < y0 { y0 = p.y }
            if p.y > y1 { y1 = p.y }
        }
        return (x0, y0, x1, y1)
    }

    static func boundsOverlap(_ a: [CanvasPoint], _ b: [CanvasPoint]) -> Bool {
        let (ax0, ay0, ax1, ay1) = bounds(a), (bx0, by0, bx1, by1) = bounds(b)
        return ax0 < bx1 && bx0 < ax1 && ay0 < by1 && by0 < ay1
    }

    /// Total area of disjoint pieces.
    public static func area(_ pieces: [[CanvasPoint]]) -> Double {
        pieces.reduce(0) { $0 + abs(SynthShapes.signedArea($1)) }
    }
}
