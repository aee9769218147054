// An instance mask as the json holds it: polygons, an uncompressed RLE (list counts) or a
// COCO compressed RLE string. Decoding to pixels is the mask API's job (SharedMasks).

/// The `segmentation` field of an annotation or result, undecoded.
public enum Segmentation: Hashable, Sendable {
    /// A list of polygons, each a flat list [x0, y0, x1, y1, ...] in pixel coordinates.
    case polygons([[Double]])
    /// `{"size": [h, w], "counts": [ints]}`: column-major run lengths starting with zeros.
    case uncompressedRLE(height: Int, width: Int, counts: [UInt32])
    /// `{"size": [h, w], "counts": "string"}`: the ASCII bytes of the COCO compressed string.
    case compressedRLE(height: Int, width: Int, counts: [UInt8])

    /// The mask size for RLE forms; nil for polygons (they carry no size).
    public var size: (height: Int, width: Int)? {
        switch self {
        case .polygons: return nil
        case let .uncompressedRLE(height, width, _): return (height, width)
        case let .compressedRLE(height, width, _): return (height, width)
        }
    }
}
