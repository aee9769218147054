// The federated sigmoid loss of detectron2 (`FastRCNNOutputLayers` with USE_SIGMOID_CE and
// USE_FED_LOSS: `get_fed_loss_classes`, `sigmoid_cross_entropy_loss`;
// detectron2/modeling/roi_heads/fast_rcnn.py), docs/method.md §Other classifier losses.
//
// Legend: N rows, C foreground classes, logits N x (C + 1) (the background column is unused:
// no loss, no gradient), targets one-hot over the C foreground columns (background rows all 0).
//   classes: the distinct labels of the batch (background counted, as the reference's
//            torch.unique), plus negatives drawn without replacement with probability
//            ∝ imageCount^power among the other foreground classes until there are
//            `sampledClasses` in all (none drawn when the batch already has that many)
//   loss = Σ_i Σ_{j in classes} BCE(z_ij, t_ij) / N;  d/dz_ij = (σ(z_ij) - t_ij) / N on those columns
// The draws come from the caller's generator, not torch's: the same distribution, other classes.
import Foundation
import SharedSupport

public struct FederatedLoss: Sendable {
    public let classCount: Int
    public let sampledClasses: Int
    /// imageCount^power per foreground class (the reference's `fed_loss_cls_weights`).
    public let classWeights: [Double]

    public init(imageCounts: [Int], sampledClasses: Int = 50, frequencyWeightPower: Double = 0.5) {
        precondition(!imageCounts.isEmpty, "at least one class")
        classCount = imageCounts.count
        self.sampledClasses = sampledClasses
        classWeights = imageCounts.map { Foundation.pow(Double($0), frequencyWeightPower) }
    }

    public var logitColumns: Int { classCount + 1 }

    /// The foreground classes of this batch's loss, ascending: the labels' classes and the drawn
    /// negatives. If fewer classes than needed have a positive weight, all of those are taken
    /// (the reference's torch.multinomial would fail there).
    public func lossClasses(labels: [Int], random: inout SeededRandom) -> [Int] {
        let distinct = Set(labels)
        var chosen = distinct.filter { $0 < classCount }
        var remaining = sampledClasses - distinct.count
        var candidates = (0..<classCount).filter { !distinct.contains($0) && classWeights[$0] > 0 }
        while remaining > 0 && !candidates.isEmpty {
            let total = candidates.reduce(0.0) { $0 + classWeights[$1] }
            var target = random.nextDouble() * total
            var pick = candidates.count - 1
            for (position, candidate) in candidates.enumerated() {
                target -= classWeights[candidate]
                if target < 0 { pick = position; break }
            }
            chosen.insert(candidates.remove(at: pick))
            remaining -= 1
        }
        return chosen.sorted()
    }

    /// The loss over `classes` (foreground indices) and its gradient at dLoss = 1.
    public func forward(logits z: UnsafeBufferPointer<Float>, labels: [Int], classes: [Int]) -> (loss: Float, gradient: LogitGradient) {
        precondition(classes.allSatisfy { $0 >= 0 && $0 < classCount }, "loss classes are foreground classes")
        precondition(labels.allSatisfy { $0 >= 0 && $0 <= classCount }, "label out of range")
        return sigmoidCrossEntropy(logits: z, labels: labels, columnCount: logitColumns, columns: classes)
    }
}
