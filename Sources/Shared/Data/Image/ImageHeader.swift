// The size of an image file from its header alone (JPEG frame header, PNG IHDR), read before
// any pixel is decoded, so a small file that claims a huge image costs nothing to refuse.

/// What an image file's header says.
public struct ImageHeader: Equatable, Sendable {
    public var format: ImageFileFormat
    public var width: Int
    public var height: Int

    public init(format: ImageFileFormat, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// Reads the header of a JPEG or PNG. A JPEG the decoder would refuse (CMYK, 2 components,
    /// not 8-bit) is refused here already. Throws `ImageDecodeError`.
    public static func read(_ bytes: UnsafeRawBufferPointer) throws -> ImageHeader {
        switch ImageFileFormat.detect(bytes) {
        case .jpeg:
            let size = try JPEGCodec.size(bytes)
            return ImageHeader(format: .jpeg, width: size.width, height: size.height)
        case .png:
            let size = try PNGCodec.size(bytes)
            return ImageHeader(format: .png, width: size.width, height: size.height)
        case nil:
            throw ImageDecodeError(.unknownFormat, "neither a JPEG nor a PNG file")
        }
    }
}
