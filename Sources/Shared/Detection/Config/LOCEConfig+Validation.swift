// Checks of the stage-2 section: every model part listed once, the parts that feed the
// feature memory frozen while it is used, and every number inside its documented range.

extension LOCEConfig {
    /// Adds the problems of this section ("loce.key: what is wrong") to `problems`.
    func validate(_ problems: inout ConfigProblems) {
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
    }
}
