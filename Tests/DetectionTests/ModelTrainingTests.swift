// One training pass of the whole smoke model: the losses at initialisation have their
// hand-computable values, the gradients of the total loss match finite differences, a
// few SGD steps on one batch drive the loss down, and frozen parts stay untouched.
import XCTest
@testable import SharedDetection
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN
import GradientChecking

final class ModelTrainingTests: XCTestCase {
    typealias S = ModelTestSupport

    /// Two images with rectangles (boxes, classes, rectangle polygons), 64 x 96 padded.
    func batch(random: inout SeededRandom) -> (images: Tensor, targets: [TrainingImageTargets]) {
        let images = S.randomTensor([2, 3, 64, 96], random: &random, std: 0.5)
        func rectangle(_ x1: Float, _ y1: Float, _ x2: Float, _ y2: Float) -> (Box, PolygonList) {
            (Box(x1: x1, y1: y1, x2: x2, y2: y2),
             [[Double(x1), Double(y1), Double(x2), Double(y1), Double(x2), Double(y2), Double(x1), Double(y2)]])
        }
        // Paint the objects brighter so there is something to learn.
        let objects: [[(Box, PolygonList, Int)]] = [
            [rectangle(8, 6, 40, 30), rectangle(50, 20, 90, 58)].enumerated().map { ($0.element.0, $0.element.1, $0.offset) },
            [rectangle(20, 10, 60, 50)].map { ($0.0, $0.1, 2) },
        ]
        for (image, list) in objects.enumerated() {
            for (box, _, cls) in list {
                for y in Int(box.y1)..<Int(box.y2) { for x in Int(box.x1)..<Int(box.x2) {
                    images[image, cls % 3, y, x] = 2
                } }
            }
        }
        let sizes = [ImageSize(width: 96, height: 64), ImageSize(width: 90, height: 60)]
        let targets = objects.enumerated().map { image, list in
            TrainingImageTargets(inputSize: sizes[image], boxes: list.map(\.0), classes: list.map(\.2), polygons: list.map(\.1))
        }
        return (images, targets)
    }

    /// The smoke preset with fewer proposals (fast debug-build tests).
    func fastConfig() throws -> DetectorConfig {
        var config = try S.smokeConfig(classes: 3)
        config.rpn.train.preNMSTopK = 300
        config.rpn.train.postNMSTopK = 100
        return config
    }

    /// A model initialised from `random`, its context, and a batch drawn from `random` next.
    func freshModel(_ config: DetectorConfig, random: inout SeededRandom) throws
        -> (model: MaskRCNN, store: ParameterStore, context: ModuleContext, images: Tensor, targets: [TrainingImageTargets]) {
        let (model, store) = MaskRCNN.make(config: config, random: &random)
        let context = ModuleContext(store: store, compute: try S.compute())
        let (images, targets) = batch(random: &random)
        return (model, store, context, images, targets)
    }

    /// One training pass of a fresh model (initialised from `modelSeed`, which also draws
    /// the batch) on `batch`; the store holds that pass's gradients.
    func trainingPass(_ config: DetectorConfig, frozen: [ModelPart] = [], modelSeed: UInt64, samplingSeed: UInt64) throws
        -> (losses: TrainingLosses, store: ParameterStore) {
        var random = SeededRandom(seed: modelSeed)
        let (model, store, context, images, targets) = try freshModel(config, random: &random)
        model.setFrozen(frozen, store: store)
        store.zeroGradients()
        var sampling = SeededRandom(seed: samplingSeed)
        let losses = model.trainingStep(images, targets: targets, settings: TrainingSettings(config: config), context: context,
                                        random: &sampling)
        return (losses, store)
    }

    func testLossesAtInitialisationHaveTheirExpectedValues() throws {
        let (losses, store) = try trainingPass(try S.smokeConfig(classes: 3), modelSeed: 1, samplingSeed: 5)
        // Objectness logits start near 0 (N(0, 0.01) weights, zero bias): BCE = log 2.
        XCTAssertEqual(losses.rpnObjectness, log(2), accuracy: 0.02)
        // Classifier logits near 0 over C + 1 = 4 classes: CE = log 4.
        XCTAssertEqual(losses.boxClassification, log(4), accuracy: 0.02)
        XCTAssertGreaterThan(losses.rpnBox, 0)
        XCTAssertGreaterThan(losses.boxRegression, 0)
        XCTAssertGreaterThan(try XCTUnwrap(losses.mask), 0.3)
        XCTAssertTrue(losses.total.isFinite)
        for name in ["backbone.stem.conv.weight", "fpn.lateral.3.weight", "rpn.objectness.weight", "roi_heads.box_head.fc1.weight",
                     "roi_heads.box_predictor.bbox_pred.weight", "roi_heads.mask_predictor.weight"] {
            XCTAssertGreaterThan(store.gradient(store[name]!).maxAbs(), 0, name)
        }
    }

    /// The heads' gradients of the total loss (through RoIAlign, the losses and the target
    /// bookkeeping) against finite differences. Parameters before the proposals are not
    /// probed: moving them moves the (detached) proposals, which the loss's gradient
    /// deliberately ignores; those modules are checked against autograd in ModelParityTests.
    func testTotalLossGradientMatchesFiniteDifferences() throws {
        var config = try fastConfig()
        config.rpn.sampler.samplesPerImage = 64
        config.roiHeads.sampler.samplesPerImage = 32
        var random = SeededRandom(seed: 2)
        let (model, store) = MaskRCNN.make(config: config, random: &random)
        for parameter in store.parameters where parameter.name.hasPrefix("roi_heads.") || parameter.name.hasPrefix("rpn.") {
            store.value(parameter).fillNormal(std: 0.05, random: &random)
        }
        let context = ModuleContext(store: store, compute: try S.compute())
        let (twoImages, twoTargets) = batch(random: &random)
        let images = twoImages.slice(batch: 0), targets = [twoTargets[0]]
        let settings = TrainingSettings(config: config)
        let scratch = ActivationBuffers()
        // Only head parameters are probed: freezing the parts before the proposals skips their
        // backward (it changes neither the losses nor the heads' gradients) and halves each evaluation.
        for prefix in ["backbone.", "fpn.", "rpn."] { XCTAssertGreaterThan(store.setFrozen(prefix: prefix, true), 0, prefix) }
        // The analytic gradients: one training step from zeroed gradients.
        store.zeroGradients()
        var sampling = SeededRandom(seed: 11)
        _ = model.trainingStep(images, targets: targets, settings: settings, context: context, random: &sampling)
        // (box_head.fc1.weight, ~0.006, is below what the float32 loss parts resolve over any useful
        // step; testBoxHeadAndPredictor checks it.)
        let probes = S.parameterProbes(["roi_heads.box_predictor.cls_score.weight", "roi_heads.box_predictor.bbox_pred.weight",
                                        "roi_heads.mask_head.conv1.weight"], store: store)
            .map { GradientProbe(name: $0.name, value: $0.value, analytic: $0.gradient.toArray().map(Double.init)) }
        // The loss at perturbed weights, with the same sampling every time (on scratch buffers).
        assertGradients("total loss", probes: probes, options: GradientCheckOptions(entries: 1)) {
            var sampling = SeededRandom(seed: 11)
            let losses = model.trainingStep(images, targets: targets, settings: settings,
                                            context: ModuleContext(store: store, compute: context.compute, buffers: scratch),
                                            random: &sampling)
            // The parts summed in Double; each part is one float, whose rounding is a staircase in the weights.
            let parts = [losses.rpnObjectness, losses.rpnBox, losses.boxClassification, losses.boxRegression, losses.mask ?? 0]
            return LossValue(parts.reduce(0.0) { $0 + Double($1) }, rounding: parts.reduce(0.0) { $0 + Double($1.ulp) / 2 })
        }
    }

    /// Training steps allocate activation memory in the first step only: every buffer belongs
    /// to a slot that lives as long as the model (a pooler or gradient slot made per call would
    /// add a buffer every step), and a `detect` between steps shares the poolers' buffers.
    func testTrainingStepsAllocateTheirBuffersInTheFirstStepOnly() throws {
        let config = try fastConfig()
        var random = SeededRandom(seed: 3)
        let (model, store, context, images, targets) = try freshModel(config, random: &random)
        let settings = TrainingSettings(config: config)
        var counts: [Int] = [], capacities: [Int] = []
        for _ in 0..<3 {
            store.zeroGradients()
            // The same sampling every step: the same shapes, so no buffer has to grow.
            var sampling = SeededRandom(seed: 4)
            _ = model.trainingStep(images, targets: targets, settings: settings, context: context, random: &sampling)
            counts.append(context.buffers.bufferCount)
            capacities.append(context.buffers.capacity)
        }
        print("ModelTrainingTests: after each training step: \(counts) buffers, \(capacities) floats")
        XCTAssertEqual(Set(counts).count, 1, "\(counts)")
        XCTAssertEqual(Set(capacities).count, 1, "\(capacities)")
        let labels = context.buffers.report.map(\.label)
        XCTAssertEqual(Set(labels).count, labels.count, "every buffer has a label of its own")
        XCTAssert(labels.contains("roi_heads.box_pooler.out") && labels.contains("train.dBoxLogits"), "\(labels)")
        // Inference adds only its own buffers (none per call); the poolers' are the training step's.
        let info = targets.map { InputImageInfo(inputSize: $0.inputSize, originalSize: $0.inputSize) }
        _ = model.detect(images, info: info, settings: InferenceSettings(config: config), context: context)
        let afterDetect = context.buffers.bufferCount
        _ = model.detect(images, info: info, settings: InferenceSettings(config: config), context: context)
        var sampling = SeededRandom(seed: 4)
        _ = model.trainingStep(images, targets: targets, settings: settings, context: context, random: &sampling)
        XCTAssertEqual(context.buffers.bufferCount, afterDetect)
    }

    func testSGDStepsOnOneBatchReduceTheLoss() throws {
        let config = try fastConfig()
        var random = SeededRandom(seed: 3)
        let (model, store, context, images, targets) = try freshModel(config, random: &random)
        let settings = TrainingSettings(config: config)
        let options = SGDOptions(momentum: 0.9, weightDecay: 1e-4)
        let ranges = mergedTrainableRanges(store.trainable.map { $0.offset..<($0.offset + $0.count) })
        var sampling = SeededRandom(seed: 4)
        var totals: [Float] = []
        for _ in 0..<12 {
            store.zeroGradients()
            totals.append(model.trainingStep(images, targets: targets, settings: settings, context: context, random: &sampling).total)
            for range in ranges {
                sgdStep(values: store.values.buffer, gradients: UnsafeBufferPointer(store.gradients.buffer),
                        momentum: store.momentum.buffer, range: range, learningRate: 0.02, options: options)
            }
        }
        XCTAssertTrue(totals.allSatisfy(\.isFinite), "\(totals)")
        XCTAssertLessThan(totals.suffix(3).reduce(0, +) / 3, 0.7 * totals[0], "losses: \(totals)")
    }

    func testAnImageWithoutBoxesOnlyGivesNegatives() throws {
        let config = try fastConfig()
        var random = SeededRandom(seed: 12)
        let (model, store, context, images, targets) = try freshModel(config, random: &random)
        let empty = TrainingImageTargets(inputSize: targets[0].inputSize, boxes: [], classes: [], polygons: [])
        store.zeroGradients()
        var sampling = SeededRandom(seed: 13)
        let losses = model.trainingStep(images.slice(batch: 0), targets: [empty], settings: TrainingSettings(config: config),
                                        context: context, random: &sampling)
        XCTAssertEqual(losses.rpnBox, 0)
        XCTAssertEqual(losses.boxRegression, 0)
        XCTAssertEqual(losses.mask, 0)
        XCTAssertGreaterThan(losses.rpnObjectness, 0)
        XCTAssertGreaterThan(losses.boxClassification, 0)
        XCTAssertEqual(store.gradient(store["roi_heads.mask_predictor.weight"]!).maxAbs(), 0)
    }

    func testStageTwoLeavesFrozenPartsWithoutGradient() throws {
        let (_, store) = try trainingPass(try PresetFiles.load("smoke-loce").resolved(numClasses: 3), frozen: PresetFiles.stageTwoFrozen,
                                          modelSeed: 6, samplingSeed: 7)
        for parameter in store.parameters {
            let norm = store.gradient(parameter).maxAbs()
            if store.isFrozen(parameter) {
                XCTAssertEqual(norm, 0, parameter.name)
            }
        }
        XCTAssertGreaterThan(store.gradient(store["rpn.conv.weight"]!).maxAbs(), 0)
        XCTAssertGreaterThan(store.gradient(store["roi_heads.box_predictor.cls_score.weight"]!).maxAbs(), 0)
        XCTAssertGreaterThan(store.gradient(store["roi_heads.mask_head.conv1.weight"]!).maxAbs(), 0)
    }

    /// Over frozen levels, the mask head's loss reaches only the mask head: freezing it too
    /// skips the branch (no loss) and leaves every other gradient, bit for bit, as it was.
    func testAFrozenMaskHeadOverFrozenLevelsIsSkippedWithoutChangingOtherGradients() throws {
        let config = try PresetFiles.load("smoke-loce").resolved(numClasses: 3)
        var frozen = PresetFiles.stageTwoFrozen
        var gradients: [[String: [Float]]] = [], maskLosses: [Float?] = []
        for freezeMaskHead in [false, true] {
            if freezeMaskHead { frozen.append(.maskHead) }
            let (losses, store) = try trainingPass(config, frozen: frozen, modelSeed: 6, samplingSeed: 7)
            maskLosses.append(losses.mask)
            gradients.append(Dictionary(uniqueKeysWithValues: store.parameters.map { ($0.name, store.gradient($0).toArray()) }))
            XCTAssertEqual(losses.total, losses.rpnObjectness + losses.rpnBox + losses.boxClassification + losses.boxRegression
                           + (losses.mask ?? 0))
        }
        XCTAssertGreaterThan(try XCTUnwrap(maskLosses[0]), 0)
        XCTAssertNil(maskLosses[1])
        for (name, trained) in gradients[0] {
            let skipped = try XCTUnwrap(gradients[1][name])
            if name.hasPrefix(ModelPart.maskHead.parameterPrefix) {
                XCTAssertTrue(skipped.allSatisfy { $0 == 0 }, name)
            } else {
                XCTAssertEqual(trained.map(\.bitPattern), skipped.map(\.bitPattern), name)
            }
        }
        XCTAssertGreaterThan(gradients[0]["roi_heads.mask_head.conv1.weight"]!.map(abs).max()!, 0)
        XCTAssertGreaterThan(gradients[1]["roi_heads.box_predictor.cls_score.weight"]!.map(abs).max()!, 0)
    }

    /// The RPN loss's gather/scatter between [N, A, H, W] maps and the anchor order, checked
    /// against the loss recomputed from `anchorTargets` with the same sampling seed.
    func testRPNLossGradientsLandOnTheSampledAnchors() throws {
        let config = try fastConfig()
        var random = SeededRandom(seed: 8)
        let (model, store) = MaskRCNN.make(config: config, random: &random)
        for parameter in store.parameters where parameter.name.hasPrefix("rpn.") { store.value(parameter).fillNormal(std: 0.2, random: &random) }
        let context = ModuleContext(store: store, compute: try S.compute())
        let (images, targets) = batch(random: &random)
        let settings = TrainingSettings(config: config)
        let (features, _) = model.backbone.forward(images, context: context)
        let (levels, _) = model.fpn.forward(features, context: context)
        let (rpn, _) = model.rpnHead.forward(levels, context: context)
        let dObjectness = rpn.objectness.map { Tensor.zeros(like: $0) }, dDeltas = rpn.deltas.map { Tensor.zeros(like: $0) }
        var losses = TrainingLosses()
        var sampling = SeededRandom(seed: 9)
        model.rpnLosses(rpn, targets: targets, settings: settings, dObjectness: dObjectness, dDeltas: dDeltas, losses: &losses, random: &sampling)

        var replay = SeededRandom(seed: 9)
        var expectedLoss = 0.0, sampledTotal = 0
        var perImage: [(logits: [Float], deltas: [BoxDelta], dLogits: [Float], dDeltas: [BoxDelta], sampled: AnchorTargets)] = []
        for (image, target) in targets.enumerated() {
            var anchors: [Box] = [], valid: [Bool] = [], logits: [Float] = [], deltas: [BoxDelta] = []
            var dLogits: [Float] = [], dBoxes: [BoxDelta] = []
            for level in rpn.objectness.indices {
                let o = rpn.objectness[level]
                anchors += settings.anchors.gridAnchors(level: level, featureHeight: o.h, featureWidth: o.w)
                valid += settings.anchors.validFlags(level: level, featureHeight: o.h, featureWidth: o.w, validSize: target.inputSize)
                let flat = RPNHead.flatten(objectness: o, deltas: rpn.deltas[level], image: image)
                logits += flat.scores; deltas += flat.deltas
                let dFlat = RPNHead.flatten(objectness: dObjectness[level], deltas: dDeltas[level], image: image)
                dLogits += dFlat.scores; dBoxes += dFlat.deltas
            }
            let sampled = anchorTargets(anchors: anchors, insideFlags: valid, groundTruth: target.boxes, matcher: settings.rpnMatcher,
                                        sampler: settings.rpnSampler, coder: settings.rpnCoder, random: &replay)
            sampledTotal += sampled.positives.count + sampled.negatives.count
            perImage.append((logits, deltas, dLogits, dBoxes, sampled))
        }
        let n = Float(sampledTotal)
        for item in perImage {
            let positives = Set(item.sampled.positives), negatives = Set(item.sampled.negatives)
            XCTAssertGreaterThan(positives.count, 0)
            for j in item.logits.indices {
                let x = item.logits[j], p = 1 / (1 + exp(-x))
                if positives.contains(j) || negatives.contains(j) {
                    let label: Float = positives.contains(j) ? 1 : 0
                    expectedLoss += Double(max(x, 0) - x * label + log1p(exp(-abs(x))))
                    XCTAssertEqual(item.dLogits[j], (p - label) / n, accuracy: 1e-6, "anchor \(j)")
                } else {
                    XCTAssertEqual(item.dLogits[j], 0, "anchor \(j) was not sampled")
                }
            }
            for (j, target) in zip(item.sampled.positives, item.sampled.positiveTargets) {
                let d = item.deltas[j], g = item.dDeltas[j]
                for (prediction, goal, gradient) in [(d.dx, target.dx, g.dx), (d.dy, target.dy, g.dy), (d.dw, target.dw, g.dw), (d.dh, target.dh, g.dh)] {
                    XCTAssertEqual(gradient, (prediction > goal ? 1 : -1) / n, accuracy: 1e-6)
                }
            }
            XCTAssertEqual(item.dDeltas.enumerated().filter { !positives.contains($0.offset) && $0.element != .zero }.count, 0)
        }
        XCTAssertEqual(Double(losses.rpnObjectness), expectedLoss / Double(n), accuracy: 1e-5)
    }
}
