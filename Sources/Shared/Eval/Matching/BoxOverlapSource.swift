// Box IoU for the evaluation engine: pycocotools' `bbIou` (doubles, no +1 pixel, crowd
// union = detection area), in place over the cell's boxes.
import SharedData
import SharedMasks

/// IoU between detection and ground-truth boxes, indexed like the `EvaluationSet` columns.
public struct BoxOverlapSource: OverlapSource {
    public var detectionBoxes: [BoxXYWH]
    public var groundTruthBoxes: [BoxXYWH]

    public init(detectionBoxes: [BoxXYWH], groundTruthBoxes: [BoxXYWH]) {
        self.detectionBoxes = detectionBoxes
        self.groundTruthBoxes = groundTruthBoxes
    }

    public func overlaps(detections: UnsafeBufferPointer<Int32>, groundTruths: UnsafeBufferPointer<Int32>,
                         crowd: UnsafeBufferPointer<Bool>, into iou: UnsafeMutableBufferPointer<Double>) throws {
        let gCount = groundTruths.count
        detectionBoxes.withUnsafeBufferPointer { dBoxes in
            groundTruthBoxes.withUnsafeBufferPointer { gBoxes in
                for d in 0..<detections.count {
                    let dt = dBoxes[Int(detections[d])]
                    for g in 0..<gCount {
                        iou[d * gCount + g] = boxIoU(dt, gBoxes[Int(groundTruths[g])], isCrowd: crowd[g])
                    }
                }
            }
        }
    }
}
