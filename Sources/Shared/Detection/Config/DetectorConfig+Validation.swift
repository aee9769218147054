// Checks a decoded config for values that decode but make no sense, with messages that
// name the key path and what would be valid.
import SharedSupport

extension DetectorConfig {
    /// Throws a `ToolError` (in `file`) for the first invalid field; lists all in the message.
    public func validate(file: String? = nil) throws {
        let problems = validationProblems()
        guard !problems.isEmpty else { return }
        throw ToolError(problems.count == 1 ? problems[0] : "\(problems.count) invalid values: " + problems.joined(separator: "; "),
                        file: file, hint: "see the preset files in pipelines/configs/ for valid values")
    }

    /// Every problem found, as "key.path: what is wrong" sentences (empty when valid).
    public func validationProblems() -> [String] {
        var problems: [String] = []
        func require(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { problems.append(message()) }
        }
        func positive(_ value: Int, _ path: String) { require(value > 0, "\(path) must be positive, got \(value)") }
        func fraction(_ value: Double, _ path: String, open: Bool = false) {
            require(value >= 0 && (open ? value < 1 : value <= 1), "\(path) must be in [0, 1\(open ? ")" : "]"), got \(value)")
        }

        // Backbone.
        let b = backbone
        require(b.stageBlocks.count == 4, "backbone.stageBlocks must have 4 entries (res2..res5), got \(b.stageBlocks.count)")
        require(b.stageWidths.count == 4, "backbone.stageWidths must have 4 entries (res2..res5), got \(b.stageWidths.count)")
        for (i, n) in b.stageBlocks.enumerated() { positive(n, "backbone.stageBlocks[\(i)]") }
        positive(b.stemWidth, "backbone.stemWidth")
        for (i, w) in b.stageWidths.enumerated() {
            positive(w, "backbone.stageWidths[\(i)]")
            require(w % b.block.expansion == 0, "backbone.stageWidths[\(i)] = \(w) must be a multiple of \(b.block.expansion) for \(b.block.rawValue)")
        }
        positive(b.groups, "backbone.groups")
        if b.norm == .groupNorm && b.groups > 0 {
            let inner = b.stageWidths.indices.map { b.stageWidths[$0] / b.block.expansion }
            for width in Set([b.stemWidth] + b.stageWidths + inner).sorted() where width % b.groups != 0 {
                problems.append("backbone.groups = \(b.groups) does not divide the width \(width)")
            }
        }
        require((0...5).contains(b.frozenStages), "backbone.frozenStages must be 0...5 (stem, res2..res5), got \(b.frozenStages)")
        if let path = b.pretrained { require(!path.isEmpty, "backbone.pretrained must be a path or null, got an empty string") }

        // FPN.
        positive(fpn.channels, "fpn.channels")
        require((2...5).contains(fpn.minLevel), "fpn.minLevel must be 2...5, got \(fpn.minLevel)")
        require(fpn.maxLevel == 5 || fpn.maxLevel == 6, "fpn.maxLevel must be 5 or 6 (P6 by max-pool of P5), got \(fpn.maxLevel)")

        // RPN.
        require(!rpn.anchorScales.isEmpty && rpn.anchorScales.allSatisfy { $0 > 0 }, "rpn.anchorScales must be positive numbers")
        require(!rpn.anchorRatios.isEmpty && rpn.anchorRatios.allSatisfy { $0 > 0 }, "rpn.anchorRatios must be positive numbers")
        if fpn.minLevel <= fpn.maxLevel {
            require(rpn.anchorStrides == fpn.strides,
                    "rpn.anchorStrides \(rpn.anchorStrides) must equal the FPN level strides \(fpn.strides)")
        }
        validateMatcher(rpn.matcher, "rpn.matcher", &problems)
        positive(rpn.sampler.samplesPerImage, "rpn.sampler.samplesPerImage")
        fraction(rpn.sampler.positiveFraction, "rpn.sampler.positiveFraction")
        for (proposals, path) in [(rpn.train, "rpn.train"), (rpn.test, "rpn.test")] {
            positive(proposals.preNMSTopK, "\(path).preNMSTopK")
            positive(proposals.postNMSTopK, "\(path).postNMSTopK")
            fraction(proposals.nmsIoU, "\(path).nmsIoU")
            require(proposals.minimumSize >= 0, "\(path).minimumSize must be >= 0, got \(proposals.minimumSize)")
        }
        validateCoder(rpn.coder, "rpn.coder", &problems)
        require(rpn.objectnessLossWeight >= 0 && rpn.boxLossWeight >= 0, "rpn loss weights must be >= 0")

        // RoI heads.
        let r = roiHeads
        if let classes = r.numClasses { positive(classes, "roiHeads.numClasses") }
        validateMatcher(r.matcher, "roiHeads.matcher", &problems)
        positive(r.sampler.samplesPerImage, "roiHeads.sampler.samplesPerImage")
        fraction(r.sampler.positiveFraction, "roiHeads.sampler.positiveFraction")
        for (pooler, path) in [(r.boxPooler, "roiHeads.boxPooler"), (r.maskPooler, "roiHeads.maskPooler")] {
            positive(pooler.outputSize, "\(path).outputSize")
            require(pooler.samplingRatio >= 0, "\(path).samplingRatio must be >= 0 (0 = adaptive), got \(pooler.samplingRatio)")
        }
        require(r.canonicalSize > 0, "roiHeads.canonicalSize must be positive, got \(r.canonicalSize)")
        require((fpn.minLevel...max(fpn.minLevel, 5)).contains(r.canonicalLevel),
                "roiHeads.canonicalLevel must be one of the pooled levels \(fpn.minLevel)...5, got \(r.canonicalLevel)")
        positive(r.boxHead.fcCount, "roiHeads.boxHead.fcCount")
        positive(r.boxHead.fcDim, "roiHeads.boxHead.fcDim")
        require(r.boxHead.classifierInitStd > 0 && r.boxHead.regressorInitStd > 0, "roiHeads.boxHead init stds must be positive")
        validateCoder(r.boxHead.coder, "roiHeads.boxHead.coder", &problems)
        require(r.boxHead.classificationLossWeight >= 0 && r.boxHead.boxLossWeight >= 0, "roiHeads.boxHead loss weights must be >= 0")
        require(r.maskHead.convCount >= 0, "roiHeads.maskHead.convCount must be >= 0, got \(r.maskHead.convCount)")
        positive(r.maskHead.convDim, "roiHeads.maskHead.convDim")
        require(r.maskHead.normedScale > 0, "roiHeads.maskHead.normedScale must be positive, got \(r.maskHead.normedScale)")
        require(r.maskHead.lossWeight >= 0, "roiHeads.maskHead.lossWeight must be >= 0")

        // Input.
        require(!input.trainShortSides.isEmpty && input.trainShortSides.allSatisfy { $0 > 0 },
                "input.trainShortSides must be a non-empty list of positive sizes")
        require(input.trainShortSides.allSatisfy { $0 <= input.trainMaxLongSide },
                "input.trainShortSides must not exceed input.trainMaxLongSide = \(input.trainMaxLongSide)")
        positive(input.testShortSide, "input.testShortSide")
        require(input.testShortSide <= input.testMaxLongSide,
                "input.testShortSide = \(input.testShortSide) must not exceed input.testMaxLongSide = \(input.testMaxLongSide)")
        fraction(input.flipProbability, "input.flipProbability")
        positive(input.padMultiple, "input.padMultiple")
        if fpn.maxLevel <= 6 && input.padMultiple > 0 {
            let coarsest = 1 << min(fpn.maxLevel, 5)
            require(input.padMultiple % coarsest == 0,
                    "input.padMultiple = \(input.padMultiple) must be a multiple of the backbone's coarsest stride \(coarsest)")
        }
        require(input.pixelMean.count == 3, "input.pixelMean must have 3 entries (RGB), got \(input.pixelMean.count)")
        require(input.pixelStd.count == 3 && input.pixelStd.allSatisfy { $0 > 0 },
                "input.pixelStd must have 3 positive entries (RGB)")
        require(input.repeatThreshold > 0, "input.repeatThreshold must be positive, got \(input.repeatThreshold)")

        // Solver.
        let s = solver
        positive(s.imagesPerBatch, "solver.imagesPerBatch")
        require(s.baseLearningRate > 0, "solver.baseLearningRate must be positive, got \(s.baseLearningRate)")
        positive(s.referenceBatchSize, "solver.referenceBatchSize")
        fraction(s.momentum, "solver.momentum", open: true)
        require(s.weightDecay >= 0, "solver.weightDecay must be >= 0, got \(s.weightDecay)")
        require(s.warmupIterations >= 0, "solver.warmupIterations must be >= 0, got \(s.warmupIterations)")
        require(s.warmupRatio > 0 && s.warmupRatio <= 1, "solver.warmupRatio must be in (0, 1], got \(s.warmupRatio)")
        positive(s.length, "solver.length")
        require(s.decaySteps == s.decaySteps.sorted() && Set(s.decaySteps).count == s.decaySteps.count,
                "solver.decaySteps must be increasing, got \(s.decaySteps)")
        require(s.decaySteps.allSatisfy { $0 > 0 && $0 < s.length },
                "solver.decaySteps \(s.decaySteps) must lie inside the run (0, \(s.length)) \(s.unit.rawValue)")
        require(s.decayFactor > 0 && s.decayFactor <= 1, "solver.decayFactor must be in (0, 1], got \(s.decayFactor)")
        positive(s.checkpointPeriod, "solver.checkpointPeriod")

        // Test.
        fraction(test.scoreThreshold, "test.scoreThreshold", open: true)
        fraction(test.nmsIoU, "test.nmsIoU")
        positive(test.maxDetectionsPerImage, "test.maxDetectionsPerImage")
        fraction(test.maskThreshold, "test.maskThreshold")

        if let loce { validateLOCE(loce, &problems) }
        return problems
    }

    private func validateMatcher(_ m: MatcherConfig, _ path: String, _ problems: inout [String]) {
        if !(0...1).contains(m.positiveIoU) || !(0...1).contains(m.negativeIoU) || !(0...1).contains(m.minimumPositiveIoU) {
            problems.append("\(path) IoU thresholds must be in [0, 1]")
        }
        if m.negativeIoU > m.positiveIoU {
            problems.append("\(path).negativeIoU = \(m.negativeIoU) must not exceed positiveIoU = \(m.positiveIoU)")
        }
    }

    private func validateCoder(_ c: BoxCoderConfig, _ path: String, _ problems: inout [String]) {
        if c.means.count != 4 || c.stds.count != 4 {
            problems.append("\(path).means and .stds must have 4 entries (dx, dy, dw, dh)")
        }
        if !c.stds.allSatisfy({ $0 > 0 }) { problems.append("\(path).stds must be positive") }
    }

    private func validateLOCE(_ l: LOCEConfig, _ problems: inout [String]) {
        let listed = l.trainable + l.frozen
        let missing = ModelPart.allCases.filter { !listed.contains($0) }
        let twice = ModelPart.allCases.filter { part in listed.filter { $0 == part }.count > 1 }
        if !missing.isEmpty {
            problems.append("loce: every model part must be listed in trainable or frozen; missing \(missing.map(\.rawValue))")
        }
        if !twice.isEmpty { problems.append("loce: parts listed more than once: \(twice.map(\.rawValue))") }
        if l.trainable.isEmpty { problems.append("loce.trainable is empty: fine-tuning would change nothing") }
        // Stored memory features stay valid only while everything that computes them is frozen (LOCE.md §2).
        let feeding: [ModelPart] = [.backbone, .fpn, .boxSharedFC]
        let trainedFeeding = feeding.filter { l.trainable.contains($0) }
        if l.ablation.memorySampling && !trainedFeeding.isEmpty {
            problems.append("loce: memory sampling needs \(feeding.map(\.rawValue)) frozen (stored features would go stale); "
                            + "trainable has \(trainedFeeding.map(\.rawValue))")
        }
        if !(l.meanScoreDecay >= 0 && l.meanScoreDecay < 1) {
            problems.append("loce.meanScoreDecay must be in [0, 1), got \(l.meanScoreDecay)")
        }
        if !(l.initialScore > 0 && l.initialScore <= 1) { problems.append("loce.initialScore must be in (0, 1], got \(l.initialScore)") }
        if !(l.backgroundScore > 0 && l.backgroundScore <= 1) {
            problems.append("loce.backgroundScore must be in (0, 1], got \(l.backgroundScore)")
        }
        let m = l.memory
        if m.queueCapacity <= 0 { problems.append("loce.memory.queueCapacity must be positive, got \(m.queueCapacity)") }
        if m.sampledClasses < 0 || m.samplesPerClass < 0 { problems.append("loce.memory sample counts must be >= 0") }
        if m.jitteredBoxesPerGroundTruth != 16 {
            problems.append("loce.memory.jitteredBoxesPerGroundTruth must be 16 (one per sign pattern), got \(m.jitteredBoxesPerGroundTruth)")
        }
        if !(m.jitterFraction > 0 && m.jitterFraction < 0.5) {
            problems.append("loce.memory.jitterFraction must be in (0, 0.5), got \(m.jitterFraction)")
        }
        if l.warmupImagesPerCategory < 0 { problems.append("loce.warmupImagesPerCategory must be >= 0") }
    }
}
