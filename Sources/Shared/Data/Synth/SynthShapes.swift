// Outlines of the synthetic shapes as polygons in a unit frame (centre 0, radius ~1), and
// their split into convex parts (ear clipping), which the occlusion computation subtracts.

public enum SynthShapes {
    /// The outline of `shape`, counter-clockwise in the unit frame, as a simple polygon.
    public static func outline(_ shape: SynthShape) -> [CanvasPoint] {
        func regular(_ sides: Int, phase: Double) -> [CanvasPoint] {
            (0..<sides).map { i in
                let angle = phase + 2 * Double.pi * Double(i) / Double(sides)
                return CanvasPoint(cos(angle), sin(angle))
            }
        }
        switch shape {
        case .circle: return regular(24, phase: 0)
        case .square: return [CanvasPoint(-0.8, -0.8), CanvasPoint(0.8, -0.8), CanvasPoint(0.8, 0.8), CanvasPoint(-0.8, 0.8)]
        case .triangle: return regular(3, phase: -Double.pi / 2)
        case .diamond: return [CanvasPoint(0, -1), CanvasPoint(0.65, 0), CanvasPoint(0, 1), CanvasPoint(-0.65, 0)]
        case .pentagon: return regular(5, phase: -Double.pi / 2)
        case .hexagon: return regular(6, phase: 0)
        case .star:
            return (0..<10).map { i in
                let angle = -Double.pi / 2 + Double.pi * Double(i) / 5
                let radius = i % 2 == 0 ? 1.0 : 0.45
                return CanvasPoint(radius * cos(angle), radius * sin(angle))
            }
        case .cross:
            let a = 0.3, b = 0.9
            return [CanvasPoint(-a, -b), CanvasPoint(a, -b), CanvasPoint(a, -a), CanvasPoint(b, -a), CanvasPoint(b, a), CanvasPoint(a, a),
                    CanvasPoint(a, b), CanvasPoint(-a, b), CanvasPoint(-a, a), CanvasPoint(-b, a), CanvasPoint(-b, -a), CanvasPoint(-a, -a)]
        case .arrow:
            return [CanvasPoint(-0.9, -0.25), CanvasPoint(0.2, -0.25), CanvasPoint(0.2, -0.7), CanvasPoint(0.95, 0),
                    CanvasPoint(0.2, 0.7), CanvasPoint(0.2, 0.25), CanvasPoint(-0.9, 0.25)]
        case .crescent:
            // Outer arc of radius 1 from -120 to 120 degrees, back along an inner arc.
            var points: [CanvasPoint] = []
            for i in 0...12 {
                let angle = -2 * Double.pi / 3 + 4 * Double.pi / 3 * Double(i) / 12
                points.append(CanvasPoint(cos(angle), sin(angle)))
            }
            for i in stride(from: 11, through: 1, by: -1) {
                let angle = -2 * Double.pi / 3 + 4 * Double.pi / 3 * Double(i) / 12
                points.append(CanvasPoint(0.55 * cos(angle) + 0.25, 0.55 * sin(angle) * 1.45))
            }
            return points
        }
    }

    /// Signed area (positive for counter-clockwise in a y-up frame; sign is only used
    /// for consistency).
    public static func signedArea(_ polygon: [CanvasPoint]) -> Double {
        var twice = 0.0
        for i in 0..<polygon.count {
            let a = polygon[i], b = polygon[(i + 1) % polygon.count]
            twice += a.x * b.y - b.x * a.y
        }
        return twice / 2
    }

    /// Splits a simple polygon into triangles by ear clipping (convex parts for subtraction).
    public static func triangulate(_ polygon: [CanvasPoint]) -> [[CanvasPoint]] {
        var points = signedArea(polygon) < 0 ? Array(polygon.reversed()) : polygon
        var triangles: [[CanvasPoint]] = []
        func cross(_ o: CanvasPoint, _ a: CanvasPoint, _ b: CanvasPoint) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        func inside(_ p: CanvasPoint, _ a: CanvasPoint, _ b: CanvasPoint, _ c: CanvasPoint) -> Bool {
            cross(a, b, p) >= 0 && cross(b, c, p) >= 0 && cross(c, a, p) >= 0
        }
        var guardCount = 0
        while points.count > 3 && guardCount < 10_000 {
            guardCount += 1
            var clipped = false
            for i in 0..<points.count {
                let a = points[(i + points.count - 1) % points.count], b = points[i], c = points[(i + 1) % points.count]
                guard cross(a, b, c) > 1e-12 else { continue }
                let blocked = points.enumerated().contains { j, p in
                    j != i && j != (i + points.count - 1) % points.count && j != (i + 1) % points.count && inside(p, a, b, c)
                }
                if blocked { continue }
                triangles.append([a, b, c])
                points.remove(at: i)
                clipped = true
                break
            }
            if !clipped { break }
        }
        if points.count == 3 { triangles.append(points) }
        return triangles
    }
}

#if canImport(Glibc)
import Glibc
#endif
