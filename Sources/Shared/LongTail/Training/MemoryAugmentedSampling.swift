// MFS, memory-augmented feature sampling (docs/method.md §Memory-augmented feature sampling):
// the reference's `MFS` class with `LoceRoIHead._update_feat_memory`. Per pass, jitter every GT
// box 16 times (`bbox_generator`), pool the first `capacity` jittered boxes of each class present
// (RoIAlign 7 x 7 from the frozen levels, by a pooler of its own, "loce.jitter_pooler") and push
// them into the class's ring (`enqueue_dequeue`); then draw 8 classes x 4 features by
// q ∝ 1/(s + 1e-7) (`probabilistic_sampler`): the box head's extra rows. Every draw comes from
// the caller's generator (`LOCEBoxLoss.random`), the jitter's first, then the sampler's.
import SharedSupport
import SharedTensor
import SharedDetection

public struct MemoryAugmentedSampling: Sendable {
    /// One ring of `capacity` (the reference's `queue_size`) features per foreground class.
    public var memory: FeatureMemory
    public let sampler: MemorySampler
    /// The largest jitter of a box side, as a fraction of the GT box's width or height (1/6).
    public let jitterFraction: Double
    /// The jitter pooler's output, reused from one pass to the next (the pooler is built per
    /// pass from the pass's settings; its buffer lives as long as the hook).
    let jitterPooled = BufferSlot("loce.jitter_pooler.out")
    /// While set, every push is noted here (one image's pass of the exact gradient sum).
    public var journal: MemoryJournal?

    public init(memory: FeatureMemory, sampler: MemorySampler, jitterFraction: Double = 1.0 / 6) {
        self.memory = memory
        self.sampler = sampler
        self.jitterFraction = jitterFraction
    }

    /// The jittered boxes of a batch (16 per GT, image-major), with each one's class and image.
    public func jitteredBoxes(_ targets: [TrainingImageTargets], coder: DeltaXYWHBoxCoder,
                              random: inout SeededRandom) -> (boxes: [JitteredBox], labels: [Int], images: [Int]) {
        var jittered: [JitteredBox] = [], labels: [Int] = [], images: [Int] = []
        for (image, target) in targets.enumerated() {
            let boxes = jitterBoxes(target.boxes, imageSize: target.inputSize, fraction: jitterFraction, coder: coder, random: &random)
            jittered += boxes
            labels += boxes.map { target.classes[$0.groundTruthIndex] }
            images += [Int](repeating: image, count: boxes.count)
        }
        return (jittered, labels, images)
    }

    /// Jitters the batch's GT boxes and pushes the pooled features of the first `capacity` of
    /// each class, with their regression targets, into the memory.
    public mutating func updateMemory(levels: [Tensor], targets: [TrainingImageTargets], settings: TrainingSettings,
                                      context: ModuleContext, random: inout SeededRandom) {
        let (jittered, labels, images) = jitteredBoxes(targets, coder: settings.boxCoder, random: &random)
        let kept = firstIndicesPerLabel(labels, limit: memory.capacity)  // ascending, so image-major
        guard !kept.isEmpty else { return }
        var boxesPerImage = [[Box]](repeating: [], count: targets.count)
        for index in kept { boxesPerImage[images[index]].append(jittered[index].box) }
        let pooler = RoIPooler("loce.jitter_pooler", options: settings.boxPooler, levelRule: settings.roiLevels, output: jitterPooled)
        let (pooled, _) = pooler.forward(levels: levels, rois: RoIPooler.roiTable(boxesPerImage), context: context)
        let size = pooled.count / kept.count
        precondition(size == memory.featureSize, "memory feature size \(memory.featureSize), pooled \(size)")
        pooled.withUnsafeBufferPointer { rows in
            for (row, index) in kept.enumerated() {
                let feature = UnsafeBufferPointer(rebasing: rows[(row * size)..<((row + 1) * size)])
                if journal != nil {
                    memory.push(classIndex: labels[index], feature: feature, target: jittered[index].target, journal: &journal!)
                } else {
                    memory.push(classIndex: labels[index], feature: feature, target: jittered[index].target)
                }
            }
        }
    }

    /// This pass's memory rows: classes drawn by q from `meanScores`, features from their rings.
    public func sampleRows(meanScores: MeanScores, random: inout SeededRandom) -> ExtraBoxRows {
        let gathered = memory.gather(sampler.sample(memory: memory, meanScores: meanScores, random: &random))
        return ExtraBoxRows(features: gathered.features, labels: gathered.labels, targets: gathered.targets)
    }
}
