// rleFrPoly and rleFrBbox, bit-exact with pycocotools: the polygon is upsampled x5, its
// boundary walked densely, the x-crossings mapped back to pixel columns and turned into runs.
// The walk is clipped to the image (BoundaryCrossings.swift): only the points where the
// boundary enters a column of the image are computed, so the cost is O(vertices x columns
// spanned), whatever the coordinates' magnitude, and the starts are exactly the walk's.
import SharedData

extension RLE {
    /// rleFrPoly: rasterises one polygon given as flat [x0, y0, x1, y1, ...] pixel
    /// coordinates (an odd trailing value is ignored, as `len(poly) / 2` in pycocotools).
    /// A pixel is on iff its centre is inside; self-intersections follow even-odd parity.
    /// Equal to `RLE.denseWalkReference` for every polygon; time and memory are
    /// O(vertices x image columns) at most. The size must be one an RLE can describe
    /// (`RLE.pixels(height:width:)`; check sizes from input with `RLE.checkSize`).
    public init(polygon xy: [Double], height: Int, width: Int) {
        self.init(polygon: xy, height: height, width: width, reductionThreshold: 1 << 20, bitmapLimit: 1 << 28)
    }

    /// `init(polygon:height:width:)` with `BoundaryStarts`' settings: how many pending run
    /// starts trigger a reduction, and up to what mask size it uses a parity bitmap (small
    /// values let tests exercise both reductions).
    init(polygon xy: [Double], height: Int, width: Int, reductionThreshold: Int, bitmapLimit: UInt32) {
        let total = RLE.requireDescribable(height: height, width: width)
        guard xy.count >= 2 else {
            // maskApi.c would read uninitialised memory; an empty polygon is an empty mask.
            self = .empty(height: height, width: width)
            return
        }
        let polygon = UpsampledPolygon(xy)
        var starts = BoundaryStarts(total: total, reductionThreshold: reductionThreshold, bitmapLimit: bitmapLimit)
        var previousEdge: PolygonEdgeWalk?
        for j in 0..<polygon.edgeCount {
            let edge = polygon.edge(j)
            // The pair the walk forms across a vertex: the last point of one edge, the first of the next.
            if let previousEdge,
               let found = boundaryStart(previous: previousEdge.last, current: edge.first, height: height, width: width) {
                starts.append(found.start)
            }
            edge.appendStarts(height: height, width: width, to: &starts)
            previousEdge = edge
        }
        self.init(height: height, width: width, counts: starts.runs())
    }

    /// rleFrBbox: a box rasterised as the polygon of its four corners.
    public init(box: BoxXYWH, height: Int, width: Int) {
        let x1 = box.x, x2 = box.x + box.width
        let y1 = box.y, y2 = box.y + box.height
        self.init(polygon: [x1, y1, x1, y2, x2, y2, x2, y1], height: height, width: width)
    }

    /// frPoly + merge: the union of several polygons (one object's parts).
    public init(polygons: [[Double]], height: Int, width: Int) {
        let parts = polygons.map { RLE(polygon: $0, height: height, width: width) }
        if parts.isEmpty {
            // pycocotools rejects an empty list; an object without parts has no pixels.
            self = .empty(height: height, width: width)
        } else {
            self = RLE.merge(parts, intersect: false)
        }
    }
}
