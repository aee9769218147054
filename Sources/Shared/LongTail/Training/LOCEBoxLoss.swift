// Stage 2's box-loss hook, our `LoceRoIHead` (docs/method.md §Mean scores to §Stage-2
// iteration), plugged into `MaskRCNN.trainingStep` as its `BoxLossExtension`. Two parts, as
// in the reference: MFS (`mfs`, a `MemoryAugmentedSampling`: jitter, pool and push the GT boxes,
// then draw the memory rows appended after the sampled RoIs; `extraRows`) and, before the loss,
// the mean-score update from the raw softmax (per GT with positives, per memory class;
// `_update_mean_score`) followed by the Equilibrium Loss on z + log s over every row (or plain
// cross-entropy with `useEquilibriumLoss == false`; `classificationLoss`).
//
// The state (mean scores, memory, the hook's own generator) is explicit and public, so the
// fine-tuning loop saves it in its checkpoint.
import SharedSupport
import SharedTensor
import SharedNN
import SharedDetection

public final class LOCEBoxLoss: BoxLossExtension {
    /// s (`mean_score`), one entry per foreground class plus background.
    public var meanScores: MeanScores
    /// MFS; nil when it is off.
    public var mfs: MemoryAugmentedSampling?
    public let useEquilibriumLoss: Bool
    /// MFS's draws, jitter then sampler (a stream of its own, saved in checkpoints, MFS on or off).
    public var random: SeededRandom
    /// Memory rows appended by the last pass.
    public private(set) var lastMemorySampleCount = 0

    /// MFS's per-class feature rings (nil when MFS is off). Setting nil turns MFS off; a
    /// memory can only be set while MFS is on (restoring a checkpoint).
    public var memory: FeatureMemory? {
        get { mfs?.memory }
        set {
            guard let newValue else { mfs = nil; return }
            precondition(mfs != nil, "a feature memory is set only while MFS is on")
            mfs!.memory = newValue
        }
    }

    public init(meanScores: MeanScores, mfs: MemoryAugmentedSampling?, useEquilibriumLoss: Bool, random: SeededRandom) {
        self.meanScores = meanScores
        self.mfs = mfs
        self.useEquilibriumLoss = useEquilibriumLoss
        self.random = random
    }

    /// The hook a stage-2 config describes (fresh state: s = initial score, empty queues).
    /// `featureSize` = FPN channels x pooled size²; `memorySampling` overrides the config's switch.
    public convenience init(config: LOCEConfig, classCount: Int, featureSize: Int, useEquilibriumLoss: Bool, memorySampling: Bool,
                            random: SeededRandom) {
        let scores = MeanScores(foregroundClassCount: classCount, alpha: Float(config.meanScoreDecay),
                                initialScore: Float(config.initialScore), backgroundScore: Float(config.backgroundScore))
        let mfs = memorySampling
            ? MemoryAugmentedSampling(memory: FeatureMemory(classCount: classCount, capacity: config.memory.queueCapacity, featureSize: featureSize),
                                      sampler: MemorySampler(classesPerIteration: max(config.memory.sampledClasses, 1),
                                                             featuresPerClass: max(config.memory.samplesPerClass, 1)),
                                      jitterFraction: config.memory.jitterFraction)
            : nil
        self.init(meanScores: scores, mfs: mfs, useEquilibriumLoss: useEquilibriumLoss, random: random)
    }

    /// MFS's rows for this pass (`_update_feat_memory`, then `probabilistic_sampler`); none with MFS off.
    public func extraRows(levels: [Tensor], targets: [TrainingImageTargets], roiTargets: [RoITargets],
                          settings: TrainingSettings, context: ModuleContext) -> ExtraBoxRows {
        lastMemorySampleCount = 0
        // Mutated in place (`mfs!`): a local copy would duplicate the whole memory each pass.
        guard mfs != nil else { return ExtraBoxRows() }
        mfs!.updateMemory(levels: levels, targets: targets, settings: settings, context: context, random: &random)
        let rows = mfs!.sampleRows(meanScores: meanScores, random: &random)
        lastMemorySampleCount = rows.count
        return rows
    }

    /// Mean-score update from the raw softmax, then the Equilibrium Loss with the updated s
    /// (`_update_mean_score`, then `bbox_head.loss` with `EquilibriumLoss`).
    public func classificationLoss(logits: UnsafeBufferPointer<Float>, labels: [Int], roiTargets: [RoITargets], extraRowStart: Int,
                                   averageFactor: Float, dLoss: Float, dLogits: UnsafeMutableBufferPointer<Float>) -> Float {
        let k = meanScores.foregroundClassCount + 1
        let equalScores = [Float](repeating: 0, count: k)
        // Raw softmax (constants) for the observations.
        let raw = equilibriumLossForward(logits: logits, labels: labels, logMeanScores: equalScores, averageFactor: averageFactor)
        meanScores.update(with: Self.observations(probabilities: raw.saved.adjustedProbabilities, classCount: k, labels: labels,
                                                  roiTargets: roiTargets, extraRowStart: extraRowStart))
        // EBL on z + log s with the updated s (or plain CE).
        let result = useEquilibriumLoss
            ? equilibriumLossForward(logits: logits, labels: labels, logMeanScores: meanScores.logScores, averageFactor: averageFactor)
            : raw
        equilibriumLossBackward(dLogits: dLogits, saved: result.saved, labels: labels, averageFactor: averageFactor, dLoss: dLoss)
        return result.loss
    }

    /// One observation per GT with positive RoIs (by assignment, ids unique across the batch)
    /// and one per class among the memory rows (`extraRowStart...`): `_compute_batch_mean_score`.
    static func observations(probabilities: [Float], classCount k: Int, labels: [Int], roiTargets: [RoITargets],
                             extraRowStart: Int) -> [MeanScoreObservation] {
        var positiveRows: [Int] = [], ids: [Int] = [], classes: [Int] = []
        var row = 0, idBase = 0
        for image in roiTargets {
            var imageGroundTruths = 0
            for p in 0..<image.positiveCount {
                guard let gt = image.groundTruth[p] else { continue }
                positiveRows.append(row + p)
                ids.append(idBase + gt)
                classes.append(image.labels[p])
                imageGroundTruths = max(imageGroundTruths, gt + 1)
            }
            row += image.rois.count
            idBase += max(imageGroundTruths, 1) + image.rois.count  // any bound above the image's GT indices
        }
        let memoryRows = Array(extraRowStart..<labels.count)
        return positiveRoIObservations(probabilities: probabilities, classCount: k, positiveRows: positiveRows,
                                       groundTruthIDs: ids, groundTruthClasses: classes)
            + memorySampleObservations(probabilities: probabilities, classCount: k, memoryRows: memoryRows,
                                       memoryClasses: memoryRows.map { labels[$0] })
    }
}
