// Checks a decoded config for values that decode but make no sense: every number inside its
// documented range (`ConfigLimits`), the relations between fields, and, when those hold, the
// sizes of what the config would build (`DetectorConfig+Sizes.swift`). Messages name the key
// path, the range and the value found.
import SharedSupport

extension DetectorConfig {
    /// Throws a `ToolError` (in `file`, exit 1) listing every invalid field, a later stage's
    /// `section` included.
    public func validate(file: String? = nil, with section: (any DetectorConfigSection)? = nil) throws {
        let problems = validationProblems(with: section)
        guard !problems.isEmpty else { return }
        throw ToolError(problems.count == 1 ? problems[0] : "\(problems.count) invalid values: " + problems.joined(separator: "; "),
                        file: file, hint: "see the ranges in Sources/Shared/Detection/Config/README.md and the preset files "
                        + "in pipelines/configs/ for valid values")
    }

    /// Every problem found, as "key.path: what is wrong" sentences (empty when valid). The
    /// size checks run only on a config whose fields are all valid (their products are then
    /// bounded), those of the class count only once it is known. A later stage's `section` is
    /// checked after the detector's fields, and its buffers sized with the detector's.
    public func validationProblems(with section: (any DetectorConfigSection)? = nil) -> [String] {
        var problems = ConfigProblems()
        validateBackbone(&problems)
        validateRPN(&problems)
        validateROIHeads(&problems)
        validateInput(&problems)
        validateSolver(&problems)
        validateTest(&problems)
        section?.addProblems(to: &problems, detector: self)
        if problems.isEmpty { validateSizes(&problems, with: section) }
        return problems.list
    }

    private func validateBackbone(_ problems: inout ConfigProblems) {
        let b = backbone
        problems.require(b.stageBlocks.count == 4, "backbone.stageBlocks must have 4 entries (res2..res5), got \(b.stageBlocks.count)")
        problems.require(b.stageWidths.count == 4, "backbone.stageWidths must have 4 entries (res2..res5), got \(b.stageWidths.count)")
        for (i, n) in b.stageBlocks.enumerated() { problems.within(n, ConfigLimits.stageBlocks, "backbone.stageBlocks[\(i)]") }
        problems.within(b.stemWidth, ConfigLimits.stemWidth, "backbone.stemWidth")
        for (i, w) in b.stageWidths.enumerated() {
            problems.within(w, ConfigLimits.stageWidth, "backbone.stageWidths[\(i)]")
            problems.require(w % b.block.expansion == 0,
                             "backbone.stageWidths[\(i)] = \(w) must be a multiple of \(b.block.expansion) for \(b.block.rawValue)")
        }
        problems.within(b.groups, ConfigLimits.groups, "backbone.groups")
        if b.norm == .groupNorm && b.groups > 0 {
            let inner = b.stageWidths.indices.map { b.stageWidths[$0] / b.block.expansion }
            for width in Set([b.stemWidth] + b.stageWidths + inner).sorted() where width % b.groups != 0 {
                problems.add("backbone.groups = \(b.groups) does not divide the width \(width)")
            }
        }
        problems.require((0...5).contains(b.frozenStages), "backbone.frozenStages must be 0...5 (stem, res2..res5), got \(b.frozenStages)")
        if let path = b.pretrained { problems.require(!path.isEmpty, "backbone.pretrained must be a path or null, got an empty string") }
        if b.strideInFirstConv == true {
            problems.require(b.block == .bottleneck, "backbone.strideInFirstConv = true needs Bottleneck blocks (a BasicBlock has no 1x1 "
                             + "conv), got \(b.block.rawValue)")
        }

        problems.within(fpn.channels, ConfigLimits.fpnChannels, "fpn.channels")
        problems.require((2...5).contains(fpn.minLevel), "fpn.minLevel must be 2...5, got \(fpn.minLevel)")
        problems.require(fpn.maxLevel == 5 || fpn.maxLevel == 6, "fpn.maxLevel must be 5 or 6 (P6 by max-pool of P5), got \(fpn.maxLevel)")
    }

    private func validateRPN(_ problems: inout ConfigProblems) {
        problems.within(rpn.anchorScales, lengths: ConfigLimits.anchorListLength, each: ConfigLimits.anchorScale, "rpn.anchorScales")
        problems.within(rpn.anchorRatios, lengths: ConfigLimits.anchorListLength, each: ConfigLimits.anchorRatio, "rpn.anchorRatios")
        if (2...5).contains(fpn.minLevel) && (5...6).contains(fpn.maxLevel) {
            problems.require(rpn.anchorStrides == fpn.strides,
                             "rpn.anchorStrides \(rpn.anchorStrides) must equal the FPN level strides \(fpn.strides)")
        }
        Self.validateMatcher(rpn.matcher, "rpn.matcher", &problems)
        Self.validateSampler(rpn.sampler, "rpn.sampler", &problems)
        for (proposals, path) in [(rpn.train, "rpn.train"), (rpn.test, "rpn.test")] {
            problems.within(proposals.preNMSTopK, ConfigLimits.preNMSTopK, "\(path).preNMSTopK")
            problems.within(proposals.postNMSTopK, ConfigLimits.postNMSTopK, "\(path).postNMSTopK")
            problems.within(proposals.nmsIoU, .closed(0, 1), "\(path).nmsIoU")
            problems.within(proposals.minimumSize, ConfigLimits.minimumBoxSize, "\(path).minimumSize")
        }
        Self.validateCoder(rpn.coder, "rpn.coder", &problems)
        Self.refuseDetectron2(rpn.anchorGrid, "rpn.anchorGrid", &problems)
        problems.within(rpn.objectnessLossWeight, ConfigLimits.lossWeight, "rpn.objectnessLossWeight")
        problems.within(rpn.boxLossWeight, ConfigLimits.lossWeight, "rpn.boxLossWeight")
    }

    private func validateROIHeads(_ problems: inout ConfigProblems) {
        let r = roiHeads
        if let classes = r.numClasses { problems.within(classes, ConfigLimits.classCount, "roiHeads.numClasses") }
        Self.validateMatcher(r.matcher, "roiHeads.matcher", &problems)
        Self.validateSampler(r.sampler, "roiHeads.sampler", &problems)
        for (pooler, path) in [(r.boxPooler, "roiHeads.boxPooler"), (r.maskPooler, "roiHeads.maskPooler")] {
            problems.within(pooler.outputSize, ConfigLimits.pooledSize, "\(path).outputSize")
            problems.within(pooler.samplingRatio, ConfigLimits.samplingRatio, "\(path).samplingRatio")
        }
        problems.within(r.canonicalSize, ConfigLimits.canonicalSize, "roiHeads.canonicalSize")
        problems.require((fpn.minLevel...max(fpn.minLevel, 5)).contains(r.canonicalLevel),
                         "roiHeads.canonicalLevel must be one of the pooled levels \(fpn.minLevel)...5, got \(r.canonicalLevel)")
        problems.within(r.boxHead.fcCount, ConfigLimits.fcCount, "roiHeads.boxHead.fcCount")
        problems.within(r.boxHead.fcDim, ConfigLimits.fcDim, "roiHeads.boxHead.fcDim")
        problems.within(r.boxHead.classifierInitStd, ConfigLimits.initStd, "roiHeads.boxHead.classifierInitStd")
        problems.within(r.boxHead.regressorInitStd, ConfigLimits.initStd, "roiHeads.boxHead.regressorInitStd")
        Self.validateCoder(r.boxHead.coder, "roiHeads.boxHead.coder", &problems)
        problems.within(r.boxHead.classificationLossWeight, ConfigLimits.lossWeight, "roiHeads.boxHead.classificationLossWeight")
        problems.within(r.boxHead.boxLossWeight, ConfigLimits.lossWeight, "roiHeads.boxHead.boxLossWeight")
        problems.within(r.maskHead.convCount, ConfigLimits.maskConvCount, "roiHeads.maskHead.convCount")
        problems.within(r.maskHead.convDim, ConfigLimits.maskConvDim, "roiHeads.maskHead.convDim")
        problems.within(r.maskHead.normedScale, ConfigLimits.normedScale, "roiHeads.maskHead.normedScale")
        problems.within(r.maskHead.lossWeight, ConfigLimits.lossWeight, "roiHeads.maskHead.lossWeight")
    }

    private func validateInput(_ problems: inout ConfigProblems) {
        problems.within(input.trainShortSides, lengths: ConfigLimits.trainScales, each: ConfigLimits.imageSide, "input.trainShortSides")
        problems.within(input.trainMaxLongSide, ConfigLimits.imageSide, "input.trainMaxLongSide")
        problems.require(input.trainShortSides.allSatisfy { $0 <= input.trainMaxLongSide },
                         "input.trainShortSides must not exceed input.trainMaxLongSide = \(input.trainMaxLongSide)")
        problems.within(input.testShortSide, ConfigLimits.imageSide, "input.testShortSide")
        problems.within(input.testMaxLongSide, ConfigLimits.imageSide, "input.testMaxLongSide")
        problems.require(input.testShortSide <= input.testMaxLongSide,
                         "input.testShortSide = \(input.testShortSide) must not exceed input.testMaxLongSide = \(input.testMaxLongSide)")
        problems.within(input.flipProbability, .closed(0, 1), "input.flipProbability")
        problems.within(input.padMultiple, ConfigLimits.padMultiple, "input.padMultiple")
        if (fpn.maxLevel == 5 || fpn.maxLevel == 6) && input.padMultiple > 0 {
            let coarsest = 1 << 5  // res5 (P6 is pooled from P5, not a backbone stride)
            problems.require(input.padMultiple % coarsest == 0,
                             "input.padMultiple = \(input.padMultiple) must be a multiple of the backbone's coarsest stride \(coarsest)")
        }
        problems.require(input.pixelMean.count == 3, "input.pixelMean must have 3 entries (RGB), got \(input.pixelMean.count)")
        problems.require(input.pixelStd.count == 3, "input.pixelStd must have 3 entries (RGB), got \(input.pixelStd.count)")
        for (i, mean) in input.pixelMean.enumerated() { problems.within(mean, ConfigLimits.pixelMean, "input.pixelMean[\(i)]") }
        for (i, std) in input.pixelStd.enumerated() { problems.within(std, ConfigLimits.pixelStd, "input.pixelStd[\(i)]") }
        problems.within(input.repeatThreshold, ConfigLimits.repeatThreshold, "input.repeatThreshold")
    }

    private func validateSolver(_ problems: inout ConfigProblems) {
        let s = solver
        problems.within(s.imagesPerBatch, ConfigLimits.imagesPerBatch, "solver.imagesPerBatch")
        problems.within(s.baseLearningRate, ConfigLimits.learningRate, "solver.baseLearningRate")
        problems.within(s.referenceBatchSize, ConfigLimits.referenceBatchSize, "solver.referenceBatchSize")
        problems.within(s.momentum, ConfigRange(0, 1, excludesUpper: true), "solver.momentum")
        problems.within(s.weightDecay, ConfigLimits.weightDecay, "solver.weightDecay")
        problems.within(s.warmupIterations, ConfigLimits.warmupIterations, "solver.warmupIterations")
        problems.within(s.warmupRatio, ConfigRange(0, 1, excludesLower: true), "solver.warmupRatio")
        problems.within(s.length, ConfigLimits.scheduleLength, "solver.length")
        problems.within(s.decaySteps.count, ConfigLimits.decayStepCount, "the length of solver.decaySteps")
        problems.require(s.decaySteps == s.decaySteps.sorted() && Set(s.decaySteps).count == s.decaySteps.count,
                         "solver.decaySteps must be increasing, got \(s.decaySteps)")
        problems.require(s.decaySteps.allSatisfy { $0 > 0 && $0 < s.length },
                         "solver.decaySteps \(s.decaySteps) must lie inside the run (0, \(s.length)) \(s.unit.rawValue)")
        problems.within(s.decayFactor, ConfigRange(0, 1, excludesLower: true), "solver.decayFactor")
        problems.within(s.checkpointPeriod, ConfigLimits.scheduleLength, "solver.checkpointPeriod")
    }

    private func validateTest(_ problems: inout ConfigProblems) {
        problems.within(test.scoreThreshold, ConfigRange(0, 1, excludesUpper: true), "test.scoreThreshold")
        problems.within(test.nmsIoU, .closed(0, 1), "test.nmsIoU")
        problems.within(test.maxDetectionsPerImage, ConfigLimits.maxDetectionsPerImage, "test.maxDetectionsPerImage")
        problems.within(test.maskThreshold, .closed(0, 1), "test.maskThreshold")
    }

    private static func validateMatcher(_ m: MatcherConfig, _ path: String, _ problems: inout ConfigProblems) {
        let unit = ConfigRange.closed(0, 1)
        if !unit.contains(m.positiveIoU) || !unit.contains(m.negativeIoU) || !unit.contains(m.minimumPositiveIoU) {
            problems.add("\(path) IoU thresholds must be in [0, 1], got positiveIoU \(m.positiveIoU), negativeIoU "
                         + "\(m.negativeIoU), minimumPositiveIoU \(m.minimumPositiveIoU)")
        }
        if m.negativeIoU > m.positiveIoU {
            problems.add("\(path).negativeIoU = \(m.negativeIoU) must not exceed positiveIoU = \(m.positiveIoU)")
        }
    }

    private static func validateSampler(_ s: SamplerConfig, _ path: String, _ problems: inout ConfigProblems) {
        problems.within(s.samplesPerImage, ConfigLimits.samplesPerImage, "\(path).samplesPerImage")
        problems.within(s.positiveFraction, .closed(0, 1), "\(path).positiveFraction")
    }

    private static func validateCoder(_ c: BoxCoderConfig, _ path: String, _ problems: inout ConfigProblems) {
        if c.means.count != 4 || c.stds.count != 4 {
            problems.add("\(path).means and .stds must have 4 entries (dx, dy, dw, dh)")
        }
        for (i, mean) in c.means.enumerated() { problems.within(mean, ConfigLimits.coderMean, "\(path).means[\(i)]") }
        for (i, std) in c.stds.enumerated() { problems.within(std, ConfigLimits.coderStd, "\(path).stds[\(i)]") }
        refuseDetectron2(c.convention, "\(path).convention", &problems)
        if c.convention == .torchvision && c.means.contains(where: { $0 != 0 }) {
            problems.add("\(path).means must be 0 with \(path).convention \"torchvision\" (torchvision's BoxCoder has "
                         + "weights, 1 / stds, and no means), got \(c.means)")
        }
    }

    /// `detectron2` at a key where detectron2's arithmetic is another convention's: refused,
    /// naming that one (`DetectionConvention.detectron2Equivalents`).
    private static func refuseDetectron2(_ value: DetectionConvention?, _ path: String, _ problems: inout ConfigProblems) {
        guard value == .detectron2 else { return }
        let same = DetectionConvention.detectron2Equivalents[path.hasSuffix("coder.convention") ? "rpn.coder.convention" : path]
        problems.add("\(path) cannot be \"detectron2\": detectron2's arithmetic there is \(same.map { "\"\($0.rawValue)\"" } ?? "another convention's"); use that value")
    }
}
