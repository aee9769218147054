// The mask branch of a training pass (mmdetection 2.8's `StandardRoIHead._mask_forward_train`,
// docs/method.md §Stage 1) as targets -> forward -> loss -> backward: `maskTrainingTargets`
// rasterises each positive RoI's GT polygons to 28 x 28; `maskForward` pools the positive RoIs
// (RoIAlign 14 x 14 over P2..P5) and runs the mask head, only the GT class's map of each;
// `maskLoss` is the per-pixel sigmoid BCE against the targets; `maskBackward` goes back through
// the head and RoIAlign into the levels' gradients. Stage 2's memory rows have no mask.
import SharedSupport
import SharedTensor
import SharedNN

/// What the mask loss of a batch reads: the positive RoIs of each image, their GT classes
/// and their 28 x 28 targets (0 / 1, RoI-major).
struct MaskTrainingTargets {
    var rois: [[Box]] = []
    var classes: [Int] = []
    var targets: [Float] = []
}

/// The mask head's forward over the positive RoIs, with what `maskBackward` needs.
struct MaskHeadForward {
    /// [P, 1, 28, 28]: the map of each RoI's GT class.
    let logits: Tensor
    let saved: MaskHead.Saved
    /// The shape of the pooled RoI features [P, C, 14, 14] and their RoIAlign state.
    let pooledShape: [Int]
    let poolSaved: RoIPooler.Saved
}

extension MaskRCNN {
    /// The mask branch of `trainingStep`: targets, forward, loss, backward into `dLevels`
    /// (P2..P5) and the store's gradients. Returns the weighted loss: 0 without positive RoIs;
    /// nil when the head is frozen over frozen levels and is not run (its loss would move no
    /// weight, and nothing else reads its output or draws random numbers).
    func trainMaskHead(levels: [Tensor], dLevels: [Tensor], roiTargets: [RoITargets], targets: [TrainingImageTargets],
                       settings: TrainingSettings, context: ModuleContext, needsLevelGradients: Bool) -> Float? {
        guard needsLevelGradients || !isFrozen(.maskHead, context.store) else { return nil }
        let maskTargets = Self.maskTrainingTargets(roiTargets: roiTargets, targets: targets, maskSize: settings.maskSize)
        guard !maskTargets.classes.isEmpty else { return 0 }
        let mask = maskForward(levels: levels, rois: maskTargets.rois, classes: maskTargets.classes, settings: settings, context: context)
        let (loss, dLogits) = maskLoss(mask, targets: maskTargets.targets, weight: settings.weights.mask, maskSize: settings.maskSize,
                                       context: context)
        maskBackward(mask, dLogits: dLogits, dLevels: dLevels, needsLevelGradients: needsLevelGradients, context: context)
        return settings.weights.mask * loss
    }

    /// The positives (first `positiveCount` RoIs) of every image with their classes and the
    /// targets rasterised from their matched GT's polygons (`mask_head.get_targets`).
    static func maskTrainingTargets(roiTargets: [RoITargets], targets: [TrainingImageTargets], maskSize: Int) -> MaskTrainingTargets {
        var result = MaskTrainingTargets()
        for (image, sampled) in roiTargets.enumerated() {
            let boxes = Array(sampled.rois.prefix(sampled.positiveCount))
            result.rois.append(boxes)
            for (p, box) in boxes.enumerated() {
                result.classes.append(sampled.labels[p])
                let instance = sampled.groundTruth[p]!
                result.targets += maskTarget(polygons: targets[image].polygons[instance], roi: box, maskSize: maskSize).map(Float.init)
            }
        }
        return result
    }

    /// Pools `rois` (one list per image) and runs the mask head, only the map of each RoI's
    /// class (`_mask_forward`).
    func maskForward(levels: [Tensor], rois: [[Box]], classes: [Int], settings: TrainingSettings,
                     context: ModuleContext) -> MaskHeadForward {
        let maskPooler = self.maskPooler(options: settings.maskPooler, levelRule: settings.roiLevels)
        let (pooled, poolSaved) = maskPooler.forward(levels: levels, rois: RoIPooler.roiTable(rois), context: context)
        // Only the ground-truth class's map: the loss reads no other.
        let (logits, saved) = maskHead.forward(pooled, classes: classes, context: context)
        precondition(logits.h == settings.maskSize, "mask head output \(logits.shape), targets \(settings.maskSize)")
        return MaskHeadForward(logits: logits, saved: saved, pooledShape: pooled.shape, poolSaved: poolSaved)
    }

    /// Per-pixel sigmoid BCE of the class maps against `targets` (`mask_head.loss`). Returns the
    /// unweighted loss and `weight` times its gradient (the buffer `slots.maskLogitsGradient`).
    func maskLoss(_ mask: MaskHeadForward, targets: [Float], weight: Float, maskSize: Int,
                  context: ModuleContext) -> (loss: Float, dLogits: Tensor) {
        let (loss, saved) = mask.logits.withUnsafeBufferPointer { logits in
            maskBCEForward(logits: logits, labels: [Int32](repeating: 0, count: mask.logits.n), targets: targets,
                           classCount: 1, maskSize: maskSize)
        }
        let dLogits = context.buffers.zeroed(slots.maskLogitsGradient, shape: mask.logits.shape)
        dLogits.withUnsafeMutableBufferPointer { maskBCEBackward(dLogits: $0, dLoss: weight, saved: saved) }
        return (loss, dLogits)
    }

    /// Back through the mask head (into the store) and, when the levels need it, RoIAlign into
    /// `dLevels` (P2..P5).
    func maskBackward(_ mask: MaskHeadForward, dLogits: Tensor, dLevels: [Tensor], needsLevelGradients: Bool,
                      context: ModuleContext) {
        let dPooled = needsLevelGradients ? context.buffers.zeroed(slots.maskPooledGradient, shape: mask.pooledShape) : nil
        maskHead.backward(dLogits, saved: mask.saved, dRoIFeatures: dPooled, context: context)
        guard let dPooled else { return }
        RoIPooler.backward(dOutput: dPooled, saved: mask.poolSaved, dLevels: dLevels, context: context)
    }
}
