// Stage 2's box-loss hook (docs/method.md §Mean scores to §Stage-2 iteration): per pass,
// jitter every GT box 16 times, pool the jittered boxes (RoIAlign 7x7 through the frozen
// levels), push the first `capacity` of each class into the feature memory, draw 8 classes x 4
// features by q ∝ 1/(s + 1e-7) and append them after the sampled RoIs; then, before the loss,
// update the mean scores from the raw softmax (per GT with positives, per memory class) and
// apply the Equilibrium Loss (or plain cross-entropy with `useEquilibriumLoss == false`) over
// every row.
//
// The state (mean scores, memory, the hook's own generator) is explicit and public, so the
// fine-tuning loop saves it in its checkpoint.
import SharedSupport
import SharedTensor
import SharedNN
import SharedDetection

public final class LOCEBoxLoss: BoxLossExtension {
    /// s, one entry per foreground class plus background.
    public var meanScores: MeanScores
    /// The per-class feature queues; nil when MFS is off.
    public var memory: FeatureMemory?
    public let sampler: MemorySampler
    /// The largest jitter of a box side, as a fraction of the GT box's width or height (1/6).
    public let jitterFraction: Double
    public let useEquilibriumLoss: Bool
    /// Jitter and memory draws (a stream of its own, saved in checkpoints).
    public var random: SeededRandom
    /// Memory rows appended by the last pass.
    public private(set) var lastMemorySampleCount = 0

    public init(meanScores: MeanScores, memory: FeatureMemory?, sampler: MemorySampler, jitterFraction: Double = 1.0 / 6,
                useEquilibriumLoss: Bool, random: SeededRandom) {
        self.meanScores = meanScores
        self.memory = memory
        self.sampler = sampler
        self.jitterFraction = jitterFraction
        self.useEquilibriumLoss = useEquilibriumLoss
        self.random = random
    }

    /// The hook a stage-2 config describes (fresh state: s = initial score, empty queues).
    /// `featureSize` = FPN channels x pooled size²; `memorySampling` overrides the config's switch.
    public convenience init(config: LOCEConfig, classCount: Int, featureSize: Int, useEquilibriumLoss: Bool, memorySampling: Bool,
                            random: SeededRandom) {
        let scores = MeanScores(foregroundClassCount: classCount, alpha: Float(config.meanScoreDecay),
                                initialScore: Float(config.initialScore), backgroundScore: Float(config.backgroundScore))
        let memory = memorySampling ? FeatureMemory(classCount: classCount, capacity: config.memory.queueCapacity, featureSize: featureSize) : nil
        self.init(meanScores: scores, memory: memory,
                  sampler: MemorySampler(classesPerIteration: max(config.memory.sampledClasses, 1),
                                         featuresPerClass: max(config.memory.samplesPerClass, 1)),
                  jitterFraction: config.memory.jitterFraction, useEquilibriumLoss: useEquilibriumLoss, random: random)
    }

    public func extraRows(levels: [Tensor], targets: [TrainingImageTargets], roiTargets: [RoITargets],
                          settings: TrainingSettings, context: ModuleContext) -> ExtraBoxRows {
        lastMemorySampleCount = 0
        // Mutated in place (`memory!`): a local copy would duplicate the whole buffer each pass.
        guard memory != nil else { return ExtraBoxRows() }
        // 1. Jitter (16 per GT); keep at most the first `capacity` of each class present in the batch.
        var jittered: [JitteredBox] = [], labels: [Int] = [], images: [Int] = []
        for (image, target) in targets.enumerated() {
            let boxes = jitterBoxes(target.boxes, imageSize: target.inputSize, fraction: jitterFraction, coder: settings.boxCoder,
                                    random: &random)
            jittered += boxes
            labels += boxes.map { target.classes[$0.groundTruthIndex] }
            images += [Int](repeating: image, count: boxes.count)
        }
        let kept = firstIndicesPerLabel(labels, limit: memory!.capacity)  // ascending, so image-major
        if !kept.isEmpty {
            // 2. Pool the kept boxes through the frozen levels and push them.
            var boxesPerImage = [[Box]](repeating: [], count: targets.count)
            for index in kept { boxesPerImage[images[index]].append(jittered[index].box) }
            let pooler = RoIPooler("loce.jitter_pooler", options: settings.boxPooler, finestScale: settings.finestScale)
            let (pooled, _) = pooler.forward(levels: levels, rois: RoIPooler.roiTable(boxesPerImage), context: context)
            let size = pooled.count / kept.count
            precondition(size == memory!.featureSize, "memory feature size \(memory!.featureSize), pooled \(size)")
            let rows = UnsafeBufferPointer(pooled.buffer)
            for (row, index) in kept.enumerated() {
                memory!.push(classIndex: labels[index], feature: UnsafeBufferPointer(rebasing: rows[(row * size)..<((row + 1) * size)]),
                             target: jittered[index].target)
            }
        }
        // 3. Draw by q from s.
        let samples = sampler.sample(memory: memory!, meanScores: meanScores, random: &random)
        let gathered = memory!.gather(samples)
        lastMemorySampleCount = samples.count
        return ExtraBoxRows(features: gathered.features, labels: gathered.labels, targets: gathered.targets)
    }

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
    /// and one per class among the memory rows (`extraRowStart...`).
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
