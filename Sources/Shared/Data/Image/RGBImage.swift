// The decoded image type of the data layer: 8-bit RGB, packed row-major (R, G, B per pixel),
// plus the colour value used by the canvas and the synthetic generator.

/// An 8-bit RGB image, rows top to bottom, 3 bytes per pixel, no padding.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// width * height * 3 bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "negative image size")
        precondition(pixels.count == width * height * 3, "pixel buffer is \(pixels.count) bytes, expected \(width * height * 3)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A uniform image.
    public init(width: Int, height: Int, fill: RGBColor = .black) {
        precondition(width >= 0 && height >= 0, "negative image size")
        self.width = width
        self.height = height
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        if fill != .black {
            for index in stride(from: 0, to: bytes.count, by: 3) {
                bytes[index] = fill.red; bytes[index + 1] = fill.green; bytes[index + 2] = fill.blue
            }
        }
        self.pixels = bytes
    }

    public subscript(x: Int, y: Int) -> RGBColor {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
            let index = (y * width + x) * 3
            return RGBColor(red: pixels[index], green: pixels[index + 1], blue: pixels[index + 2])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
            let index = (y * width + x) * 3
            pixels[index] = newValue.red; pixels[index + 1] = newValue.green; pixels[index + 2] = newValue.blue
        }
    }
}

/// An sRGB colour, 8 bits per channel.
public struct RGBColor: Hashable, Sendable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    @inlinable public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red; self.green = green; self.blue = blue
    }

    /// From 0xRRGGBB.
    @inlinable public init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xff), green: UInt8((hex >> 8) & 0xff), blue: UInt8(hex & 0xff))
    }

    public var hex: UInt32 { UInt32(red) << 16 | UInt32(green) << 8 | UInt32(blue) }

    /// This colour scaled toward black (factor < 1) or white (factor > 1 mixes in white).
    public func shaded(_ factor: Double) -> RGBColor {
        func channel(_ value: UInt8) -> UInt8 {
            let v = Double(value)
            let out = factor <= 1 ? v * factor : v + (255 - v) * min(1, factor - 1)
            return UInt8(max(0, min(255, out.rounded())))
        }
        return RGBColor(red: channel(red), green: channel(green), blue: channel(blue))
    }

    public var description: String {
        let digits = String(hex, radix: 16)
        return "#" + String(repeating: "0", count: 6 - digits.count) + digits
    }

    public static let black = RGBColor(hex: 0x000000)
    public static let white = RGBColor(hex: 0xFFFFFF)
    public static let gray = RGBColor(hex: 0x808080)
    public static let lightGray = RGBColor(hex: 0xD0D0D0)
    public static let red = RGBColor(hex: 0xD62728)
    public static let green = RGBColor(hex: 0x2CA02C)
    public static let blue = RGBColor(hex: 0x1F77B4)
    public static let orange = RGBColor(hex: 0xFF7F0E)
    public static let purple = RGBColor(hex: 0x9467BD)
    /// A qualitative palette (matplotlib's tab10) for series in plots.
    public static let palette: [RGBColor] = [0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
                                              0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF].map { RGBColor(hex: $0) }
}
