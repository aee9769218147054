// Scan conversion of polygons into horizontal pixel spans (pixel centres, even-odd rule),
// shared by the Canvas and the synthetic generator's textured fills. Rows and columns are
// clamped to the image before any conversion to Int, so far-away coordinates cost nothing.

/// A point in pixel coordinates (x right, y down; pixel (i, j) covers [i, i+1) x [j, j+1)).
public struct CanvasPoint: Hashable, Sendable {
    public var x: Double
    public var y: Double
    @inlinable public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    @inlinable public init(x: Double, y: Double) { self.x = x; self.y = y }
}

public enum PolygonScan {
    /// Calls `span(y, x0, x1)` for every run of pixels x0..<x1 in row y whose centre
    /// (x + 0.5, y + 0.5) lies inside the union (even-odd) of `polygons`, clipped to
    /// width x height. Polygons with fewer than 3 points or a non-finite coordinate are ignored.
    public static func spans(_ polygons: [[CanvasPoint]], width: Int, height: Int,
                             _ span: (_ y: Int, _ x0: Int, _ x1: Int) -> Void) {
        let polygons = polygons.filter { $0.count >= 3 && $0.allSatisfy { $0.x.isFinite && $0.y.isFinite } }
        var minY = Double.infinity, maxY = -Double.infinity
        for polygon in polygons {
            for point in polygon { minY = min(minY, point.y); maxY = max(maxY, point.y) }
        }
        guard minY.isFinite, maxY.isFinite else { return }
        let firstRow = clampedInt((minY - 0.5).rounded(.up), 0, height)
        let lastRow = clampedInt((maxY - 0.5).rounded(.down), -1, height - 1)
        guard firstRow <= lastRow else { return }
        var crossings: [Double] = []
        crossings.reserveCapacity(16)
        for row in firstRow...lastRow {
            let sampleY = Double(row) + 0.5
            crossings.removeAll(keepingCapacity: true)
            for polygon in polygons {
                var previous = polygon[polygon.count - 1]
                for point in polygon {
                    // Half-open rule: an edge counts when the sample row is in [min, max).
                    if (previous.y <= sampleY) != (point.y <= sampleY) {
                        let t = (sampleY - previous.y) / (point.y - previous.y)
                        crossings.append(previous.x + t * (point.x - previous.x))
                    }
                    previous = point
                }
            }
            crossings.sort()
            var index = 0
            while index + 1 < crossings.count {
                // Pixels whose centre x + 0.5 lies in [left, right).
                let x0 = clampedInt((crossings[index] - 0.5).rounded(.up), 0, width)
                let x1 = clampedInt((crossings[index + 1] - 0.5).rounded(.up), 0, width)
                if x0 < x1 { span(row, x0, x1) }
                index += 2
            }
        }
    }

    /// `Int(value)` clamped to lower...upper, without trapping on values past Int's range
    /// (or NaN, which gives `lower`).
    @inline(__always)
    static func clampedInt(_ value: Double, _ lower: Int, _ upper: Int) -> Int {
        if !(value > Double(lower)) { return lower }
        if value >= Double(upper) { return upper }
        return Int(value)
    }
}
