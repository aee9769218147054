// Polygon checks for convert: why a polygon cannot be used (odd coordinate count, fewer
// than 3 points, non-finite, far outside its image, zero area), and what to keep of an
// annotation's polygons.
import SharedSupport

extension PrepPlan {
    /// The polygons of one annotation split into those kept and the reasons the others were dropped.
    struct PolygonCheck: Equatable {
        var usable: [[Double]]
        /// "polygon 2: 7 numbers (odd)", in polygon order.
        var defects: [String]
    }

    /// How far outside its image a polygon may reach, in image sizes: x in [-W, 2W], y in
    /// [-H, 2H]. Real annotations stay inside (COCO, LVIS: 0 px outside); farther vertices are
    /// data errors, and bounding them keeps every stored (f32) coordinate finite and small.
    static let polygonReach = 1.0

    static func checkPolygons(_ polygons: [[Double]], imageWidth: Int, imageHeight: Int) -> PolygonCheck {
        var check = PolygonCheck(usable: [], defects: [])
        for (index, polygon) in polygons.enumerated() {
            if let defect = polygonDefect(polygon)
                ?? polygonOutsideImage(polygon, imageWidth: imageWidth, imageHeight: imageHeight) {
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

    /// The first point of a polygon (x, y pairs) farther than `polygonReach` image sizes
    /// outside its `imageWidth` x `imageHeight` image, described; nil when there is none.
    static func polygonOutsideImage(_ flat: [Double], imageWidth: Int, imageHeight: Int) -> String? {
        let width = Double(imageWidth), height = Double(imageHeight), reach = polygonReach
        for i in stride(from: 0, to: flat.count - 1, by: 2) {
            let x = flat[i], y = flat[i + 1]
            if x < -reach * width || x > (1 + reach) * width || y < -reach * height || y > (1 + reach) * height {
                return "point (\(x), \(y)) is more than an image size outside the \(imageWidth)x\(imageHeight) image"
            }
        }
        return nil
    }
}
