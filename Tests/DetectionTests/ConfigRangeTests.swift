// Config values have documented ranges (Config/README.md "Ranges"), checked when a config is
// read from a file or a checkpoint: the issue's hostile values, both ends of every range,
// the buffer and parameter limits, and the real-use configs that must pass.
import XCTest
import Foundation
@testable import SharedDetection
import SharedNN
import SharedSupport

final class ConfigRangeTests: XCTestCase {
    /// The error decoding `text` (named `hostile.json`) gives, or nil when it decodes.
    func decodeError(_ text: String) -> ToolError? {
        do {
            _ = try DetectorConfig.decode(Data(text.utf8), file: "hostile.json")
            return nil
        } catch let error as ToolError {
            return error
        } catch {
            XCTFail("\(error)")
            return nil
        }
    }

    func testTheIssuesValuesAreRefusedNamingKeyValueRangeAndFile() throws {
        let smoke = try PresetFiles.tree("smoke")
        let cases: [([String], Any, String)] = [
            (["fpn", "channels"], 100000, "fpn.channels must be in [1, 2048], got 100000"),
            (["roiHeads", "maskPooler", "outputSize"], 100000, "roiHeads.maskPooler.outputSize must be in [1, 64], got 100000"),
            (["solver", "imagesPerBatch"], 100000, "solver.imagesPerBatch must be in [1, 1024], got 100000"),
            (["test", "maxDetectionsPerImage"], 1e12, "test.maxDetectionsPerImage must be in [1, 100000], got 1000000000000"),
        ]
        func setting(_ tree: [String: Any], _ path: ArraySlice<String>, _ value: Any) -> [String: Any] {
            var copy = tree
            guard let key = path.first else { return copy }
            XCTAssertNotNil(tree[key], "smoke has no key \(key)")
            copy[key] = path.count == 1 ? value : setting(tree[key] as? [String: Any] ?? [:], path.dropFirst(), value)
            return copy
        }
        for (path, value, expected) in cases {
            let hostile = setting(smoke, path[...], value)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: hostile), as: UTF8.self)
            let error = try XCTUnwrap(decodeError(text), "\(path) = \(value)")
            XCTAssertEqual(error.message, expected)
            XCTAssertEqual(error.file, "hostile.json")
            XCTAssertEqual(error.exitCode, .dataError)
            XCTAssertTrue(error.hint?.contains("Config/README.md") ?? false, "\(error)")
        }
    }

    /// One value just outside each end of each range gives exactly one problem, naming its key.
    func testEveryRangeIsCheckedAtBothEnds() throws {
        let base = try PresetFiles.load("smoke-loce").resolved(numClasses: 3)
        XCTAssertEqual(base.validationProblems(), [])
        typealias Edit = (inout DetectorConfig) -> Void
        let cases: [(String, Edit)] = [
            ("backbone.stageBlocks[1]", { $0.backbone.stageBlocks[1] = 0 }),
            ("backbone.stageBlocks[1]", { $0.backbone.stageBlocks[1] = 65 }),
            ("backbone.stemWidth", { $0.backbone.stemWidth = 1032; $0.backbone.groups = 8 }),
            ("backbone.stageWidths[3]", { $0.backbone.stageWidths[3] = 8200 }),
            ("backbone.groups", { $0.backbone.groups = 0 }),
            ("fpn.channels", { $0.fpn.channels = 0 }),
            ("fpn.channels", { $0.fpn.channels = 2049 }),
            ("the length of rpn.anchorScales", { $0.rpn.anchorScales = [] }),
            ("the length of rpn.anchorRatios", { $0.rpn.anchorRatios = [Double](repeating: 1, count: 17) }),
            ("rpn.anchorScales[0]", { $0.rpn.anchorScales[0] = 1e9 }),
            ("rpn.anchorRatios[1]", { $0.rpn.anchorRatios[1] = 0 }),
            ("rpn.sampler.samplesPerImage", { $0.rpn.sampler.samplesPerImage = 65_537 }),
            ("rpn.train.preNMSTopK", { $0.rpn.train.preNMSTopK = 1_000_001 }),
            ("rpn.test.postNMSTopK", { $0.rpn.test.postNMSTopK = 0 }),
            ("rpn.test.minimumSize", { $0.rpn.test.minimumSize = -1 }),
            ("rpn.coder.stds[2]", { $0.rpn.coder.stds[2] = 0 }),
            ("rpn.coder.means[0]", { $0.rpn.coder.means[0] = 1e6 }),
            ("rpn.objectnessLossWeight", { $0.rpn.objectnessLossWeight = 1e9 }),
            ("roiHeads.numClasses", { $0.roiHeads.numClasses = 100_001 }),
            ("roiHeads.sampler.samplesPerImage", { $0.roiHeads.sampler.samplesPerImage = 0 }),
            ("roiHeads.boxPooler.outputSize", { $0.roiHeads.boxPooler.outputSize = 65 }),
            ("roiHeads.boxPooler.samplingRatio", { $0.roiHeads.boxPooler.samplingRatio = -1 }),
            ("roiHeads.canonicalSize", { $0.roiHeads.canonicalSize = 0 }),
            ("roiHeads.boxHead.fcCount", { $0.roiHeads.boxHead.fcCount = 17 }),
            ("roiHeads.boxHead.fcDim", { $0.roiHeads.boxHead.fcDim = 16_385 }),
            ("roiHeads.boxHead.classifierInitStd", { $0.roiHeads.boxHead.classifierInitStd = 11 }),
            ("roiHeads.maskHead.convCount", { $0.roiHeads.maskHead.convCount = 17 }),
            ("roiHeads.maskHead.convDim", { $0.roiHeads.maskHead.convDim = 4097 }),
            ("roiHeads.maskHead.normedScale", { $0.roiHeads.maskHead.normedScale = 0 }),
            ("roiHeads.maskHead.lossWeight", { $0.roiHeads.maskHead.lossWeight = -0.5 }),
            ("input.trainShortSides[0]", { $0.input.trainShortSides[0] = 0 }),
            ("input.testMaxLongSide", { $0.input.testMaxLongSide = 8193 }),
            ("input.padMultiple", { $0.input.padMultiple = 1056 }),
            ("input.pixelStd[1]", { $0.input.pixelStd[1] = 0.0001 }),
            ("input.pixelMean[2]", { $0.input.pixelMean[2] = 5000 }),
            ("input.repeatThreshold", { $0.input.repeatThreshold = 2 }),
            ("solver.imagesPerBatch", { $0.solver.imagesPerBatch = 0 }),
            ("solver.imagesPerBatch", { $0.solver.imagesPerBatch = 1025 }),
            ("solver.baseLearningRate", { $0.solver.baseLearningRate = 1e300 }),
            ("solver.referenceBatchSize", { $0.solver.referenceBatchSize = 0 }),
            ("solver.weightDecay", { $0.solver.weightDecay = 2 }),
            ("solver.warmupIterations", { $0.solver.warmupIterations = -1 }),
            ("solver.checkpointPeriod", { $0.solver.checkpointPeriod = 0 }),
            ("test.maxDetectionsPerImage", { $0.test.maxDetectionsPerImage = 0 }),
            ("test.maxDetectionsPerImage", { $0.test.maxDetectionsPerImage = 100_001 }),
        ]
        for (path, edit) in cases {
            var config = base
            edit(&config)
            let problems = config.validationProblems()
            XCTAssertEqual(problems.count, 1, "\(path): \(problems)")
            XCTAssertTrue(problems.first?.hasPrefix(path + " must be in ") ?? false, "\(path): \(problems)")
        }
    }

    /// NaN (which a checkpoint's JSON cannot carry, but a config built in code can) is in no range.
    func testNaNIsInNoRange() throws {
        var config = try PresetFiles.load("smoke")
        config.solver.momentum = .nan
        config.roiHeads.matcher.positiveIoU = .nan
        XCTAssertEqual(config.validationProblems(), [
            "roiHeads.matcher IoU thresholds must be in [0, 1], got positiveIoU nan, negativeIoU 0.5, minimumPositiveIoU 0.5",
            "solver.momentum must be in [0, 1), got nan",
        ])
    }

    /// The paper's model on LVIS v1 (1203 classes, 1333 px, 16-image batches) passes, and so
    /// does every preset at its class count (the -loce presets' detector parts; with their
    /// memory: LongTailTests/FinetuneConfigTests).
    func testRealUseConfigsPass() throws {
        for name in ["r50-fpn", "r50-fpn-loce"] {
            let config = try PresetFiles.load(name).resolved(numClasses: 1203)
            XCTAssertEqual(config.solver.imagesPerBatch, 16)
            XCTAssertEqual(config.input.trainMaxLongSide, 1333)
            XCTAssertEqual(config.validationProblems(), [], name)
            let parameters = try XCTUnwrap(config.parameterCount)
            XCTAssertGreaterThan(parameters, 40_000_000, name)
            XCTAssertLessThan(parameters, ConfigLimits.maxParameters, name)
        }
        for name in ["smoke", "tiny", "coco128", "smoke-loce", "tiny-loce"] {
            XCTAssertEqual(try PresetFiles.load(name).resolved(numClasses: 1203).validationProblems(), [], name)
        }
    }

    func testBuffersAndModelsPastTheLimitsAreRefused() throws {
        let r50 = try PresetFiles.load("r50-fpn")
        var batch = r50
        batch.solver.imagesPerBatch = 1024
        let batchProblems = batch.validationProblems()
        XCTAssertTrue(batchProblems.contains { $0.hasPrefix("the widest feature map of a training batch would hold ") }, "\(batchProblems)")
        XCTAssertTrue(batchProblems.allSatisfy { $0.contains("solver.imagesPerBatch") && $0.contains("one buffer may hold") },
                      "\(batchProblems)")

        var linear = r50
        linear.roiHeads.numClasses = 100_000
        linear.roiHeads.maskHead.classifier = .linear
        let linearProblems = linear.validationProblems()
        XCTAssertTrue(linearProblems.contains { $0.hasPrefix("the mask logits of a training batch would hold ") }, "\(linearProblems)")
        XCTAssertTrue(linearProblems.contains { $0.hasPrefix("the model would have ") && $0.contains("(2^28) allowed") }, "\(linearProblems)")

        var wide = try PresetFiles.load("smoke").resolved(numClasses: 3)
        wide.fpn.channels = 2048
        wide.roiHeads.boxHead.fcDim = 16_384
        let wideProblems = wide.validationProblems()
        XCTAssertTrue(wideProblems.contains { $0.hasPrefix("the model would have ") }, "\(wideProblems)")
        // The size checks wait for the fields: an out-of-range value is reported alone.
        wide.fpn.channels = 100_000
        XCTAssertEqual(wide.validationProblems(), ["fpn.channels must be in [1, 2048], got 100000"])
    }

    func testClassCountsOutsideTheRangeAreRefusedAtResolution() throws {
        let smoke = try PresetFiles.load("smoke")
        XCTAssertThrowsError(try smoke.resolved(numClasses: 0)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.message, "the data has 0 categories; a model needs [1, 100000] (roiHeads.numClasses)")
            XCTAssertEqual(toolError?.hint, "convert annotations whose \"categories\" list is not empty")
        }
        XCTAssertThrowsError(try smoke.resolved(numClasses: 100_001))
        var linear = try PresetFiles.load("r50-fpn")
        linear.roiHeads.numClasses = nil
        linear.roiHeads.maskHead.classifier = .linear
        XCTAssertNoThrow(try linear.validate(), "sizes that depend on the class count wait for it")
        XCTAssertThrowsError(try linear.resolved(numClasses: 90_000)) { error in
            XCTAssertTrue((error as? ToolError)?.message.contains("the mask logits of a training batch would hold") ?? false, "\(error)")
        }
    }

    /// The config travels in a checkpoint's metadata, which the data CRC does not cover: it
    /// is validated there too, naming the checkpoint; the weights are checked against it
    /// before anything is allocated.
    func testACheckpointsStoredConfigIsValidatedAndItsWeightsChecked() throws {
        var config = try PresetFiles.load("smoke").resolved(numClasses: 3)
        config.fpn.channels = 100_000
        let text = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        let file = SafetensorsFile(metadata: ["format": TrainingCheckpoint.format, "config": text])
        XCTAssertThrowsError(try DetectorCheckpoint.header(of: file, path: "ckpt.safetensors")) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.file, "ckpt.safetensors")
            XCTAssertEqual(toolError?.exitCode, .dataError)
            XCTAssertEqual(toolError?.message, "its stored config does not load: fpn.channels must be in [1, 2048], got 100000")
        }

        let valid = try PresetFiles.load("smoke").resolved(numClasses: 3)
        var random = SeededRandom(seed: 1)
        let (_, store) = MaskRCNN.make(config: valid, random: &random)
        let complete = TrainingCheckpoint.file(store: store, state: TrainingState(step: 0, random: random, configJSON: "{}"))
        XCTAssertNoThrow(try DetectorCheckpoint.requireWeights(in: complete, for: valid, path: "ckpt.safetensors"))
        var partial = SafetensorsFile(metadata: complete.metadata)
        for (name, tensor) in complete.tensors where name != "fpn.lateral.3.weight" { partial.set(name, tensor) }
        XCTAssertThrowsError(try DetectorCheckpoint.requireWeights(in: partial, for: valid, path: "ckpt.safetensors")) { error in
            XCTAssertTrue((error as? ToolError)?.message.contains("are missing: fpn.lateral.3.weight") ?? false, "\(error)")
        }
        var reshaped = complete
        reshaped.set("fpn.lateral.3.bias", SafetensorsTensor(float32: [1, 2], shape: [2]))
        XCTAssertThrowsError(try DetectorCheckpoint.requireWeights(in: reshaped, for: valid, path: "ckpt.safetensors")) { error in
            XCTAssertEqual((error as? ToolError)?.message, "tensor fpn.lateral.3.bias has shape [2], its config's model needs [32]")
        }
    }
}
