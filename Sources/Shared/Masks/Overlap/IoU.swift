// Intersection over union as pycocotools' `iou()`: boxes (bbIou) and masks (rleIou), with
// the crowd rule (union = the detection's area). Results are row-major D x G.
import SharedData

/// Box IoU of every detection with every ground truth, row-major `[d * G + g]`.
/// For a crowd ground truth the union is the detection's area. No +1 pixel convention.
public func boxIoU(detections: [BoxXYWH], groundTruths: [BoxXYWH], isCrowd: [Bool]) -> [Double] {
    precondition(isCrowd.isEmpty || isCrowd.count == groundTruths.count, "isCrowd must have one flag per ground truth")
    let gtCount = groundTruths.count
    var result = [Double](repeating: 0, count: detections.count * gtCount)
    for (d, detection) in detections.enumerated() {
        for (g, truth) in groundTruths.enumerated() {
            result[d * gtCount + g] = boxIoU(detection, truth, isCrowd: isCrowd.isEmpty ? false : isCrowd[g])
        }
    }
    return result
}

/// bbIou for one pair.
@inlinable
public func boxIoU(_ detection: BoxXYWH, _ truth: BoxXYWH, isCrowd: Bool) -> Double {
    let detectionArea = detection.width * detection.height
    let truthArea = truth.width * truth.height
    let w = min(detection.width + detection.x, truth.width + truth.x) - max(detection.x, truth.x)
    if w <= 0 { return 0 }
    let h = min(detection.height + detection.y, truth.height + truth.y) - max(detection.y, truth.y)
    if h <= 0 { return 0 }
    let intersection = w * h
    let union = isCrowd ? detectionArea : detectionArea + truthArea - intersection
    return intersection / union
}

/// Mask IoU of every detection with every ground truth, row-major `[d * G + g]`: 0 when the
/// bounding boxes do not overlap, -1 when the sizes differ (as pycocotools), else
/// intersection / union by walking the runs; a crowd ground truth divides by the detection's area.
public func maskIoU(detections: [RLE], groundTruths: [RLE], isCrowd: [Bool]) -> [Double] {
    precondition(isCrowd.isEmpty || isCrowd.count == groundTruths.count, "isCrowd must have one flag per ground truth")
    let gtCount = groundTruths.count
    let detectionBoxes = detections.map(\.boundingBox)
    let truthBoxes = groundTruths.map(\.boundingBox)
    var result = [Double](repeating: 0, count: detections.count * gtCount)
    for d in detections.indices {
        for g in groundTruths.indices {
            let crowd = isCrowd.isEmpty ? false : isCrowd[g]
            if boxIoU(detectionBoxes[d], truthBoxes[g], isCrowd: crowd) > 0 {
                result[d * gtCount + g] = maskIoU(detections[d], groundTruths[g], isCrowd: crowd)
            }
        }
    }
    return result
}

/// rleIou for one pair whose boxes overlap (no box pre-check here).
public func maskIoU(_ detection: RLE, _ truth: RLE, isCrowd: Bool) -> Double {
    if detection.height != truth.height || detection.width != truth.width { return -1 }
    return detection.counts.withUnsafeBufferPointer { a in
        truth.counts.withUnsafeBufferPointer { b in
            RunLengthKernels.iou(a, b, crowd: isCrowd, detectionArea: isCrowd ? RunLengthKernels.area(a) : 0)
        }
    }
}
