// PNG decode (any colour type: grey, palette, 16-bit, alpha composited over a background)
// and encode (RGB or RGBA), through libpng's simplified API in the CImageCodecs shim.
import CImageCodecs
import SharedSupport

public enum PNGCodec {
    /// Decodes a PNG into 8-bit RGB; transparent pixels are composited over `background`.
    /// Throws `ImageDecodeError`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, background: RGBColor = .white) throws -> RGBImage {
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let (width, height) = try size(bytes)
        guard width > 0, height > 0, width * height <= ImageDecoding.maxPixels else {
            throw ImageDecodeError(.corrupt, "implausible size \(width)x\(height)")
        }
        var message = [CChar](repeating: 0, count: 256)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            cic_png_decode_rgb(base, bytes.count, background.hex, out.baseAddress, Int32(width), Int32(height), &message, message.count)
        }
        guard status == Int32(CIC_OK) else {
            let text = codecMessage(message)
            let truncated = text.contains("Not enough image data") || text.contains("EOF") || text.contains("too short")
            throw ImageDecodeError(truncated ? .truncated : .corrupt, text)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The size from the IHDR chunk alone (no pixel decoded). Throws `ImageDecodeError`.
    public static func size(_ bytes: UnsafeRawBufferPointer) throws -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let probe = cic_png_probe(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &width, &height,
                                  &message, message.count)
        guard probe == Int32(CIC_OK) else { throw ImageDecodeError(.corrupt, codecMessage(message)) }
        return (Int(width), Int(height))
    }

    public static func decode(_ bytes: [UInt8], background: RGBColor = .white) throws -> RGBImage {
        try bytes.withUnsafeBytes { try decode($0, background: background) }
    }

    /// Encodes an RGB image as PNG bytes.
    public static func encode(_ image: RGBImage) -> [UInt8] {
        encode(pixels: image.pixels, width: image.width, height: image.height, channels: 3)
    }

    /// Encodes packed 8-bit RGB (channels 3) or RGBA (channels 4) pixels as PNG bytes.
    public static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8] {
        precondition(channels == 3 || channels == 4, "PNG encode takes RGB or RGBA")
        precondition(width > 0 && height > 0 && pixels.count == width * height * channels, "pixel buffer does not match the size")
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = pixels.withUnsafeBufferPointer {
            cic_png_encode($0.baseAddress, Int32(width), Int32(height), Int32(channels), &output, &size, &message, message.count)
        }
        precondition(status == Int32(CIC_OK), "PNG encode failed: \(codecMessage(message))")
        defer { cic_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }

    /// Writes an RGB image as a PNG file, atomically.
    public static func write(_ image: RGBImage, to path: String) throws {
        try writeFileAtomically(path, bytes: encode(image))
    }
}
