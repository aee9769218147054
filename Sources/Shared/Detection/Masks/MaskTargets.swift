// Mask targets, raster part: the polygons of a GT instance mapped into a positive RoI
// (MaskTargetGeometry.swift) and rasterised at M x M with the pycocotools-exact polygon
// rasteriser of SharedMasks (frPyObjects + merge + decode), as mmdetection 2.8 does.
import SharedMasks

/// The `maskSize` x `maskSize` binary target (row-major, 1 = object) of `polygons` (image
/// pixels, COCO form) inside `roi`.
public func maskTarget(polygons: PolygonList, roi: Box, maskSize: Int = 28) -> [UInt8] {
    let mapped = polygonsInRoI(polygons, roi: roi, maskSize: maskSize)
    return RLE(polygons: mapped, height: maskSize, width: maskSize).decodeRowMajor()
}
