// Stage 2's box-loss hook, our `LoceRoIHead` (docs/method.md §Mean scores to §Stage-2
// iteration), plugged into `MaskRCNN.trainingStep` as its `BoxLossExtension`. Two parts, as
// in the reference: MFS (`mfs`, a `MemoryAugmentedSampling`: jitter, pool and push the GT boxes,
// then draw the memory rows appended after the sampled RoIs; `extraRows`) and, before the loss,
// the mean-score update from the raw scores (per GT with positives, per memory class;
// `_update_mean_score`) followed by the Equilibrium Loss on z + log s over every row (or the
// run's other classifier loss, `BoxClassifierLoss`; `classificationLoss`). With a sigmoid or
// Seesaw classifier the raw scores are that classifier's (`ClassifierActivation`), so s and
// MFS's draws follow what the model predicts.
//
// The state (mean scores, memory, the hook's own generator, the loss's state) is explicit and
// public, so the fine-tuning loop saves it in its checkpoint.
import SharedSupport
import SharedTensor
import SharedNN
import SharedDetection

public final class LOCEBoxLoss: BoxLossExtension {
    /// s (`mean_score`), one entry per foreground class plus background.
    public var meanScores: MeanScores
    /// MFS; nil when it is off.
    public var mfs: MemoryAugmentedSampling?
    /// The classifier's loss and its state.
    public var loss: BoxClassifierLoss
    /// MFS's draws, jitter then sampler (a stream of its own, saved in checkpoints, MFS on or off).
    public var random: SeededRandom
    /// Memory rows appended by the last pass.
    public var lastMemorySampleCount = 0
    /// While set, every mean-score observation is noted here (one image's pass of the exact
    /// gradient sum, whose observations enter s in batch order after the iteration).
    public var observationLog: [MeanScoreObservation]?

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

    public init(meanScores: MeanScores, mfs: MemoryAugmentedSampling?, loss: BoxClassifierLoss, random: SeededRandom) {
        self.meanScores = meanScores
        self.mfs = mfs
        self.loss = loss
        self.random = random
    }

    /// The hook a stage-2 config describes (fresh state: s = initial score, empty queues).
    /// `featureSize` = FPN channels x pooled size²; `memorySampling` overrides the config's switch.
    public convenience init(config: LOCEConfig, classCount: Int, featureSize: Int, loss: BoxClassifierLoss, memorySampling: Bool,
                            random: SeededRandom) {
        let scores = MeanScores(foregroundClassCount: classCount, alpha: Float(config.meanScoreDecay),
                                initialScore: Float(config.initialScore), backgroundScore: Float(config.backgroundScore))
        let mfs = memorySampling
            ? MemoryAugmentedSampling(memory: FeatureMemory(classCount: classCount, capacity: config.memory.queueCapacity, featureSize: featureSize),
                                      sampler: MemorySampler(classesPerIteration: max(config.memory.sampledClasses, 1),
                                                             featuresPerClass: max(config.memory.samplesPerClass, 1)),
                                      jitterFraction: config.memory.jitterFraction)
            : nil
        self.init(meanScores: scores, mfs: mfs, loss: loss, random: random)
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

    /// Mean-score update from the raw scores, then the run's loss: the Equilibrium Loss with the
    /// updated s, or another (`_update_mean_score`, then `bbox_head.loss`).
    public func classificationLoss(logits: UnsafeBufferPointer<Float>, labels: [Int], roiTargets: [RoITargets], extraRowStart: Int,
                                   averageFactor: Float, dLoss: Float, dLogits: UnsafeMutableBufferPointer<Float>) -> Float {
        observeScores(logits: logits, labels: labels, roiTargets: roiTargets, extraRowStart: extraRowStart)
        return loss.apply(logits: logits, labels: labels, averageFactor: averageFactor, meanScores: meanScores, dLoss: dLoss, dLogits: dLogits)
    }

    /// The mean-score update alone: this pass's observations from the raw scores (the softmax,
    /// or the loss's activation) enter s. The warm-up pass calls only this.
    public func observeScores(logits: UnsafeBufferPointer<Float>, labels: [Int], roiTargets: [RoITargets], extraRowStart: Int) {
        let c = meanScores.foregroundClassCount
        let scores: [Float]
        if loss.activation == .softmax {
            // EBL's own softmax (multiplies by 1 / sum): s stays bit-identical to earlier runs'.
            let zeros = [Float](repeating: 0, count: c + 1)
            scores = equilibriumLossForward(logits: logits, labels: labels, logMeanScores: zeros, averageFactor: 1).saved.adjustedProbabilities
        } else {
            scores = loss.activation.scores(logits.baseAddress!, rows: labels.count, classCount: c)
        }
        let observed = Self.observations(probabilities: scores, classCount: c + 1, labels: labels,
                                         roiTargets: roiTargets, extraRowStart: extraRowStart)
        observationLog?.append(contentsOf: observed)
        meanScores.update(with: observed)
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
