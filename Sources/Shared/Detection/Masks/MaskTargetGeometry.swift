// Mask targets, geometry part: a GT instance's polygons mapped into a positive RoI's
// M x M target grid (M = 28). mmdetection 2.8 `PolygonMasks.crop_and_resize`:
//   w = max(x2 - x1, 1), h = max(y2 - y1, 1)
//   x' = (x - x1) * M / max(w, 0.1),  y' = (y - y1) * M / max(h, 0.1)
// (detectron2's `rasterize_polygons_within_box` is the same except that it does not floor
// w and h at 1). The mapped polygons are then rasterised at M x M by the pycocotools
// polygon rasteriser (frPyObjects, merge, decode), so a target pixel (i, j) is 1 when the
// pixel's area in RoI coordinates is covered per pycocotools' rules. Polygons are not
// clipped here: parts outside the RoI fall outside the grid, and the rasteriser computes
// only the boundary points that reach the grid's columns, so a target costs O(vertices x M)
// whatever the coordinates (a vertex at 1e9, or one that overflowed to infinity in f32).

/// One instance's polygons as flat [x0, y0, x1, y1, ...] lists in image pixels (COCO form).
public typealias PolygonList = [[Double]]

/// Maps `polygons` from image coordinates into the `maskSize` x `maskSize` grid of `roi`.
public func polygonsInRoI(_ polygons: PolygonList, roi: Box, maskSize: Int = 28) -> PolygonList {
    precondition(maskSize > 0, "mask size must be positive")
    let x1 = Double(roi.x1), y1 = Double(roi.y1)
    let w = Swift.max(Double(roi.x2) - x1, 1), h = Swift.max(Double(roi.y2) - y1, 1)
    let scaleX = Double(maskSize) / Swift.max(w, 0.1), scaleY = Double(maskSize) / Swift.max(h, 0.1)
    return polygons.map { polygon in
        // An odd trailing value (a damaged shard) is dropped, as pycocotools' len(poly) / 2 does.
        var mapped = polygon.count % 2 == 0 ? polygon : Array(polygon.dropLast())
        var k = 0
        while k < mapped.count {
            mapped[k] = (mapped[k] - x1) * scaleX
            mapped[k + 1] = (mapped[k + 1] - y1) * scaleY
            k += 2
        }
        return mapped
    }
}
