// Inference boxes of the box head: mmdetection 2.8 `BBoxHead.get_bboxes` before NMS.
// Every RoI's class-specific deltas are decoded (box-head coder) and clamped to the
// network input (`inputSize`, the resized un-padded image), then divided by the resize
// scale to land in original-image pixels.
//
// Legend: N = RoIs, C = foreground classes; deltas are N x C (RoI i, class c at i * C + c).

/// Decoded boxes [N * C] in original-image pixels.
public func classSpecificBoxes(rois: [Box], deltas: [BoxDelta], classCount: Int, coder: DeltaXYWHBoxCoder = .rcnn,
                               inputSize: ImageSize, scaleX: Float, scaleY: Float) -> [Box] {
    precondition(deltas.count == rois.count * classCount, "deltas must be N x C")
    precondition(scaleX > 0 && scaleY > 0, "resize scales must be positive")
    var boxes: [Box] = []
    boxes.reserveCapacity(deltas.count)
    for (i, roi) in rois.enumerated() {
        for c in 0..<classCount {
            let box = coder.decode(deltas[i * classCount + c], relativeTo: roi, clipTo: inputSize)
            boxes.append(box.scaled(x: 1 / scaleX, y: 1 / scaleY))
        }
    }
    return boxes
}
