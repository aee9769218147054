// What convert accepts of an image before it opens the file: a pixel-count limit (so no
// json or file header can make it allocate more than a bounded amount per image) and image
// file names confined to the image root.

/// Limits on the images convert reads, from `--max-pixels` and `--allow-outside-images`.
public struct ImageLimits: Equatable, Sendable {
    /// LVIS v1's images are the COCO 2017 train and val photos, at most 640 px on a side
    /// (coco128, the LVIS v0.5 and COCO val2014 samples in shared/data: largest 638 x 640),
    /// so the largest has at most 640 x 640 pixels.
    public static let largestLVISImagePixels = 640 * 640
    /// The default `--max-pixels`: LVIS's largest image x 4 (1 638 400, e.g. 1280 x 1280).
    public static let defaultMaxPixels = 4 * largestLVISImagePixels
    /// The decoders' own limit (2^28 pixels); `--max-pixels` cannot go higher.
    public static let maxPixelsCeiling = ImageDecoding.maxPixels
    /// Bytes per pixel an image file may take (twice uncompressed 16-bit RGBA), plus room for
    /// metadata (EXIF, ICC profiles): far above any real encoding.
    public static let fileBytesPerPixel = 16
    public static let fileMetadataBytes = 16 << 20

    /// Images whose width x height (in the json) exceeds this are refused (`image-too-large`).
    public let maxPixels: Int
    /// Image names may be absolute or contain `..` (`--allow-outside-images`).
    public let allowOutsideImages: Bool

    public init(maxPixels: Int = ImageLimits.defaultMaxPixels, allowOutsideImages: Bool = false) {
        precondition((1...Self.maxPixelsCeiling).contains(maxPixels), "max pixels must be 1...2^28 (checked on the command line)")
        self.maxPixels = maxPixels
        self.allowOutsideImages = allowOutsideImages
    }

    /// An image file larger than this cannot hold an image of `maxPixels` (refused unread).
    public var maxFileBytes: Int { maxPixels * Self.fileBytesPerPixel + Self.fileMetadataBytes }
}
