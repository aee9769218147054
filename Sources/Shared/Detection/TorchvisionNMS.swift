// torchvision's NMS, operation for operation (`rpn.{train,test}.selection` and
// `test.postProcessing` "torchvision"): torchvision/ops/boxes.py `batched_nms` over the CPU
// kernel csrc/ops/cpu/nms_kernel.cpp.
//
// The kernel: areas = (x2 - x1) * (y2 - y1); boxes by descending score; each kept box
// suppresses every later unsuppressed box with inter / (area_i + area_j - inter) > threshold,
// all in float32 except the comparison, which is with the threshold as a C++ double (here:
// the float IoU against the threshold rounded DOWN to a Float, the same test). The kernel's
// sort is not stable; ours keeps tied scores in index order (fixtures avoid deciding ties).
//
// `batched_nms` picks one of two paths by size, and they round differently:
//   more than 4000 coordinates (> 1000 boxes): per group (ascending group id) the kernel on the
//     group's boxes, the kept indices of all groups sorted by descending score;
//   otherwise the "coordinate trick": every box shifted by group * (max coordinate + 1) in
//     float32 (max over all boxes' coordinates), one kernel call on the shifted boxes -- the
//     shift rounds coordinates (to 1/256 px at 45000), so IoUs are those of the shifted boxes.
// Group ids are torchvision's: the RPN's level index; the box head's label, which is our
// class index + 1 (torchvision's background is label 0), so that the shifts are its shifts.

/// The largest Float not above `threshold`: `iou > it` in Float is `Double(iou) > threshold`.
public func torchvisionIoUThreshold(_ threshold: Double) -> Float {
    let rounded = Float(threshold)
    return Double(rounded) <= threshold ? rounded : rounded.nextDown
}

/// torchvision's `nms` kernel. `iouThreshold` is the Float of `torchvisionIoUThreshold`.
/// Returns the kept indices by descending score.
public func torchvisionNMS(_ boxes: [Box], scores: [Float], iouThreshold: Float) -> [Int] {
    precondition(boxes.count == scores.count, "one score per box")
    let order = indicesByDescendingScore(scores)
    let areas = boxes.map { ($0.x2 - $0.x1) * ($0.y2 - $0.y1) }
    var suppressed = [Bool](repeating: false, count: boxes.count)
    var kept: [Int] = []
    for (rank, i) in order.enumerated() where !suppressed[i] {
        kept.append(i)
        let a = boxes[i], areaI = areas[i]
        for j in order[(rank + 1)...] where !suppressed[j] {
            let b = boxes[j]
            let w = Swift.max(0, Swift.min(a.x2, b.x2) - Swift.max(a.x1, b.x1))
            let h = Swift.max(0, Swift.min(a.y2, b.y2) - Swift.max(a.y1, b.y1))
            let inter = w * h
            if inter / (areaI + areas[j] - inter) > iouThreshold { suppressed[j] = true }
        }
    }
    return kept
}

/// torchvision's `batched_nms` (both of its paths, chosen as it chooses them). `groups` are
/// torchvision's ids (see the file comment). Returns the kept indices by descending score.
public func torchvisionBatchedNMS(_ boxes: [Box], scores: [Float], groups: [Int], iouThreshold: Float) -> [Int] {
    precondition(boxes.count == scores.count && boxes.count == groups.count, "one score and group per box")
    guard !boxes.isEmpty else { return [] }
    if boxes.count * 4 > 4000 {
        var members: [Int: [Int]] = [:]
        for (index, group) in groups.enumerated() { members[group, default: []].append(index) }
        var kept: [Int] = []
        for group in members.keys.sorted() {
            let indices = members[group]!
            kept += torchvisionNMS(indices.map { boxes[$0] }, scores: indices.map { scores[$0] }, iouThreshold: iouThreshold)
                .map { indices[$0] }
        }
        return kept.sorted { a, b in scores[a] > scores[b] || (scores[a] == scores[b] && a < b) }
    }
    var maximum = -Float.infinity
    for box in boxes { maximum = Swift.max(maximum, box.x1, box.y1, box.x2, box.y2) }
    let spacing = maximum + 1
    let shifted = zip(boxes, groups).map { box, group -> Box in
        let offset = Float(group) * spacing
        return Box(x1: box.x1 + offset, y1: box.y1 + offset, x2: box.x2 + offset, y2: box.y2 + offset)
    }
    return torchvisionNMS(shifted, scores: scores, iouThreshold: iouThreshold)
}
