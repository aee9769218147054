// One training image as a shard stores it: ids, original and stored size, the encoded (or
// raw) pixels, and its instances with boxes and polygons in stored pixels. The byte layout
// is specified in docs/shard-format.md; encode/decode here are its only implementation.

/// How a record's pixels are stored.
public enum StoredImageEncoding: UInt8, Sendable, CaseIterable {
    case jpeg = 0
    /// Packed 8-bit RGB, storedWidth * storedHeight * 3 bytes.
    case rawRGB = 1

    public var name: String { self == .jpeg ? "jpeg" : "raw" }
}

/// An instance mask as stored. Polygons are rescaled to stored pixels; RLE stays at the
/// original resolution (`height` x `width` = the original image size) because the data layer
/// does not rasterise; map it with the record's scale when needed.
public enum ShardSegmentation: Equatable, Sendable {
    case none
    /// Flat [x0, y0, x1, y1, ...] lists in stored pixels.
    case polygons([[Float]])
    case uncompressedRLE(height: Int, width: Int, counts: [UInt32])
    /// The COCO compressed-RLE string's ASCII bytes.
    case compressedRLE(height: Int, width: Int, counts: [UInt8])
}

public struct ShardInstance: Equatable, Sendable {
    public var annotationID: AnnotationID
    public var classIndex: ClassIndex
    public var isCrowd: Bool
    /// Corners in stored pixels.
    public var box: BoxXYXY
    public var segmentation: ShardSegmentation

    public init(annotationID: AnnotationID, classIndex: ClassIndex, isCrowd: Bool, box: BoxXYXY,
                segmentation: ShardSegmentation) {
        self.annotationID = annotationID
        self.classIndex = classIndex
        self.isCrowd = isCrowd
        self.box = box
        self.segmentation = segmentation
    }
}

public struct ShardRecord: Equatable, Sendable {
    public var imageID: ImageID
    /// The source file, relative to the image root (for messages and provenance).
    public var fileName: String
    public var originalWidth: Int
    public var originalHeight: Int
    public var storedWidth: Int
    public var storedHeight: Int
    public var encoding: StoredImageEncoding
    public var imageBytes: [UInt8]
    public var instances: [ShardInstance]
    /// LVIS federated fields as class indices (empty for COCO).
    public var negativeClasses: [ClassIndex]
    public var notExhaustiveClasses: [ClassIndex]

    public init(imageID: ImageID, fileName: String, originalWidth: Int, originalHeight: Int,
                storedWidth: Int, storedHeight: Int, encoding: StoredImageEncoding, imageBytes: [UInt8],
                instances: [ShardInstance], negativeClasses: [ClassIndex] = [], notExhaustiveClasses: [ClassIndex] = []) {
        self.imageID = imageID
        self.fileName = fileName
        self.originalWidth = originalWidth
        self.originalHeight = originalHeight
        self.storedWidth = storedWidth
        self.storedHeight = storedHeight
        self.encoding = encoding
        self.imageBytes = imageBytes
        self.instances = instances
        self.negativeClasses = negativeClasses
        self.notExhaustiveClasses = notExhaustiveClasses
    }

    /// Stored pixels per original pixel, along x and y: original = stored / scale.
    public var scaleX: Double { Double(storedWidth) / Double(originalWidth) }
    public var scaleY: Double { Double(storedHeight) / Double(originalHeight) }

    /// The pixels as RGB (storedWidth x storedHeight). Throws `ImageDecodeError` if the
    /// stored JPEG does not decode or is not the record's size (checked from its header
    /// before any pixel memory is allocated, so a crafted record cannot ask for gigabytes).
    public func decodeImage() throws -> RGBImage {
        switch encoding {
        case .jpeg:
            let declared = try imageBytes.withUnsafeBytes { try JPEGCodec.size($0) }
            guard declared.width == storedWidth, declared.height == storedHeight else {
                throw ImageDecodeError(.corrupt, "stored JPEG is \(declared.width)x\(declared.height), record says \(storedWidth)x\(storedHeight)")
            }
            let image = try JPEGCodec.decode(imageBytes)
            guard image.width == storedWidth, image.height == storedHeight else {
                throw ImageDecodeError(.corrupt, "stored JPEG is \(image.width)x\(image.height), record says \(storedWidth)x\(storedHeight)")
            }
            return image
        case .rawRGB:
            let (pixels, overflow) = storedWidth.multipliedReportingOverflow(by: storedHeight)
            let (expected, overflow3) = pixels.multipliedReportingOverflow(by: 3)
            guard storedWidth > 0, storedHeight > 0, !overflow, !overflow3, imageBytes.count == expected else {
                throw ImageDecodeError(.corrupt, "raw pixels are \(imageBytes.count) bytes, \(storedWidth)x\(storedHeight) RGB needs 3 per pixel")
            }
            return RGBImage(width: storedWidth, height: storedHeight, pixels: imageBytes)
        }
    }

    /// A box in stored pixels mapped back to original image pixels (for predictions).
    public func originalBox(_ stored: BoxXYXY) -> BoxXYXY {
        BoxXYXY(x1: stored.x1 / scaleX, y1: stored.y1 / scaleY, x2: stored.x2 / scaleX, y2: stored.y2 / scaleY)
    }
}
