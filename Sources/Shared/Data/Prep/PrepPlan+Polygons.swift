// Polygon checks for convert: why a polygon cannot be used (odd coordinate count, fewer
// than 3 points, non-finite, zero area), and what to keep of an annotation's polygons.
import SharedSupport

extension PrepPlan {
    /// The polygons of one annotation split into those kept and the reasons the others were dropped.
    struct PolygonCheck: Equatable {
        var usable: [[Double]]
        /// "polygon 2: 7 numbers (odd)", in polygon order.
        var defects: [String]
    }

    static func checkPolygons(_ polygons: [[Double]]) -> PolygonCheck {
        var check = PolygonCheck(usable: [], defects: [])
        for (index, polygon) in polygons.enumerated() {
            if let defect = polygonDefect(polygon) {
                check.defects.append("polygon \(index): \(defect)")
            } else {
                check.usable.append(polygon)
            }
        }
        return check
    }

    /// Why a flat [x0, y0, x1, y1, ...] polygon cannot be used; nil when it has at least 3
    /// finite points and non-zero area (shoelace).
    static func polygonDefect(_ flat: [Double]) -> String? {
        guard flat.count % 2 == 0 else { return "\(flat.count) numbers (odd, so not x,y pairs)" }
        guard flat.count >= 6 else { return "\(flat.count / 2) point(s) (fewer than 3)" }
        guard flat.allSatisfy(\.isFinite) else { return "a coordinate is not finite" }
        var twiceArea = 0.0
        let points = flat.count / 2
        for i in 0..<points {
            let j = (i + 1) % points
            twiceArea += flat[2 * i] * flat[2 * j + 1] - flat[2 * j] * flat[2 * i + 1]
        }
        return abs(twiceArea) > 1e-9 ? nil : "zero area"
    }
}
