// annToRLE: any `segmentation` field to one RLE, as pycocotools' COCO.annToRLE does
// (polygons rasterised and union-merged, uncompressed RLE taken as is, compressed decoded);
// RLE forms must cover the image exactly, or the run walks after it would go wrong.
import SharedData
import SharedSupport

extension RLE {
    /// The mask of a `segmentation` for an image of `height` x `width` (used for polygons;
    /// RLE forms carry their own size).
    ///
    /// Like pycocotools' `frPyObjects`, a polygon list whose first entry has 4 numbers or
    /// fewer is an error (later entries may be degenerate); an empty list is an empty mask.
    /// RLE forms whose runs do not add up to height * width are an error too.
    public init(segmentation: Segmentation, height: Int, width: Int) throws {
        switch segmentation {
        case let .polygons(polygons):
            guard let first = polygons.first else {
                self = .empty(height: height, width: width)
                return
            }
            guard first.count > 4 else {
                // pycocotools' frPyObjects reads a first entry of 4 numbers as a box list
                // (and fails on a list), and rejects fewer than 4: neither is a polygon.
                throw ToolError("segmentation's first polygon has \(first.count) numbers; a polygon needs at least 3 points",
                                hint: "remove degenerate polygons from the annotation (pycocotools cannot read it either)")
            }
            // Far-away vertices make the reference walk billions of boundary points (and run
            // out of memory); no real annotation comes near this bound.
            let limit = RLE.coordinateLimit
            for polygon in polygons {
                if let value = polygon.first(where: { !($0.magnitude <= limit) }) {
                    throw ToolError("segmentation polygon coordinate \(value) is far outside any image",
                                    hint: "polygon coordinates are pixels of the image; check the annotation")
                }
            }
            self.init(polygons: polygons, height: height, width: width)
        case let .uncompressedRLE(h, w, counts):
            self.init(height: h, width: w, counts: counts)
            try checkCoversImage()
        case let .compressedRLE(h, w, bytes):
            self.init(compressedString: bytes, height: h, width: w)
            try checkCoversImage()
        }
    }

    /// The largest polygon coordinate magnitude `RLE(segmentation:)` accepts.
    public static let coordinateLimit = 1e6

    /// The segmentation form of this mask that COCO results files use (compressed RLE).
    public var segmentation: Segmentation {
        .compressedRLE(height: height, width: width, counts: compressedBytes)
    }
}
