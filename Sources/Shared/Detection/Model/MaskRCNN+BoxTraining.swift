// The box branch of a training pass (mmdetection 2.8's `StandardRoIHead._bbox_forward_train`,
// docs/method.md §Stage 1) as forward -> losses -> backward, each step handing the next what it
// needs: `boxForward` pools the sampled RoIs (RoIAlign 7 x 7 over P2..P5), appends a hook's extra
// rows, runs the shared FCs and the predictor and keeps their saved state; `boxLosses` is the
// classification loss (softmax CE over C + 1, background last, or the hook's) and L1 on the
// class-specific deltas of the positives and the extra rows, both averaged over every row of the
// batch, their gradients in caller-visible buffers; `boxBackward` takes those back through the
// predictor, the shared FCs and RoIAlign into the levels' gradients. `BoxLossExtension` is the
// hook stage 2 (LOCE, in SharedLongTail) plugs in; its warm-up pass reuses `boxForward` and
// `boxClassificationLoss`.
import SharedSupport
import SharedTensor
import SharedNN

/// Extra rows for the box head, appended after the sampled RoIs (stage 2's memory samples):
/// pooled features [M, C, S, S] row-major, a foreground label and a regression target each.
public struct ExtraBoxRows: Sendable {
    public var features: [Float]
    public var labels: [Int]
    public var targets: [BoxDelta]

    public init(features: [Float] = [], labels: [Int] = [], targets: [BoxDelta] = []) {
        precondition(labels.count == targets.count, "one target per extra row")
        self.features = features; self.labels = labels; self.targets = targets
    }

    public var count: Int { labels.count }
}

/// Stage 2's hook into the box losses (LOCE, implemented in SharedLongTail): it may append
/// extra rows (memory samples) after the sampled RoIs, and replaces the classification loss
/// (cross-entropy) over all rows. Without a hook `trainingStep` is stage 1's.
public protocol BoxLossExtension: AnyObject {
    /// Called once per pass before the box head, with the FPN levels (P2..P6) and the sampled RoIs.
    func extraRows(levels: [Tensor], targets: [TrainingImageTargets], roiTargets: [RoITargets],
                   settings: TrainingSettings, context: ModuleContext) -> ExtraBoxRows
    /// The classification loss over `labels.count` rows of `logits` (N x the predictor's
    /// `logitColumns`: C + 1, or C + 2 for Seesaw's objectness pair; rows from
    /// `extraRowStart` on are the extra rows). Adds `dLoss` times its gradient into `dLogits`
    /// and returns the unweighted loss.
    func classificationLoss(logits: UnsafeBufferPointer<Float>, labels: [Int], roiTargets: [RoITargets], extraRowStart: Int,
                            averageFactor: Float, dLoss: Float, dLogits: UnsafeMutableBufferPointer<Float>) -> Float
}

/// The box head's forward over a batch's sampled RoIs and extra rows: its outputs, the rows'
/// labels and what `boxBackward` needs.
public struct BoxHeadForward {
    /// [R + M, logit columns]: the sampled RoIs' rows (image-major), then the extra rows.
    public let logits: Tensor
    /// [R + M, 4C]: class-specific deltas, same rows.
    public let deltas: Tensor
    /// The label of every row (C = background).
    public let labels: [Int]
    /// R, the number of sampled RoIs: the extra rows start here.
    public let roiCount: Int
    public let extra: ExtraBoxRows
    /// [R + M, C, S, S], the shared FCs' input; its first `roiCount` rows came from the levels.
    let pooled: Tensor
    let poolSaved: RoIPooler.Saved
    let hidden: Tensor
    let headSaved: BoxHead.Saved
    let predictorSaved: BoxPredictor.Saved

    /// Both box losses' average factor: every row of the batch (at least 1).
    public var averageFactor: Float { Float(max(roiCount + extra.count, 1)) }
}

/// The box losses of a pass, unweighted, with the gradients of the weighted losses.
public struct BoxHeadLosses {
    public var classification: Float
    public var regression: Float
    /// Gradients with respect to `BoxHeadForward.logits` and `.deltas` (activation buffers).
    let dLogits: Tensor
    let dDeltas: Tensor
}

extension MaskRCNN {
    /// The box branch of `trainingStep`: forward, losses, backward into `dLevels` (P2..P5) and
    /// the store's gradients. Returns the unweighted losses.
    func trainBoxHead(levels: [Tensor], dLevels: [Tensor], roiTargets: [RoITargets], targets: [TrainingImageTargets],
                      settings: TrainingSettings, context: ModuleContext, extension hook: BoxLossExtension?,
                      needsLevelGradients: Bool) -> BoxHeadLosses {
        let box = boxForward(levels: levels, roiTargets: roiTargets, targets: targets, settings: settings, context: context,
                             extension: hook)
        let losses = boxLosses(box, roiTargets: roiTargets, settings: settings, context: context, extension: hook)
        boxBackward(box, losses: losses, dLevels: dLevels, needsLevelGradients: needsLevelGradients, context: context)
        return losses
    }

    /// Pools every sampled RoI of the batch, appends the hook's extra rows (asked for first) and
    /// runs the shared FCs and the predictor (`_bbox_forward`).
    public func boxForward(levels: [Tensor], roiTargets: [RoITargets], targets: [TrainingImageTargets], settings: TrainingSettings,
                           context: ModuleContext, extension hook: BoxLossExtension? = nil) -> BoxHeadForward {
        let boxPooler = self.boxPooler(options: settings.boxPooler, levelRule: settings.roiLevels)
        let rois = RoIPooler.roiTable(roiTargets.map(\.rois))
        let extra = hook?.extraRows(levels: levels, targets: targets, roiTargets: roiTargets, settings: settings, context: context)
            ?? ExtraBoxRows()
        let (roiPooled, poolSaved) = boxPooler.forward(levels: levels, rois: rois, context: context)
        let pooled = Self.appending(extra, to: roiPooled, in: slots.boxPooledWithExtra, context: context)
        let (hidden, headSaved) = boxHead.forward(pooled, context: context)
        let (logits, deltas, predictorSaved) = boxPredictor.forward(hidden, context: context)
        return BoxHeadForward(logits: logits, deltas: deltas, labels: roiTargets.flatMap(\.labels) + extra.labels,
                              roiCount: rois.dimension(0), extra: extra, pooled: pooled,
                              poolSaved: poolSaved, hidden: hidden, headSaved: headSaved, predictorSaved: predictorSaved)
    }

    /// `roiPooled` [R, C, S, S] followed by the extra rows' features: [R + M, C, S, S]
    /// in buffer `slot` (`roiPooled` itself when there are none).
    static func appending(_ extra: ExtraBoxRows, to roiPooled: Tensor, in slot: BufferSlot, context: ModuleContext) -> Tensor {
        guard extra.count > 0 else { return roiPooled }
        var shape = roiPooled.shape
        shape[0] += extra.count
        precondition(extra.features.count == extra.count * shape[1] * shape[2] * shape[3],
                     "extra rows must have the pooled feature size \(shape.dropFirst())")
        let pooled = context.buffers.tensor(slot, shape: shape)
        pooled.view(offset: 0, shape: roiPooled.shape).copy(from: roiPooled)
        pooled.withUnsafeMutableBufferPointer { values in
            _ = UnsafeMutableBufferPointer(rebasing: values[roiPooled.count...]).update(fromContentsOf: extra.features)
        }
        return pooled
    }

    /// Both box losses of `box` (`bbox_head.loss`), their gradients times the loss weights.
    func boxLosses(_ box: BoxHeadForward, roiTargets: [RoITargets], settings: TrainingSettings, context: ModuleContext,
                   extension hook: BoxLossExtension?) -> BoxHeadLosses {
        let (classification, dLogits) = boxClassificationLoss(box, roiTargets: roiTargets, weight: settings.weights.boxClassification,
                                                              context: context, extension: hook)
        let (regression, dDeltas) = boxRegressionLoss(box, roiTargets: roiTargets, weight: settings.weights.boxRegression,
                                                      context: context)
        return BoxHeadLosses(classification: classification, regression: regression, dLogits: dLogits, dDeltas: dDeltas)
    }

    /// The classification loss over every row: the hook's, or softmax cross-entropy over C + 1.
    /// Returns the unweighted loss and `weight` times its gradient (the buffer `slots.boxLogitsGradient`).
    public func boxClassificationLoss(_ box: BoxHeadForward, roiTargets: [RoITargets], weight: Float, context: ModuleContext,
                                      extension hook: BoxLossExtension? = nil) -> (loss: Float, dLogits: Tensor) {
        let dLogits = context.buffers.zeroed(slots.boxLogitsGradient, shape: box.logits.shape)
        let loss = box.logits.withUnsafeBufferPointer { logits in
            dLogits.withUnsafeMutableBufferPointer { dLogitValues in
                if let hook {
                    return hook.classificationLoss(logits: logits, labels: box.labels, roiTargets: roiTargets, extraRowStart: box.roiCount,
                                                   averageFactor: box.averageFactor, dLoss: weight, dLogits: dLogitValues)
                }
                precondition(boxPredictor.activation == .softmax, "a \(boxPredictor.activation) classifier trains only with its stage-2 loss")
                let (loss, saved) = softmaxCrossEntropyForward(logits: logits, labels: box.labels.map(Int32.init), weights: nil,
                                                               classCount: classCount + 1, averageFactor: box.averageFactor)
                softmaxCrossEntropyBackward(dLogits: dLogitValues, dLoss: weight, saved: saved)
                return loss
            }
        }
        return (loss, dLogits)
    }

    /// L1 on the deltas of each positive RoI's and each extra row's own class. Returns the
    /// unweighted loss and `weight` times its gradient (the buffer `slots.boxDeltasGradient`).
    func boxRegressionLoss(_ box: BoxHeadForward, roiTargets: [RoITargets], weight: Float,
                           context: ModuleContext) -> (loss: Float, dDeltas: Tensor) {
        let (columns, regressionTargets) = Self.regressedColumns(box, roiTargets: roiTargets, classCount: classCount)
        let predictions = columns.flatMap { column in (0..<4).map { box.deltas[flat: column + $0] } }
        let (loss, saved) = predictions.withUnsafeBufferPointer {
            regressionLossForward(kind: .l1, prediction: $0, target: regressionTargets, weights: nil, averageFactor: box.averageFactor)
        }
        var dPredictions = [Float](repeating: 0, count: predictions.count)
        dPredictions.withUnsafeMutableBufferPointer { regressionLossBackward(dPrediction: $0, dLoss: weight, saved: saved) }
        let dDeltas = context.buffers.zeroed(slots.boxDeltasGradient, shape: box.deltas.shape)
        for (index, column) in columns.enumerated() { for c in 0..<4 { dDeltas[flat: column + c] += dPredictions[4 * index + c] } }
        return (loss, dDeltas)
    }

    /// Where the regressed deltas sit in `box.deltas` (the first of 4 values: row x 4C + 4 x class),
    /// the positives' first, image by image, then the extra rows', with their targets (4 each).
    static func regressedColumns(_ box: BoxHeadForward, roiTargets: [RoITargets], classCount k: Int) -> (columns: [Int], targets: [Float]) {
        var columns: [Int] = [], targets: [Float] = []
        var row = 0
        for image in roiTargets {
            for p in 0..<image.positiveCount {
                columns.append((row + p) * 4 * k + 4 * image.labels[p])
                let t = image.positiveTargets[p]
                targets += [t.dx, t.dy, t.dw, t.dh]
            }
            row += image.rois.count
        }
        for (m, label) in box.extra.labels.enumerated() {
            columns.append((box.roiCount + m) * 4 * k + 4 * label)
            let t = box.extra.targets[m]
            targets += [t.dx, t.dy, t.dw, t.dh]
        }
        return (columns, targets)
    }

    /// Back through the predictor, the shared FCs and RoIAlign into `dLevels` (P2..P5; the extra
    /// rows are stored features and take no gradient). Frozen shared FCs over frozen levels
    /// (stage 2): nothing below the predictor needs a gradient, so none is computed.
    func boxBackward(_ box: BoxHeadForward, losses: BoxHeadLosses, dLevels: [Tensor], needsLevelGradients: Bool,
                     context: ModuleContext) {
        let dHidden = context.buffers.zeroed(slots.boxHiddenGradient, shape: box.hidden.shape)
        boxPredictor.backward(dLogits: losses.dLogits, dDeltas: losses.dDeltas, saved: box.predictorSaved, dFeatures: dHidden,
                              context: context)
        guard needsLevelGradients || !isFrozen(.boxSharedFC, context.store) else { return }
        let dPooled = needsLevelGradients ? context.buffers.zeroed(slots.boxPooledGradient, shape: box.pooled.shape) : nil
        boxHead.backward(dHidden, saved: box.headSaved, dRoIFeatures: dPooled, context: context)
        guard let dPooled else { return }
        let roiGradient = dPooled.view(offset: 0, shape: [box.roiCount] + dPooled.shape.dropFirst())
        RoIPooler.backward(dOutput: roiGradient, saved: box.poolSaved, dLevels: dLevels, context: context)
    }
}
