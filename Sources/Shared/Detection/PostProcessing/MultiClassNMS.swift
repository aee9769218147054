// Inference post-processing of the box head: mmdetection 2.8 `multiclass_nms`.
//   for every RoI i and foreground class c with score[i, c] > scoreThreshold (strictly),
//   one candidate (box of class c, score, c); class-wise NMS at iouThreshold; the best
//   maxDetections survivors by descending score.
// Defaults are the test settings of docs/method.md §Stage 1: 1e-4, 0.5, 300.
// With `method` .torchvision, torchvision's `RoIHeads.postprocess_detections` after the
// softmax and decode: the same candidates (score > threshold, strictly, RoI-major), then
// those with a side < 0.01 px dropped (`remove_small_boxes(boxes, 1e-2)`), torchvision's
// `batched_nms` with label = class + 1 (`torchvisionBatchedNMS`; `iouThreshold` is the Float
// of `torchvisionIoUThreshold`), the first maxDetections. Its caller passes boxes in
// network-input pixels and maps the survivors to the original image afterwards.
// With `method` .detectron2, detectron2's `fast_rcnn_inference_single_image`: the same
// candidates, no size filter, torchvision's `batched_nms` with group = class (0-based: the
// background column is the last, dropped), the first maxDetections; its caller maps and clips
// the survivors (`detector_postprocess`).
//
// Legend: N = RoIs, C = foreground classes; scores are N x (C + 1) softmax rows with the
// background in the last column; class-specific boxes are N x C (box of RoI i for class c
// at i * C + c), already decoded, clamped and in the coordinates wanted for the output.

/// The detections of one image, by descending score.
public struct Detections: Sendable, Equatable {
    public var boxes: [Box]
    public var scores: [Float]
    /// Foreground class index (0..<C) of each detection.
    public var classes: [Int]
    /// The RoI each detection came from (to look up its mask logits).
    public var rois: [Int]

    public init(boxes: [Box] = [], scores: [Float] = [], classes: [Int] = [], rois: [Int] = []) {
        self.boxes = boxes; self.scores = scores; self.classes = classes; self.rois = rois
    }

    public var count: Int { boxes.count }

    /// The detections at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Detections {
        Detections(boxes: indices.map { boxes[$0] }, scores: indices.map { scores[$0] }, classes: indices.map { classes[$0] },
                   rois: indices.map { rois[$0] })
    }
}

/// Settings of the per-class score threshold, NMS and per-image cap.
public struct MultiClassNMS: Hashable, Sendable {
    public var scoreThreshold: Float
    public var iouThreshold: Float
    public var maxDetections: Int
    /// mmdetection's `multiclass_nms`, torchvision's `postprocess_detections` or detectron2's
    /// `fast_rcnn_inference_single_image`.
    public var method: DetectionConvention

    /// torchvision's `postprocess_detections` drops boxes with a side below this (pixels).
    public static let torchvisionMinimumSize: Float = 1e-2

    public init(scoreThreshold: Float = 1e-4, iouThreshold: Float = 0.5, maxDetections: Int = 300,
                method: DetectionConvention = .mmdetection) {
        precondition(maxDetections > 0, "need room for at least one detection")
        self.scoreThreshold = scoreThreshold; self.iouThreshold = iouThreshold; self.maxDetections = maxDetections
        self.method = method
    }

    /// Detections from `scores` [N * (C + 1)] and class-specific `boxes` [N * C].
    public func detections(scores: [Float], classSpecificBoxes boxes: [Box], classCount: Int) -> Detections {
        precondition(classCount > 0, "need at least one foreground class")
        precondition(scores.count % (classCount + 1) == 0, "scores must be N x (C + 1)")
        let n = scores.count / (classCount + 1)
        precondition(boxes.count == n * classCount, "boxes must be N x C")
        var candidateBoxes: [Box] = [], candidateScores: [Float] = [], candidateClasses: [Int] = [], candidateRoIs: [Int] = []
        for i in 0..<n {
            for c in 0..<classCount {
                let score = scores[i * (classCount + 1) + c]
                guard score > scoreThreshold else { continue }
                let box = boxes[i * classCount + c]
                if method == .torchvision {  // detectron2 has no size filter here
                    let minimum = Self.torchvisionMinimumSize
                    guard box.x2 - box.x1 >= minimum && box.y2 - box.y1 >= minimum else { continue }
                }
                candidateBoxes.append(box); candidateScores.append(score)
                candidateClasses.append(c); candidateRoIs.append(i)
            }
        }
        let kept: ArraySlice<Int>
        switch method {
        case .mmdetection:
            kept = batchedNonMaximumSuppression(candidateBoxes, scores: candidateScores, groups: candidateClasses,
                                                iouThreshold: iouThreshold).prefix(maxDetections)
        case .torchvision:
            kept = torchvisionBatchedNMS(candidateBoxes, scores: candidateScores, groups: candidateClasses.map { $0 + 1 },
                                         iouThreshold: iouThreshold).prefix(maxDetections)
        case .detectron2:
            kept = torchvisionBatchedNMS(candidateBoxes, scores: candidateScores, groups: candidateClasses,
                                         iouThreshold: iouThreshold).prefix(maxDetections)
        }
        return Detections(boxes: kept.map { candidateBoxes[$0] }, scores: kept.map { candidateScores[$0] },
                          classes: kept.map { candidateClasses[$0] }, rois: kept.map { candidateRoIs[$0] })
    }
}
