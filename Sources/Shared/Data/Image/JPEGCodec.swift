// JPEG decode (libjpeg-turbo, with DCT-domain scaling by n/8 when shrinking a lot) and
// encode, through the setjmp-guarded CImageCodecs shim. Grey, YCbCr and RGB JPEGs of 8-bit
// samples decode to RGB; CMYK/YCCK, 2-component and other-precision JPEGs are refused from
// the header, and progressive files of more than 500 scans while reading.
import CImageCodecs

public enum JPEGCodec {
    /// The full size of a JPEG from its header. Throws `ImageDecodeError`.
    public static func size(_ bytes: UnsafeRawBufferPointer) throws -> (width: Int, height: Int) {
        let info = try probe(bytes, scaleNumerator: 8)
        return (Int(info.width), Int(info.height))
    }

    /// The DCT scale numerator n (decode at n/8 of full size) that shrinks the most while
    /// keeping the decoded image at least `minimumWidth` x `minimumHeight`. Only 1, 2, 4 and 8
    /// are used: libjpeg-turbo has SIMD IDCTs for those, and its scalar 3/8, 5/8, ... kernels
    /// cost more than decoding at the next SIMD size and resizing (measured on coco128).
    public static func scaleNumerator(width: Int, height: Int, minimumWidth: Int, minimumHeight: Int) -> Int {
        for numerator in [1, 2, 4, 8] {
            let scaledWidth = (width * numerator + 7) / 8, scaledHeight = (height * numerator + 7) / 8
            if scaledWidth >= minimumWidth && scaledHeight >= minimumHeight { return numerator }
        }
        return 8
    }

    /// Decodes to RGB at DCT scale `scaleNumerator`/8 (8 = full size; libjpeg's output is
    /// ceil(size * n / 8)). Grey JPEGs are expanded to RGB. Warnings from libjpeg (a
    /// truncated file, damaged data) are errors of kind `.truncated`. Throws `ImageDecodeError`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, scaleNumerator: Int = 8, fast: Bool = false) throws -> RGBImage {
        precondition((1...8).contains(scaleNumerator), "JPEG scale numerator must be 1...8")
        let info = try probe(bytes, scaleNumerator: scaleNumerator)
        let width = Int(info.outputWidth), height = Int(info.outputHeight)
        guard width > 0, height > 0, width * height <= ImageDecoding.maxPixels else {
            throw ImageDecodeError(.corrupt, "implausible size \(info.width)x\(info.height)")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var message = [CChar](repeating: 0, count: 256)
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            cic_jpeg_decode_rgb(base, bytes.count, Int32(scaleNumerator), fast ? 1 : 0, out.baseAddress,
                                Int32(width), Int32(height), &message, message.count)
        }
        switch status {
        case Int32(CIC_OK): return RGBImage(width: width, height: height, pixels: pixels)
        case Int32(CIC_WARNING): throw ImageDecodeError(.truncated, codecMessage(message))
        case Int32(CIC_CMYK): throw ImageDecodeError(.cmyk, "CMYK/YCCK colour space is not supported")
        case Int32(CIC_UNSUPPORTED): throw ImageDecodeError(.unsupported, codecMessage(message))
        default: throw ImageDecodeError(.corrupt, codecMessage(message))
        }
    }

    public static func decode(_ bytes: [UInt8], scaleNumerator: Int = 8, fast: Bool = false) throws -> RGBImage {
        try bytes.withUnsafeBytes { try decode($0, scaleNumerator: scaleNumerator, fast: fast) }
    }

    /// Validates a JPEG without decoding pixels (entropy decoding only): the same errors
    /// and warnings a full decode would report, several times faster. Returns the full size.
    /// Throws `ImageDecodeError`.
    public static func validate(_ bytes: UnsafeRawBufferPointer) throws -> (width: Int, height: Int) {
        let size = try self.size(bytes)
        // libjpeg keeps every coefficient of a whole-image pass: refuse what decode would
        // refuse before it allocates them.
        guard size.width * size.height <= ImageDecoding.maxPixels else {
            throw ImageDecodeError(.corrupt, "implausible size \(size.width)x\(size.height)")
        }
        var message = [CChar](repeating: 0, count: 256)
        let status = cic_jpeg_validate(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &message, message.count)
        switch status {
        case Int32(CIC_OK): return size
        case Int32(CIC_WARNING): throw ImageDecodeError(.truncated, codecMessage(message))
        case Int32(CIC_CMYK): throw ImageDecodeError(.cmyk, "CMYK/YCCK colour space is not supported")
        case Int32(CIC_UNSUPPORTED): throw ImageDecodeError(.unsupported, codecMessage(message))
        default: throw ImageDecodeError(.corrupt, codecMessage(message))
        }
    }

    /// Encodes RGB as a baseline JPEG (4:2:0) at `quality` 1...100.
    public static func encode(_ image: RGBImage, quality: Int = 90) -> [UInt8] {
        precondition((1...100).contains(quality), "JPEG quality must be 1...100")
        precondition(image.width > 0 && image.height > 0, "cannot encode an empty image")
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer {
            cic_jpeg_encode_rgb($0.baseAddress, Int32(image.width), Int32(image.height), Int32(quality),
                                &output, &size, &message, message.count)
        }
        precondition(status == Int32(CIC_OK), "JPEG encode failed: \(codecMessage(message))")
        defer { cic_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }

    /// The header alone (no pixel decoded): sizes, and the refusal of a JPEG that decoding
    /// would refuse (CMYK, 2 components, not 8-bit). Throws `ImageDecodeError`.
    static func probe(_ bytes: UnsafeRawBufferPointer, scaleNumerator: Int) throws -> cic_jpeg_info {
        var info = cic_jpeg_info()
        let status = cic_jpeg_probe(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count,
                                    Int32(scaleNumerator), &info)
        let message = withUnsafeBytes(of: info.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        switch status {
        case Int32(CIC_OK): return info
        case Int32(CIC_CMYK): throw ImageDecodeError(.cmyk, "CMYK/YCCK colour space is not supported")
        case Int32(CIC_UNSUPPORTED): throw ImageDecodeError(.unsupported, message)
        default: throw ImageDecodeError(.corrupt, message.isEmpty ? "not a JPEG" : message)
        }
    }
}
