// hotcoco's per-image AP (`compute_image_ap` in crates/hotcoco/src/eval/diagnostics.rs with
// `precision_recall_curve` from accumulate.rs): one image's detections as one ranked list,
// precision tp / (tp + fp) without COCO's epsilon, made monotone from the right, read at the
// recall thresholds i / 100 (a division, not numpy's i x 0.01), unreached thresholds 0, the
// 101 values summed left to right and divided by 101.

enum ImageAP {
    /// `ranked`: (score, true positive) sorted by descending score; `positives`: the image's
    /// non-ignored ground truths. No ground truth: 1 without detections, else 0.
    static func compute(_ ranked: [(score: Double, truePositive: Bool)], positives: Int) -> Double {
        guard positives > 0 else { return ranked.isEmpty ? 1 : 0 }
        guard !ranked.isEmpty else { return 0 }
        var recall = [Double](), precision = [Double]()
        recall.reserveCapacity(ranked.count)
        precision.reserveCapacity(ranked.count)
        var tp = 0.0, fp = 0.0
        for entry in ranked {
            if entry.truePositive { tp += 1 } else { fp += 1 }
            recall.append(tp / Double(positives))
            let total = tp + fp
            precision.append(total > 0 ? tp / total : 0)
        }
        for d in stride(from: precision.count - 2, through: 0, by: -1) { precision[d] = max(precision[d], precision[d + 1]) }
        var sum = 0.0, pointer = 0
        for i in 0...100 {
            let threshold = Double(i) / 100
            while pointer < recall.count && recall[pointer] < threshold { pointer += 1 }
            if pointer < recall.count { sum += precision[pointer] }
        }
        return sum / 101
    }
}
