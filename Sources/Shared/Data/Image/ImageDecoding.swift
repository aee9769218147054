// One entry point for "bytes of a JPEG or PNG file -> RGB", choosing the codec from the
// signature and, for JPEG, the cheapest DCT scale that still covers a target size.

public enum ImageDecoding {
    /// The largest image (width x height) the codecs decode or validate: 2^28 pixels, so no
    /// header can make them allocate more than a bounded amount.
    public static let maxPixels = 1 << 28

    /// The full size of an image file (JPEG or PNG), from its header. Throws `ImageDecodeError`.
    public static func size(_ bytes: UnsafeRawBufferPointer) throws -> (width: Int, height: Int) {
        let header = try ImageHeader.read(bytes)
        return (header.width, header.height)
    }

    /// Decodes a JPEG or PNG. With `atLeast` set, a JPEG may come back smaller than full
    /// size (DCT scaling) but never smaller than that size; the caller resizes the rest.
    /// With `atLeast` smaller than the image, JPEGs use libjpeg's fast integer IDCT and plain
    /// chroma upsampling: the area resize that follows averages away their small errors.
    /// Returns the image and the file's full size. Throws `ImageDecodeError`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, atLeast minimum: (width: Int, height: Int)? = nil)
        throws -> (image: RGBImage, fullWidth: Int, fullHeight: Int) {
        switch ImageFileFormat.detect(bytes) {
        case .jpeg:
            let full = try JPEGCodec.size(bytes)
            var numerator = 8
            var fast = false
            if let minimum, minimum.width < full.width || minimum.height < full.height {
                fast = true
                numerator = JPEGCodec.scaleNumerator(width: full.width, height: full.height,
                                                     minimumWidth: minimum.width, minimumHeight: minimum.height)
            }
            return (try JPEGCodec.decode(bytes, scaleNumerator: numerator, fast: fast), full.width, full.height)
        case .png:
            let image = try PNGCodec.decode(bytes)
            return (image, image.width, image.height)
        case nil:
            throw ImageDecodeError(.unknownFormat, "neither a JPEG nor a PNG file")
        }
    }
}
