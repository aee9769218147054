// What a polygon's mask costs, known before it is rasterised: the clipped rasteriser appends
// at most one run start per image column an edge spans (BoundaryCrossings.swift) and one per
// vertex, so that sum, computed from the vertices alone in O(vertices), bounds the mask's
// runs, its memory and the time to make it. Masks beyond `maximumRuns` are refused unmade.
import SharedData
import SharedSupport

extension RLE {
    /// The most runs `RLE(segmentation:)` makes from polygons for one mask: 2^20 (4 MiB of
    /// runs). Real masks are far below it: the largest of 2736 COCO and LVIS masks in
    /// shared/data has 2770 (bound) and 2489 (actual) runs; 2^20 is still 100 runs in every
    /// column of a 10 000-pixel-wide image.
    public static let maximumRuns = 1 << 20

    /// An upper bound on the runs of `RLE(polygon:height:width:)` (the run starts its
    /// rasteriser appends, plus the last run), from the vertices alone. The size must be one
    /// an RLE can describe.
    public static func runBound(polygon xy: [Double], height: Int, width: Int) -> Int {
        _ = requireDescribable(height: height, width: width)
        guard xy.count >= 2 else { return 1 }
        let polygon = UpsampledPolygon(xy)
        var starts = 0
        for j in 0..<polygon.edgeCount {
            // One start at most for the pair across vertex j, one per column the edge spans.
            starts += 1 + (polygon.edge(j).columnsCrossed(width: width)?.count ?? 0)
        }
        return starts + 1
    }

    /// An upper bound on the runs of the mask `RLE(segmentation:height:width:)` makes from
    /// polygons (the merge of the parts has at most the sum of their runs); 0 for the RLE
    /// forms, whose runs are read, not made (at most one per byte of their file).
    public static func runBound(segmentation: Segmentation, height: Int, width: Int) -> Int {
        guard case let .polygons(polygons) = segmentation else { return 0 }
        return polygons.reduce(0) { $0 + runBound(polygon: $1, height: height, width: width) }
    }

    /// The error for a mask whose polygons would make more than `maximumRuns` runs (the
    /// caller adds the file and record).
    public static func tooManyRunsError(bound: Int) -> ToolError {
        ToolError("segmentation polygons would make a mask of up to \(bound) runs, over the limit of \(maximumRuns) runs per mask "
                  + "(real masks have at most a few thousand; each edge costs one run per image column it crosses)",
                  hint: "simplify the polygon: its edges zig-zag across the image far more often than any object outline")
    }
}
