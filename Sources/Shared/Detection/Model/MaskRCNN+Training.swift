// One training pass of the whole model on a batch (mmdetection 2.8 semantics,
// docs/method.md §Stage 1): forward, RPN targets (0.7 / 0.3 / best, 256 at 50%) and losses
// (sigmoid BCE + L1, average factor = sampled anchors of the batch), train-time proposals
// (detached), RoI targets (GT added, 0.5, 512 at 25%), box losses (softmax CE over C + 1,
// background last, + L1 on the positives' class-specific deltas; average factor = sampled RoIs
// of the batch), mask loss (per-pixel BCE on the GT class channel of the positives, 28 x 28
// targets rasterised from the polygons), then backward of everything into the store's
// gradients. Stage 2 (LOCE) passes a `BoxLossExtension` (extra memory rows, its own
// classification loss); fully frozen parts (backbone + FPN, shared box FCs) get no backward,
// not even input gradients into them.
import Foundation
import SharedSupport
import SharedTensor
import SharedNN

/// The annotations of one training image, in network-input pixels (after resize and flip).
public struct TrainingImageTargets: Sendable {
    /// The image's size in the input before padding.
    public var inputSize: ImageSize
    public var boxes: [Box]
    /// Foreground class index (0..<C) of each box.
    public var classes: [Int]
    /// Polygons (COCO form, input pixels) of each instance, for the mask targets.
    public var polygons: [PolygonList]

    public init(inputSize: ImageSize, boxes: [Box], classes: [Int], polygons: [PolygonList]) {
        precondition(boxes.count == classes.count && boxes.count == polygons.count, "one class and one polygon list per box")
        self.inputSize = inputSize; self.boxes = boxes; self.classes = classes; self.polygons = polygons
    }
}

/// The weighted losses of one pass (each already multiplied by its weight).
public struct TrainingLosses: Sendable, Equatable {
    public var rpnObjectness: Float = 0
    public var rpnBox: Float = 0
    public var boxClassification: Float = 0
    public var boxRegression: Float = 0
    /// Nil when the mask head was not run: frozen, over frozen levels (it would learn nothing).
    public var mask: Float? = 0

    public var total: Float { rpnObjectness + rpnBox + boxClassification + boxRegression + (mask ?? 0) }
}

/// The phases of a training iteration on a `PhaseClock`, in order (the names of `fit --profile`'s
/// `phases_ms`): the fit loop marks `data` and `optimizer`, `trainingStep` the others. The box
/// and mask heads include their RoI pooling and its backward into the levels.
public enum TrainingPhase {
    /// Waiting for the loader's batch, making its tensors, zeroing the gradients.
    public static let data = "data"
    /// Backbone and FPN forward.
    public static let backboneForward = "backbone_fpn_forward"
    /// RPN head forward, anchor targets and losses.
    public static let rpn = "rpn"
    /// Proposals, RoI sampling and box targets (no gradient).
    public static let proposals = "proposals"
    /// Box head: stage 2's memory rows, pooling, forward, losses and backward.
    public static let boxHead = "box_head"
    /// Mask head: targets, pooling, forward, loss and backward (about 0 when it is skipped).
    public static let maskHead = "mask_head"
    /// Backward through the RPN head, the FPN and the backbone (what is not frozen).
    public static let backward = "backward"
    /// The SGD step.
    public static let optimizer = "optimizer"
}

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
    /// The classification loss over `labels.count` rows of `logits` (N x (C + 1); rows from
    /// `extraRowStart` on are the extra rows). Adds `dLoss` times its gradient into `dLogits`
    /// and returns the unweighted loss.
    func classificationLoss(logits: UnsafeBufferPointer<Float>, labels: [Int], roiTargets: [RoITargets], extraRowStart: Int,
                            averageFactor: Float, dLoss: Float, dLogits: UnsafeMutableBufferPointer<Float>) -> Float
}

extension MaskRCNN {
    /// Runs forward and backward on `images` [N, 3, H, W] (normalised, padded) with one
    /// `TrainingImageTargets` per image; **accumulates** the gradients of the total loss into
    /// `context.store` (zero them before) and returns the losses. Sampling draws from `random`.
    /// With `phases`, the end of each phase is marked on it (`TrainingPhase`).
    public func trainingStep(_ images: Tensor, targets: [TrainingImageTargets], settings: TrainingSettings,
                             context: ModuleContext, random: inout SeededRandom,
                             boxLossExtension: BoxLossExtension? = nil, phases: PhaseClock? = nil) -> TrainingLosses {
        precondition(images.n == targets.count, "one TrainingImageTargets per image")
        var losses = TrainingLosses()
        let (features, backboneSaved) = backbone.forward(images, context: context)
        let (levels, fpnSaved) = fpn.forward(features, context: context)
        phases?.mark(TrainingPhase.backboneForward)
        let (rpn, rpnSaved) = rpnHead.forward(levels, context: context)
        let dLevels = levels.enumerated().map { context.buffers.zeroed("train.dP\($0.offset + 2)", shape: $0.element.shape) }

        // RPN: targets, losses and their gradients, scattered back into [N, A, H, W] / [N, 4A, H, W].
        let dObjectness = rpn.objectness.enumerated().map { context.buffers.zeroed("train.dObjectness.\($0.offset)", shape: $0.element.shape) }
        let dDeltas = rpn.deltas.enumerated().map { context.buffers.zeroed("train.dDeltas.\($0.offset)", shape: $0.element.shape) }
        rpnLosses(rpn, targets: targets, settings: settings, dObjectness: dObjectness, dDeltas: dDeltas,
                  losses: &losses, random: &random)
        phases?.mark(TrainingPhase.rpn)

        // Proposals (no gradient) and sampled RoIs with their targets.
        let proposalsPerImage = batchProposals(rpn, inputSizes: targets.map(\.inputSize), generator: settings.proposals,
                                               anchors: settings.anchors, parallelism: context.compute.parallelism)
        let roiTargetsPerImage = targets.indices.map { image -> RoITargets in
            roiTargets(proposals: proposalsPerImage[image].boxes, groundTruth: targets[image].boxes, groundTruthClasses: targets[image].classes,
                       classCount: classCount, addGroundTruthAsProposals: settings.addGroundTruthToProposals,
                       matcher: settings.roiMatcher, sampler: settings.roiSampler, coder: settings.boxCoder,
                       parallelism: context.compute.parallelism, random: &random)
        }
        phases?.mark(TrainingPhase.proposals)
        // Fully frozen parts (stage 2 freezes backbone and FPN) are not back-propagated.
        let backboneFrozen = isFrozen(.backbone, context.store), fpnFrozen = isFrozen(.fpn, context.store)
        let needsLevelGradients = !(fpnFrozen && backboneFrozen)
        boxAndMaskLosses(levels: levels, dLevels: dLevels, roiTargets: roiTargetsPerImage, targets: targets,
                         settings: settings, context: context, losses: &losses, extension: boxLossExtension,
                         needsLevelGradients: needsLevelGradients, phases: phases)

        // Backward through the RPN head (its input gradient only when the levels need one; none at all when
        // the head is frozen too), the FPN and the backbone.
        if needsLevelGradients || !isFrozen(.rpnHead, context.store) {
            rpnHead.backward(dObjectness: dObjectness, dDeltas: dDeltas, saved: rpnSaved,
                             dLevels: needsLevelGradients ? dLevels : dLevels.map { _ in nil }, context: context)
        }
        let dFeatures: [Tensor?] = features.enumerated().map {
            backboneFrozen ? nil : context.buffers.zeroed("train.dC\($0.offset + 2)", shape: $0.element.shape)
        }
        if !(fpnFrozen && backboneFrozen) {
            fpn.backward(dLevels, saved: fpnSaved, dFeatures: dFeatures, context: context)
        }
        if !backboneFrozen { backbone.backward(dFeatures.map { $0! }, saved: backboneSaved, context: context) }
        phases?.mark(TrainingPhase.backward)
        return losses
    }

    /// Whether every parameter of `part` is frozen in `store`.
    func isFrozen(_ part: ModelPart, _ store: ParameterStore) -> Bool {
        store.parameters.allSatisfy { !$0.name.hasPrefix(part.parameterPrefix) || store.isFrozen($0) }
    }

    /// RPN objectness (BCE) and box (L1) losses over the sampled anchors of the batch; their
    /// gradients are added into `dObjectness` / `dDeltas` (the RPN head's output shapes) and
    /// the weighted losses stored in `losses`. Reusable by stage 2 (LOCE trains the RPN head).
    public func rpnLosses(_ rpn: RPNHead.Output, targets: [TrainingImageTargets], settings: TrainingSettings,
                   dObjectness: [Tensor], dDeltas: [Tensor], losses: inout TrainingLosses, random: inout SeededRandom) {
        let a = rpnHead.anchorsPerLocation
        let levelSizes = rpn.objectness.map { (h: $0.h, w: $0.w) }
        let levelStarts = levelSizes.reduce(into: [0]) { $0.append($0.last! + $1.h * $1.w * a) }
        // Index of global anchor `j` of `image` in the objectness tensor of its level, and the level.
        func locate(_ j: Int) -> (level: Int, pixel: Int, anchor: Int) {
            var level = 0
            while j >= levelStarts[level + 1] { level += 1 }
            let local = j - levelStarts[level]
            return (level, local / a, local % a)
        }
        var logits: [Float] = [], labels: [Float] = [], sampledAt: [(image: Int, anchor: Int)] = []
        var predictions: [Float] = [], regressionTargets: [Float] = [], positivesAt: [(image: Int, anchor: Int)] = []
        for (image, target) in targets.enumerated() {
            var anchors: [Box] = [], valid: [Bool] = []
            for (level, size) in levelSizes.enumerated() {
                anchors += settings.anchors.gridAnchors(level: level, featureHeight: size.h, featureWidth: size.w)
                valid += settings.anchors.validFlags(level: level, featureHeight: size.h, featureWidth: size.w, validSize: target.inputSize)
            }
            let inside = anchorInsideFlags(anchors, validFlags: valid, imageSize: target.inputSize, allowedBorder: -1)
            let sampled = anchorTargets(anchors: anchors, insideFlags: inside, groundTruth: target.boxes, matcher: settings.rpnMatcher,
                                        sampler: settings.rpnSampler, coder: settings.rpnCoder, random: &random)
            for (j, label) in sampled.positives.map({ ($0, Float(1)) }) + sampled.negatives.map({ ($0, Float(0)) }) {
                let (level, pixel, anchor) = locate(j)
                let o = rpn.objectness[level]
                logits.append(o.data[(image * a + anchor) * o.h * o.w + pixel])
                labels.append(label)
                sampledAt.append((image, j))
            }
            for (j, delta) in zip(sampled.positives, sampled.positiveTargets) {
                let (level, pixel, anchor) = locate(j)
                let d = rpn.deltas[level], plane = d.h * d.w
                for k in 0..<4 { predictions.append(d.data[(image * 4 * a + 4 * anchor + k) * plane + pixel]) }
                regressionTargets += [delta.dx, delta.dy, delta.dw, delta.dh]
                positivesAt.append((image, j))
            }
        }
        let averageFactor = Float(max(sampledAt.count, 1))
        var dLogits = [Float](repeating: 0, count: logits.count)
        let (objectnessLoss, objectnessSaved) = logits.withUnsafeBufferPointer {
            sigmoidBCEForward(logits: $0, targets: labels, weights: nil, averageFactor: averageFactor)
        }
        dLogits.withUnsafeMutableBufferPointer { sigmoidBCEBackward(dLogits: $0, dLoss: settings.weights.rpnObjectness, saved: objectnessSaved) }
        for (index, place) in sampledAt.enumerated() {
            let (level, pixel, anchor) = locate(place.anchor)
            let o = dObjectness[level]
            o.data[(place.image * a + anchor) * o.h * o.w + pixel] += dLogits[index]
        }
        var dPredictions = [Float](repeating: 0, count: predictions.count)
        let (boxLoss, boxSaved) = predictions.withUnsafeBufferPointer {
            regressionLossForward(kind: .l1, prediction: $0, target: regressionTargets, weights: nil, averageFactor: averageFactor)
        }
        dPredictions.withUnsafeMutableBufferPointer { regressionLossBackward(dPrediction: $0, dLoss: settings.weights.rpnBox, saved: boxSaved) }
        for (index, place) in positivesAt.enumerated() {
            let (level, pixel, anchor) = locate(place.anchor)
            let d = dDeltas[level], plane = d.h * d.w
            for k in 0..<4 { d.data[(place.image * 4 * a + 4 * anchor + k) * plane + pixel] += dPredictions[4 * index + k] }
        }
        losses.rpnObjectness = settings.weights.rpnObjectness * objectnessLoss
        losses.rpnBox = settings.weights.rpnBox * boxLoss
    }

    /// Box-head and mask-head losses on the sampled RoIs; their gradients flow into `dLevels` (P2..P5).
    func boxAndMaskLosses(levels: [Tensor], dLevels: [Tensor], roiTargets: [RoITargets], targets: [TrainingImageTargets],
                          settings: TrainingSettings, context: ModuleContext, losses: inout TrainingLosses,
                          extension hook: BoxLossExtension? = nil, needsLevelGradients: Bool = true,
                          phases: PhaseClock? = nil) {
        let k = classCount
        let dPooledLevels = dLevels.prefix(4).map { $0.buffer }
        // Box head over every sampled RoI of the batch.
        let boxPooler = RoIPooler("roi_heads.box_pooler", options: settings.boxPooler, finestScale: settings.finestScale)
        let rois = RoIPooler.roiTable(roiTargets.map(\.rois))
        let roiCount = rois.dimension(0)
        let extra = hook?.extraRows(levels: levels, targets: targets, roiTargets: roiTargets, settings: settings, context: context)
            ?? ExtraBoxRows()
        let rowCount = roiCount + extra.count
        let (roiPooled, poolSaved) = boxPooler.forward(levels: levels, rois: rois, context: context)
        var pooled = roiPooled
        if extra.count > 0 {
            // Memory rows after the RoIs: [R + M, C, S, S].
            var shape = roiPooled.shape
            shape[0] = rowCount
            precondition(extra.features.count == extra.count * shape[1] * shape[2] * shape[3],
                         "extra rows must have the pooled feature size \(shape.dropFirst())")
            pooled = context.buffers.tensor("train.boxPooledWithExtra", shape: shape)
            let roiValues = roiPooled.count
            for i in 0..<roiValues { pooled.buffer[i] = roiPooled.buffer[i] }
            for i in extra.features.indices { pooled.buffer[roiValues + i] = extra.features[i] }
        }
        let (hidden, headSaved) = boxHead.forward(pooled, context: context)
        let (logits, deltas, predictorSaved) = boxPredictor.forward(hidden, context: context)
        let rowLabels = roiTargets.flatMap(\.labels) + extra.labels
        let averageFactor = Float(max(rowCount, 1))
        let dLogits = context.buffers.zeroed("train.dBoxLogits", shape: logits.shape)
        let classificationLoss: Float
        if let hook {
            classificationLoss = hook.classificationLoss(logits: UnsafeBufferPointer(logits.buffer), labels: rowLabels, roiTargets: roiTargets,
                                                         extraRowStart: roiCount, averageFactor: averageFactor,
                                                         dLoss: settings.weights.boxClassification, dLogits: dLogits.buffer)
        } else {
            let (loss, classificationSaved) = softmaxCrossEntropyForward(
                logits: UnsafeBufferPointer(logits.buffer), labels: rowLabels.map(Int32.init), weights: nil, classCount: k + 1,
                averageFactor: averageFactor)
            softmaxCrossEntropyBackward(dLogits: dLogits.buffer, dLoss: settings.weights.boxClassification, saved: classificationSaved)
            classificationLoss = loss
        }
        // L1 on the positives' deltas of their own class.
        var predictions: [Float] = [], regressionTargets: [Float] = [], columns: [Int] = []
        var row = 0
        for image in roiTargets {
            for p in 0..<image.positiveCount {
                let column = (row + p) * 4 * k + 4 * image.labels[p]
                for c in 0..<4 { predictions.append(deltas.data[column + c]) }
                let t = image.positiveTargets[p]
                regressionTargets += [t.dx, t.dy, t.dw, t.dh]
                columns.append(column)
            }
            row += image.rois.count
        }
        for (m, label) in extra.labels.enumerated() {
            let column = (roiCount + m) * 4 * k + 4 * label
            for c in 0..<4 { predictions.append(deltas.data[column + c]) }
            let t = extra.targets[m]
            regressionTargets += [t.dx, t.dy, t.dw, t.dh]
            columns.append(column)
        }
        let (regressionLoss, regressionSaved) = predictions.withUnsafeBufferPointer {
            regressionLossForward(kind: .l1, prediction: $0, target: regressionTargets, weights: nil, averageFactor: averageFactor)
        }
        var dPredictions = [Float](repeating: 0, count: predictions.count)
        dPredictions.withUnsafeMutableBufferPointer {
            regressionLossBackward(dPrediction: $0, dLoss: settings.weights.boxRegression, saved: regressionSaved)
        }
        let dDeltas = context.buffers.zeroed("train.dBoxDeltas", shape: deltas.shape)
        for (index, column) in columns.enumerated() { for c in 0..<4 { dDeltas.data[column + c] += dPredictions[4 * index + c] } }
        let dHidden = context.buffers.zeroed("train.dBoxHidden", shape: hidden.shape)
        boxPredictor.backward(dLogits: dLogits, dDeltas: dDeltas, saved: predictorSaved, dFeatures: dHidden, context: context)
        // Frozen shared FCs over frozen levels (stage 2): nothing below the predictor needs a gradient.
        if needsLevelGradients || !isFrozen(.boxSharedFC, context.store) {
            let dPooled = needsLevelGradients ? context.buffers.zeroed("train.dBoxPooled", shape: pooled.shape) : nil
            boxHead.backward(dHidden, saved: headSaved, dRoIFeatures: dPooled, context: context)
            if let dPooled {
                // Only the RoI rows came from the levels; the extra rows are stored features.
                let roiGradient = UnsafeBufferPointer(rebasing: UnsafeBufferPointer(dPooled.buffer)[0..<roiPooled.count])
                roiAlignBackward(dLevels: Array(dPooledLevels), dOutput: roiGradient, saved: poolSaved.roiAlign,
                                 parallelism: context.compute.parallelism)
            }
        }
        losses.boxClassification = settings.weights.boxClassification * classificationLoss
        losses.boxRegression = settings.weights.boxRegression * regressionLoss
        phases?.mark(TrainingPhase.boxHead)
        defer { phases?.mark(TrainingPhase.maskHead) }

        // Mask head on the positive RoIs; not run at all when it is frozen over frozen levels, where
        // its loss would move no weight (nothing else reads its output or draws random numbers).
        guard needsLevelGradients || !isFrozen(.maskHead, context.store) else {
            losses.mask = nil
            return
        }
        var positiveBoxes: [[Box]] = [], maskLabels: [Int32] = [], maskTargets: [Float] = []
        for (image, sampled) in roiTargets.enumerated() {
            let boxes = Array(sampled.rois.prefix(sampled.positiveCount))
            positiveBoxes.append(boxes)
            for (p, box) in boxes.enumerated() {
                maskLabels.append(Int32(sampled.labels[p]))
                let instance = sampled.groundTruth[p]!
                maskTargets += maskTarget(polygons: targets[image].polygons[instance], roi: box, maskSize: settings.maskSize).map(Float.init)
            }
        }
        guard !maskLabels.isEmpty else { return }
        let maskPooler = RoIPooler("roi_heads.mask_pooler", options: settings.maskPooler, finestScale: settings.finestScale)
        let (maskPooled, maskPoolSaved) = maskPooler.forward(levels: levels, rois: RoIPooler.roiTable(positiveBoxes), context: context)
        // Only the ground-truth class's map: the loss reads no other.
        let (maskLogits, maskSaved) = maskHead.forward(maskPooled, classes: maskLabels.map(Int.init), context: context)
        precondition(maskLogits.h == settings.maskSize, "mask head output \(maskLogits.shape), targets \(settings.maskSize)")
        let (maskLoss, maskLossSaved) = maskBCEForward(logits: UnsafeBufferPointer(maskLogits.buffer),
                                                       labels: [Int32](repeating: 0, count: maskLabels.count), targets: maskTargets,
                                                       classCount: 1, maskSize: settings.maskSize)
        let dMaskLogits = context.buffers.zeroed("train.dMaskLogits", shape: maskLogits.shape)
        maskBCEBackward(dLogits: dMaskLogits.buffer, dLoss: settings.weights.mask, saved: maskLossSaved)
        let dMaskPooled = needsLevelGradients ? context.buffers.zeroed("train.dMaskPooled", shape: maskPooled.shape) : nil
        maskHead.backward(dMaskLogits, saved: maskSaved, dRoIFeatures: dMaskPooled, context: context)
        if let dMaskPooled { roiAlignBackward(dLevels: Array(dPooledLevels), dOutput: UnsafeBufferPointer(dMaskPooled.buffer), saved: maskPoolSaved.roiAlign,
                         parallelism: context.compute.parallelism) }
        losses.mask = settings.weights.mask * maskLoss
    }
}
