// annToRLE: any `segmentation` field to one RLE, as pycocotools' COCO.annToRLE does
// (polygons rasterised and union-merged, uncompressed RLE taken as is, compressed decoded);
// RLE forms must cover the image exactly, or the run walks after it would go wrong, and
// the mask size must fit 32-bit run lengths.
import SharedData
import SharedSupport

extension RLE {
    /// The mask of a `segmentation` for an image of `height` x `width` (used for polygons;
    /// RLE forms carry their own size).
    ///
    /// Like pycocotools' `frPyObjects`, a polygon list whose first entry has 4 numbers or
    /// fewer is an error (later entries may be degenerate); an empty list is an empty mask.
    /// RLE forms whose runs do not add up to height * width are an error too, and so is a
    /// size whose height * width exceeds 2^32 - 1 (`RLE.checkSize`), and polygons whose mask
    /// would have more than `RLE.maximumRuns` runs (`RLE.runBound`, checked before rasterising).
    public init(segmentation: Segmentation, height: Int, width: Int) throws {
        switch segmentation {
        case let .polygons(polygons):
            try RLE.checkSize(height: height, width: width)
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
            // Beyond this bound pycocotools' 32-bit integer arithmetic overflows, so there is
            // no reference mask; the cost of rasterising does not depend on it.
            let limit = RLE.coordinateLimit
            for polygon in polygons {
                if let value = polygon.first(where: { !($0.magnitude <= limit) }) {
                    throw ToolError("segmentation polygon coordinate \(value) is far outside any image (beyond ±\(Int(limit)))",
                                    hint: "polygon coordinates are pixels of the image; check the annotation")
                }
            }
            // The run count is known from the vertices: refuse a mask too costly to make
            // before any of it is made.
            let bound = RLE.runBound(segmentation: segmentation, height: height, width: width)
            guard bound <= RLE.maximumRuns else { throw RLE.tooManyRunsError(bound: bound) }
            self.init(polygons: polygons, height: height, width: width)
        case let .uncompressedRLE(h, w, counts):
            self.init(height: h, width: w, counts: counts)
            try checkCoversImage()
        case let .compressedRLE(h, w, bytes):
            self.init(compressedString: bytes, height: h, width: w)
            try checkCoversImage()
        }
    }

    /// The largest polygon coordinate magnitude `RLE(segmentation:)` accepts: x5 upsampled,
    /// coordinates and their differences stay inside pycocotools' 32-bit `int`s.
    public static let coordinateLimit = 2e8

    /// The segmentation form of this mask that COCO results files use (compressed RLE).
    public var segmentation: Segmentation {
        .compressedRLE(height: height, width: width, counts: compressedBytes)
    }
}
