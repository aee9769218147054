// One synthetic image: a noisy gradient background with clutter, then the requested objects
// (sized small / medium / large, rotated, stretched) placed so no object loses more than
// 55% of its area to the ones drawn above it; each object's mask is its visible part as
// polygons, and the pixels are drawn from the same polygons so masks and pixels agree.
import SharedSupport

/// An object in a finished scene.
public struct SynthObject: Sendable {
    public var categoryIndex: Int
    /// Visible part: disjoint polygons in image pixels.
    public var visible: [[CanvasPoint]]
    public var visibleArea: Double
    public var fullArea: Double
}

struct PlacedObject {
    var categoryIndex: Int
    var outline: [CanvasPoint]
    var triangles: [[CanvasPoint]]
    var visible: [[CanvasPoint]]
    var fullArea: Double
    var bounds: (x0: Double, y0: Double, x1: Double, y1: Double)
    var shade: Double
    var period: Double
    var angle: Double
}

public enum SynthScene {
    /// Minimum visible share of an object once everything above it is drawn.
    static let minimumVisibleShare = 0.45

    /// Renders an image of `width` x `height` holding `requests` (category indices, drawn in
    /// this order, later on top). Returns the pixels and the objects that could be placed.
    public static func render(width: Int, height: Int, requests: [Int], categories: [SynthCategory],
                              random: inout SeededRandom) -> (image: RGBImage, objects: [SynthObject]) {
        var canvas = Canvas(width: width, height: height)
        drawBackground(&canvas, random: &random)
        var placed: [PlacedObject] = []
        for categoryIndex in requests {
            if let object = place(categoryIndex, category: categories[categoryIndex], width: width, height: height,
                                  placed: &placed, random: &random) {
                placed.append(object)
            }
        }
        for object in placed { draw(object, category: categories[object.categoryIndex], on: &canvas) }
        let objects = placed.map { object in
            SynthObject(categoryIndex: object.categoryIndex, visible: object.visible,
                        visibleArea: PolygonClipping.area(object.visible), fullArea: object.fullArea)
        }
        return (canvas.image, objects)
    }

    // MARK: Placement

    static func place(_ categoryIndex: Int, category: SynthCategory, width: Int, height: Int,
                      placed: inout [PlacedObject], random: inout SeededRandom) -> PlacedObject? {
        let unit = SynthShapes.outline(category.shape)
        let unitArea = abs(SynthShapes.signedArea(unit))
        let unitTriangles = SynthShapes.triangulate(unit)
        // COCO size classes by mask area: small < 32^2 <= medium < 96^2 <= large. Small ones
        // start at 16 px: below that a texture (dots, checks, stripes) has fewer than two
        // periods and the class cannot be told from its twin by anyone.
        let draw = random.nextDouble()
        let side: Double
        let largest = 0.62 * Double(min(width, height))
        if draw < 0.3 { side = 16 * pow(2, random.nextDouble()) }
        else if draw < 0.8 { side = 32 * pow(3, random.nextDouble()) }
        else { side = 96 * pow(max(1.01, largest / 96), random.nextDouble()) }
        var scale = (side * side / unitArea).squareRoot()
        for _ in 0..<20 {
            let aspect = exp((random.nextDouble() - 0.5) * 0.6)
            let sx = scale * aspect.squareRoot(), sy = scale / aspect.squareRoot()
            let angle = category.shape == .circle ? 0 : random.nextDouble() * 2 * Double.pi
            let c = cos(angle), s = sin(angle)
            func transform(_ p: CanvasPoint) -> CanvasPoint { CanvasPoint(c * sx * p.x - s * sy * p.y, s * sx * p.x + c * sy * p.y) }
            let shaped = unit.map(transform)
            let minX = shaped.map(\.x).min()!, maxX = shaped.map(\.x).max()!
            let minY = shaped.map(\.y).min()!, maxY = shaped.map(\.y).max()!
            guard maxX - minX < Double(width) - 2, maxY - minY < Double(height) - 2 else { scale *= 0.85; continue }
            let cx = 1 - minX + random.nextDouble() * (Double(width) - 2 - (maxX - minX))
            let cy = 1 - minY + random.nextDouble() * (Double(height) - 2 - (maxY - minY))
            let outline = shaped.map { CanvasPoint($0.x + cx, $0.y + cy) }
            let triangles = unitTriangles.map { $0.map { p in let q = transform(p); return CanvasPoint(q.x + cx, q.y + cy) } }
            let bounds = (minX + cx, minY + cy, maxX + cx, maxY + cy)
            // Occlusion check against everything below.
            var updated: [(Int, [[CanvasPoint]])] = []
            var acceptable = true
            for (index, below) in placed.enumerated() {
                guard below.bounds.x0 < bounds.2, bounds.0 < below.bounds.x1, below.bounds.y0 < bounds.3, bounds.1 < below.bounds.y1 else { continue }
                var pieces = below.visible
                for triangle in triangles {
                    let (tx0, ty0, tx1, ty1) = PolygonClipping.bounds(triangle)
                    guard tx0 < below.bounds.x1, below.bounds.x0 < tx1, ty0 < below.bounds.y1, below.bounds.y0 < ty1 else { continue }
                    pieces = pieces.flatMap { PolygonClipping.subtract($0, convex: triangle) }
                }
                if PolygonClipping.area(pieces) < minimumVisibleShare * below.fullArea { acceptable = false; break }
                updated.append((index, pieces))
            }
            guard acceptable else { scale *= 0.85; continue }
            for (index, pieces) in updated { placed[index].visible = pieces }
            let period = max(3, min(10, scale / 3))
            return PlacedObject(categoryIndex: categoryIndex, outline: outline, triangles: triangles, visible: [outline],
                                fullArea: unitArea * sx * sy, bounds: bounds, shade: 0.85 + 0.3 * random.nextDouble(),
                                period: period, angle: random.nextDouble() * Double.pi)
        }
        return nil
    }

    // MARK: Drawing

    static func drawBackground(_ canvas: inout Canvas, random: inout SeededRandom) {
        let width = canvas.width, height = canvas.height
        func dull() -> (Double, Double, Double) {
            let grey = 70 + 120 * random.nextDouble()
            return (grey + 25 * (random.nextDouble() - 0.5), grey + 25 * (random.nextDouble() - 0.5), grey + 25 * (random.nextDouble() - 0.5))
        }
        let top = dull(), bottom = dull()
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var noise = random
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let t = Double(y) / Double(max(1, height - 1))
                let base = (top.0 + (bottom.0 - top.0) * t, top.1 + (bottom.1 - top.1) * t, top.2 + (bottom.2 - top.2) * t)
                for x in 0..<width {
                    let bits = noise.next()
                    let n0 = Double(Int(bits & 15)) - 7.5, n1 = Double(Int((bits >> 4) & 15)) - 7.5, n2 = Double(Int((bits >> 8) & 15)) - 7.5
                    let index = (y * width + x) * 3
                    out[index] = UInt8(max(0, min(255, base.0 + n0)))
                    out[index + 1] = UInt8(max(0, min(255, base.1 + n1)))
                    out[index + 2] = UInt8(max(0, min(255, base.2 + n2)))
                }
            }
        }
        random = noise
        canvas = Canvas(image: RGBImage(width: width, height: height, pixels: pixels))
        // Clutter: grey/brown lines and blobs that belong to no category.
        let clutterColors = [0x5A_4632, 0x78_6450, 0x96_9696, 0x3C_3C3C, 0xB4_A08C].map { RGBColor(hex: UInt32($0)) }
        for _ in 0..<(3 + random.nextInt(below: 6)) {
            let color = clutterColors[random.nextInt(below: clutterColors.count)]
            if random.nextDouble() < 0.5 {
                canvas.drawLine(from: CanvasPoint(random.nextDouble() * Double(width), random.nextDouble() * Double(height)),
                                to: CanvasPoint(random.nextDouble() * Double(width), random.nextDouble() * Double(height)),
                                color: color, thickness: 1 + Double(random.nextInt(below: 3)), alpha: 0.8)
            } else {
                let cx = random.nextDouble() * Double(width), cy = random.nextDouble() * Double(height)
                let radius = 4 + 14 * random.nextDouble()
                let blob = (0..<7).map { i -> CanvasPoint in
                    let angle = 2 * Double.pi * Double(i) / 7
                    let r = radius * (0.6 + 0.4 * random.nextDouble())
                    return CanvasPoint(cx + r * cos(angle), cy + r * sin(angle))
                }
                canvas.fillPolygon(blob, color: color, alpha: 0.9)
            }
        }
    }

    static func draw(_ object: PlacedObject, category: SynthCategory, on canvas: inout Canvas) {
        let base = category.color.rgb.shaded(object.shade)
        let second = base.shaded(0.5)
        let period = object.period, c = cos(object.angle), s = sin(object.angle)
        let width = canvas.width
        var image = canvas.image
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            PolygonScan.spans([object.outline], width: width, height: image.height) { y, x0, x1 in
                for x in x0..<x1 {
                    let fx = Double(x) + 0.5, fy = Double(y) + 0.5
                    let useSecond: Bool
                    switch category.texture {
                    case .solid: useSecond = false
                    case .striped:
                        let u = fx * c + fy * s
                        useSecond = (u / period - (u / period).rounded(.down)) < 0.5
                    case .dotted:
                        let u = fx / period - (fx / period).rounded(.down) - 0.5, v = fy / period - (fy / period).rounded(.down) - 0.5
                        useSecond = u * u + v * v < 0.09
                    case .checkered:
                        useSecond = (Int((fx / period).rounded(.down)) + Int((fy / period).rounded(.down))) & 1 == 0
                    }
                    let color = useSecond ? second : base
                    let index = (y * width + x) * 3
                    pixels[index] = color.red; pixels[index + 1] = color.green; pixels[index + 2] = color.blue
                }
            }
        }
        canvas = Canvas(image: image)
    }
}

#if canImport(Glibc)
import Glibc
#endif
