// Checks of the stage-2 section: every model part listed once, the parts that feed the
// feature memory frozen while it is used, and every number inside its documented range; and
// the buffers the section makes (the memory samples of an iteration, the feature memory),
// sized with the detector's (`DetectorConfigSection`).
import SharedDetection

extension ConfigLimits {
    // Stage 2 (loce); the detector's limits are in Detection/Config/ConfigLimits.swift.
    public static let queueCapacity = 1...100_000
    /// `loce.memory.sampledClasses` and `loce.memory.samplesPerClass`.
    public static let memorySamples = 0...100_000
    public static let warmupImagesPerCategory = 0...100_000
}

extension LOCEConfig: DetectorConfigSection {
    /// Adds the problems of this section ("loce.key: what is wrong") to `problems`.
    public func addProblems(to problems: inout ConfigProblems, detector: DetectorConfig) {
        let listed = trainable + frozen
        let missing = ModelPart.allCases.filter { !listed.contains($0) }
        let twice = ModelPart.allCases.filter { part in listed.filter { $0 == part }.count > 1 }
        if !missing.isEmpty {
            problems.add("loce: every model part must be listed in trainable or frozen; missing \(missing.map(\.rawValue))")
        }
        if !twice.isEmpty { problems.add("loce: parts listed more than once: \(twice.map(\.rawValue))") }
        if trainable.isEmpty { problems.add("loce.trainable is empty: fine-tuning would change nothing") }
        // Stored memory features stay valid only while everything that computes them is frozen
        // (docs/method.md §Stage 2).
        let feeding: [ModelPart] = [.backbone, .fpn, .boxSharedFC]
        let trainedFeeding = feeding.filter { trainable.contains($0) }
        if ablation.memorySampling && !trainedFeeding.isEmpty {
            problems.add("loce: memory sampling needs \(feeding.map(\.rawValue)) frozen (stored features would go stale); "
                         + "trainable has \(trainedFeeding.map(\.rawValue))")
        }
        // The decay is a per-observation EMA factor: 0 would forget at once, 1 never move.
        problems.within(meanScoreDecay, ConfigRange(0, 1, excludesLower: true, excludesUpper: true), "loce.meanScoreDecay")
        problems.within(initialScore, ConfigRange(0, 1, excludesLower: true), "loce.initialScore")
        problems.within(backgroundScore, ConfigRange(0, 1, excludesLower: true), "loce.backgroundScore")
        problems.within(memory.queueCapacity, ConfigLimits.queueCapacity, "loce.memory.queueCapacity")
        problems.within(memory.sampledClasses, ConfigLimits.memorySamples, "loce.memory.sampledClasses")
        problems.within(memory.samplesPerClass, ConfigLimits.memorySamples, "loce.memory.samplesPerClass")
        problems.within(memory.jitterFraction, ConfigRange(0, 0.5, excludesLower: true, excludesUpper: true), "loce.memory.jitterFraction")
        problems.within(warmupImagesPerCategory, ConfigLimits.warmupImagesPerCategory, "loce.warmupImagesPerCategory")
        addLossProblems(to: &problems, detector: detector)
    }

    public func buffers(detector: DetectorConfig) -> [ConfigBuffer] {
        guard ablation.memorySampling else { return [] }
        let pooledBox = DetectorConfig.product(detector.roiHeads.boxPooler.outputSize, detector.roiHeads.boxPooler.outputSize)
        return [ConfigBuffer(name: "the memory samples of one iteration",
                             elements: DetectorConfig.product(memory.sampledClasses, memory.samplesPerClass, detector.fpn.channels, pooledBox),
                             keys: ["loce.memory.sampledClasses", "loce.memory.samplesPerClass", "fpn.channels",
                                    "roiHeads.boxPooler.outputSize"])]
    }

    public func buffers(detector: DetectorConfig, classes: Int) -> [ConfigBuffer] {
        guard ablation.memorySampling else { return [] }
        let pooledBox = DetectorConfig.product(detector.roiHeads.boxPooler.outputSize, detector.roiHeads.boxPooler.outputSize)
        return [ConfigBuffer(name: "the LOCE feature memory",
                             elements: DetectorConfig.product(classes, memory.queueCapacity, detector.fpn.channels, pooledBox),
                             keys: ["roiHeads.numClasses", "loce.memory.queueCapacity", "fpn.channels",
                                    "roiHeads.boxPooler.outputSize"])]
    }
}
