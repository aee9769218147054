// What must hold for every mask the tools accept (its runs cover the image): area, IoU and
// merges agree with the same quantities counted pixel by pixel, and the compressed string
// decodes back to the same runs. Checked on masks small enough to decode (the RLE targets).
import SharedData
import SharedMasks

enum MaskInvariants {
    /// The largest image side for which masks are decoded and compared pixel by pixel.
    static let decodedSideLimit = 256

    /// Checks `mask` (which covers its image); `.accepted` when every invariant holds.
    static func check(_ mask: RLE) -> FuzzOutcome {
        let roundTrip = RLE(compressedString: mask.compressedBytes, height: mask.height, width: mask.width)
        guard roundTrip.counts == mask.counts else {
            return .finding("compressed string round trip changed the runs: \(mask.counts.prefix(8)) -> \(roundTrip.counts.prefix(8))")
        }
        _ = mask.boundingBox
        guard mask.height <= decodedSideLimit, mask.width <= decodedSideLimit else { return .accepted }

        let pixels = mask.decodeColumnMajor()
        let area = pixels.reduce(0) { $0 + Int($1) }
        guard pixels.count == mask.height * mask.width, area == mask.area else {
            return .finding("decoded \(pixels.count) pixels with \(area) set; expected \(mask.height * mask.width) with area \(mask.area)")
        }
        // A second mask of the same size: a box over the middle of the image.
        let box = BoxXYWH(x: Double(mask.width) / 3, y: Double(mask.height) / 3,
                          width: Double(mask.width) / 2, height: Double(mask.height) / 2)
        let other = RLE(box: box, height: mask.height, width: mask.width)
        let otherPixels = other.decodeColumnMajor()
        var intersection = 0, union = 0
        for index in pixels.indices {
            let a = pixels[index] != 0, b = otherPixels[index] != 0
            if a && b { intersection += 1 }
            if a || b { union += 1 }
        }
        let expectedIoU = intersection == 0 ? 0 : Double(intersection) / Double(union)
        let expectedCrowdIoU = intersection == 0 ? 0 : Double(intersection) / Double(area)
        let iou = maskIoU(mask, other, isCrowd: false), crowdIoU = maskIoU(mask, other, isCrowd: true)
        guard iou == expectedIoU, crowdIoU == expectedCrowdIoU else {
            return .finding("maskIoU \(iou) (crowd \(crowdIoU)), pixel count gives \(expectedIoU) (crowd \(expectedCrowdIoU))")
        }
        let unionMask = RLE.merge([mask, other]), intersectionMask = RLE.merge([mask, other], intersect: true)
        guard unionMask.area == union, intersectionMask.area == intersection else {
            return .finding("merge gives union \(unionMask.area) / intersection \(intersectionMask.area), pixel count \(union) / \(intersection)")
        }
        return .accepted
    }
}
