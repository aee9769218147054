// One training pass of the whole model on a batch (mmdetection 2.8 semantics,
// docs/method.md §Stage 1): forward, RPN targets (0.7 / 0.3 / best, 256 at 50%) and losses
// (sigmoid BCE + L1, average factor = sampled anchors of the batch), train-time proposals
// (detached), RoI targets (GT added, 0.5, 512 at 25%), then the box branch
// (`MaskRCNN+BoxTraining.swift`) and the mask branch (`MaskRCNN+MaskTraining.swift`), each
// forward -> losses -> backward, and last the backward through the RPN head, the FPN and the
// backbone into the store's gradients. Stage 2 (LOCE) passes a `BoxLossExtension` (extra memory
// rows, its own classification loss); fully frozen parts (backbone + FPN, shared box FCs) get no
// backward, not even input gradients into them.
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
/// `phases_ms`): the fit loop marks `data` and `optimizer` (and, with the exact gradient sum,
/// `gradient_sum` and `reduce`), `trainingStep` the others. The box
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
    /// Exact gradient sum: each image's gradient added into the fixed-point sum.
    public static let gradientSum = "gradient_sum"
    /// Exact gradient sum: the sum over the ranks, the mean written back, the losses gathered.
    public static let reduce = "reduce"
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
        let dLevels = levels.enumerated().map { context.buffers.zeroed(slots.levelGradients, index: $0.offset + 2, shape: $0.element.shape) }

        // RPN: targets, losses and their gradients, scattered back into [N, A, H, W] / [N, 4A, H, W].
        let dObjectness = rpn.objectness.enumerated().map {
            context.buffers.zeroed(slots.objectnessGradients, index: $0.offset, shape: $0.element.shape)
        }
        let dDeltas = rpn.deltas.enumerated().map { context.buffers.zeroed(slots.deltasGradients, index: $0.offset, shape: $0.element.shape) }
        rpnLosses(rpn, targets: targets, settings: settings, dObjectness: dObjectness, dDeltas: dDeltas,
                  losses: &losses, random: &random)
        phases?.mark(TrainingPhase.rpn)

        // Proposals (no gradient) and sampled RoIs with their targets.
        let roiTargetsPerImage = sampledRoIs(rpn, targets: targets, settings: settings, context: context, random: &random)
        phases?.mark(TrainingPhase.proposals)
        // Fully frozen parts (stage 2 freezes backbone and FPN) are not back-propagated.
        let backboneFrozen = isFrozen(.backbone, context.store), fpnFrozen = isFrozen(.fpn, context.store)
        let needsLevelGradients = !(fpnFrozen && backboneFrozen)
        let box = trainBoxHead(levels: levels, dLevels: dLevels, roiTargets: roiTargetsPerImage, targets: targets, settings: settings,
                               context: context, extension: boxLossExtension, needsLevelGradients: needsLevelGradients)
        losses.boxClassification = settings.weights.boxClassification * box.classification
        losses.boxRegression = settings.weights.boxRegression * box.regression
        phases?.mark(TrainingPhase.boxHead)
        losses.mask = trainMaskHead(levels: levels, dLevels: dLevels, roiTargets: roiTargetsPerImage, targets: targets,
                                    settings: settings, context: context, needsLevelGradients: needsLevelGradients)
        phases?.mark(TrainingPhase.maskHead)

        // Backward through the RPN head (its input gradient only when the levels need one; none at all when
        // the head is frozen too), the FPN and the backbone.
        if needsLevelGradients || !isFrozen(.rpnHead, context.store) {
            rpnHead.backward(dObjectness: dObjectness, dDeltas: dDeltas, saved: rpnSaved,
                             dLevels: needsLevelGradients ? dLevels : dLevels.map { _ in nil }, context: context)
        }
        let dFeatures: [Tensor?] = features.enumerated().map {
            backboneFrozen ? nil : context.buffers.zeroed(slots.featureGradients, index: $0.offset + 2, shape: $0.element.shape)
        }
        if !(fpnFrozen && backboneFrozen) {
            fpn.backward(dLevels, saved: fpnSaved, dFeatures: dFeatures, context: context)
        }
        if !backboneFrozen { backbone.backward(dFeatures.map { $0! }, saved: backboneSaved, context: context) }
        phases?.mark(TrainingPhase.backward)
        return losses
    }

    /// Train-time proposals of the RPN's output (no gradient) and, per image, the RoIs sampled
    /// from them and the GT boxes with their targets (`assign gts and sample proposals`).
    public func sampledRoIs(_ rpn: RPNHead.Output, targets: [TrainingImageTargets], settings: TrainingSettings,
                            context: ModuleContext, random: inout SeededRandom) -> [RoITargets] {
        let proposalsPerImage = batchProposals(rpn, inputSizes: targets.map(\.inputSize), generator: settings.proposals,
                                               anchors: settings.anchors, parallelism: context.compute.parallelism)
        return targets.indices.map { image -> RoITargets in
            roiTargets(proposals: proposalsPerImage[image].boxes, groundTruth: targets[image].boxes, groundTruthClasses: targets[image].classes,
                       classCount: classCount, addGroundTruthAsProposals: settings.addGroundTruthToProposals,
                       matcher: settings.roiMatcher, sampler: settings.roiSampler, coder: settings.boxCoder,
                       parallelism: context.compute.parallelism, random: &random)
        }
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
        let padded = settings.anchors.paddedInput(finestFeatureHeight: levelSizes[0].h, finestFeatureWidth: levelSizes[0].w)
        for (image, target) in targets.enumerated() {
            var anchors: [Box] = [], valid: [Bool] = []
            for (level, size) in levelSizes.enumerated() {
                anchors += settings.anchors.gridAnchors(level: level, featureHeight: size.h, featureWidth: size.w, paddedInput: padded)
                valid += settings.anchors.validFlags(level: level, featureHeight: size.h, featureWidth: size.w, validSize: target.inputSize)
            }
            let inside = anchorInsideFlags(anchors, validFlags: valid, imageSize: target.inputSize, allowedBorder: -1)
            let sampled = anchorTargets(anchors: anchors, insideFlags: inside, groundTruth: target.boxes, matcher: settings.rpnMatcher,
                                        sampler: settings.rpnSampler, coder: settings.rpnCoder, random: &random)
            for (j, label) in sampled.positives.map({ ($0, Float(1)) }) + sampled.negatives.map({ ($0, Float(0)) }) {
                let (level, pixel, anchor) = locate(j)
                let o = rpn.objectness[level]
                logits.append(o[flat: (image * a + anchor) * o.h * o.w + pixel])
                labels.append(label)
                sampledAt.append((image, j))
            }
            for (j, delta) in zip(sampled.positives, sampled.positiveTargets) {
                let (level, pixel, anchor) = locate(j)
                let d = rpn.deltas[level], plane = d.h * d.w
                for k in 0..<4 { predictions.append(d[flat: (image * 4 * a + 4 * anchor + k) * plane + pixel]) }
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
            o[flat: (place.image * a + anchor) * o.h * o.w + pixel] += dLogits[index]
        }
        var dPredictions = [Float](repeating: 0, count: predictions.count)
        let (boxLoss, boxSaved) = predictions.withUnsafeBufferPointer {
            regressionLossForward(kind: .l1, prediction: $0, target: regressionTargets, weights: nil, averageFactor: averageFactor)
        }
        dPredictions.withUnsafeMutableBufferPointer { regressionLossBackward(dPrediction: $0, dLoss: settings.weights.rpnBox, saved: boxSaved) }
        for (index, place) in positivesAt.enumerated() {
            let (level, pixel, anchor) = locate(place.anchor)
            let d = dDeltas[level], plane = d.h * d.w
            for k in 0..<4 { d[flat: (place.image * 4 * a + 4 * anchor + k) * plane + pixel] += dPredictions[4 * index + k] }
        }
        losses.rpnObjectness = settings.weights.rpnObjectness * objectnessLoss
        losses.rpnBox = settings.weights.rpnBox * boxLoss
    }
}
