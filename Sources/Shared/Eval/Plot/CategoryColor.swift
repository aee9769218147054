// A stable colour per category for drawn detections: the same category id gets the same
// colour in every tile, model and run (hue stepped by the golden ratio, full saturation).
import SharedData

public enum CategoryColor {
    public static func color(_ id: CategoryID) -> RGBColor {
        let hue = (Double(UInt64(truncatingIfNeeded: id.rawValue) &* 0x9E37_79B9 % 1_000_003) * 0.618_033_988_75)
            .truncatingRemainder(dividingBy: 1)
        return hsv(hue: hue, saturation: 0.85, value: 0.9)
    }

    static func hsv(hue: Double, saturation s: Double, value v: Double) -> RGBColor {
        let h = hue * 6, sector = Int(h) % 6, f = h - Double(Int(h))
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let (r, g, b): (Double, Double, Double)
        switch sector {
        case 0: (r, g, b) = (v, t, p)
        case 1: (r, g, b) = (q, v, p)
        case 2: (r, g, b) = (p, v, t)
        case 3: (r, g, b) = (p, q, v)
        case 4: (r, g, b) = (t, p, v)
        default: (r, g, b) = (v, p, q)
        }
        func byte(_ x: Double) -> UInt8 { UInt8(max(0, min(255, (x * 255).rounded()))) }
        return RGBColor(red: byte(r), green: byte(g), blue: byte(b))
    }
}
