// The stage-2 config (`FinetuneConfig`): the -loce presets decode strictly as the detector's
// config plus "loce", round-trip in the same JSON shape, follow the paper, check the loce
// section's ranges and rules and size the feature memory with the detector; stage 1 refuses
// them, stage 2 refuses stage-1 files; a checkpoint's stored stage-2 config reads back.
import XCTest
import Foundation
@testable import SharedDetection
@testable import SharedLongTail
import SharedSupport

final class FinetuneConfigTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pipelines/configs")
    static func path(_ name: String) -> String { directory.appendingPathComponent("\(name).json").path }
    static func load(_ name: String) throws -> FinetuneConfig { try FinetuneConfig.load(path: path(name)) }

    func message(_ body: () throws -> Any) -> String? {
        do { _ = try body(); return nil } catch let error as ToolError { return error.message } catch { return "\(error)" }
    }

    func testStageTwoPresetsDecodeValidateAndRoundTripInTheSameShape() throws {
        for name in ["smoke-loce", "tiny-loce", "r50-fpn-loce"] {
            let config = try Self.load(name)
            XCTAssertEqual(config.preset, name)
            XCTAssertEqual(config.validationProblems(), [], name)
            let encoded = try config.encoded()
            XCTAssertEqual(try FinetuneConfig.decode(encoded, file: name), config, name)
            // The same document: the detector's keys and "loce" side by side.
            let tree = try XCTUnwrap(JSONSerialization.jsonObject(with: encoded) as? [String: Any])
            XCTAssertEqual(Set(tree.keys), DetectorConfig.topLevelKeys.union(["loce"]), name)
            let (detector, sections) = try DetectorConfig.decodeDetectorPart(encoded, file: name)
            XCTAssertEqual(detector, config.detector, name)
            XCTAssertEqual(sections, ["loce"], name)
        }
    }

    func testStageTwoPresetsFollowLOCE() throws {
        for (stage2, stage1) in [("smoke-loce", "smoke"), ("tiny-loce", "tiny"), ("r50-fpn-loce", "r50-fpn")] {
            let c = try Self.load(stage2), base = try DetectorConfig.load(path: Self.path(stage1))
            let loce = c.loce
            XCTAssertEqual(Set(loce.trainable), [.rpnHead, .boxClassifier, .boxRegressor, .maskHead], stage2)
            XCTAssertEqual(Set(loce.frozen), [.backbone, .fpn, .boxSharedFC], stage2)
            XCTAssertEqual(c.frozenParts, loce.frozen)
            XCTAssertEqual(loce.meanScoreDecay, 0.9)
            XCTAssertEqual(loce.initialScore, 0.01)
            XCTAssertEqual(loce.backgroundScore, 0.01)
            XCTAssertEqual(loce.memory.queueCapacity, 80)
            XCTAssertEqual([loce.memory.sampledClasses, loce.memory.samplesPerClass], [8, 4])
            XCTAssertEqual(loce.memory.jitterFraction, 1.0 / 6.0, accuracy: 1e-15)
            XCTAssertEqual(loce.warmupImagesPerCategory, 5)
            XCTAssertEqual(loce.ablation, LOCEAblation(equilibriumLoss: true, memorySampling: true, balancedWarmup: true))
            // The stage-1 checkpoint must load: same architecture.
            XCTAssertEqual(c.detector.architectureDifferences(from: base), [], stage2)
            XCTAssertEqual(c.input.sampler, .uniform)
        }
        func schedule(_ preset: String) throws -> String {
            let s = try Self.load(preset).solver
            return "\(s.unit) \(s.length) decays \(s.decaySteps) warm-up \(s.warmupIterations) base LR \(s.baseLearningRate)"
        }
        XCTAssertEqual(try schedule("r50-fpn-loce"), "epochs 6 decays [3, 5] warm-up 500 base LR 0.02")
        XCTAssertEqual(try schedule("tiny-loce"), "iterations 600 decays [300, 500] warm-up 50 base LR 0.02")
    }

    func testEachStageRefusesTheOthersConfig() throws {
        XCTAssertThrowsError(try FinetuneConfig.loadStageOne(path: Self.path("tiny-loce"))) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.message, "this is a stage-2 config (it has a loce section); use loce-finetune fit")
            XCTAssertEqual(toolError?.exitCode, .usage)
        }
        XCTAssertNoThrow(try FinetuneConfig.loadStageOne(path: Self.path("tiny")))
        // A stage-1 config with a stage-2 loss's classifier activation would train it with softmax CE.
        let sigmoid = Self.path("tiny").replacingOccurrences(of: "tiny.json", with: "test-sigmoid-\(getpid()).json")
        try Data(#"{"base": "tiny.json", "roiHeads": {"boxHead": {"scoreActivation": "sigmoid"}}}"#.utf8).write(to: URL(fileURLWithPath: sigmoid))
        defer { try? FileManager.default.removeItem(atPath: sigmoid) }
        XCTAssertThrowsError(try FinetuneConfig.loadStageOne(path: sigmoid)) { error in
            XCTAssert((error as? ToolError)?.message.contains("scoreActivation sigmoid") == true, "\(error)")
            XCTAssertEqual((error as? ToolError)?.exitCode, .usage)
        }
        XCTAssertThrowsError(try FinetuneConfig.load(path: Self.path("tiny"))) { error in
            XCTAssertEqual((error as? ToolError)?.message, "the config has no loce section (it is a stage-1 config)")
            XCTAssertEqual((error as? ToolError)?.exitCode, .usage)
        }
    }

    func testUnknownKeysAnywhereAreNamed() throws {
        let (data, _) = try ConfigInheritance.resolve(path: Self.path("smoke-loce"))
        var tree = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var loce = try XCTUnwrap(tree["loce"] as? [String: Any])
        var memory = try XCTUnwrap(loce["memory"] as? [String: Any])
        memory["queueCapacty"] = 3
        loce["memory"] = memory
        tree["loce"] = loce
        XCTAssertEqual(message { try FinetuneConfig.decode(try JSONSerialization.data(withJSONObject: tree), file: "x.json") },
                       "unknown key 'loce.memory.queueCapacty'")
        var other = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        other["stage3"] = ["x": 1]
        XCTAssertEqual(message { try FinetuneConfig.decode(try JSONSerialization.data(withJSONObject: other), file: "x.json") },
                       "unknown key 'stage3'")
        other = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var fpn = try XCTUnwrap(other["fpn"] as? [String: Any])
        fpn["chanels"] = 3
        other["fpn"] = fpn
        XCTAssertEqual(message { try FinetuneConfig.decode(try JSONSerialization.data(withJSONObject: other), file: "x.json") },
                       "unknown key 'fpn.chanels'")
    }

    func testEveryLOCERangeIsChecked() throws {
        let base = try Self.load("smoke-loce").resolved(numClasses: 3)
        let cases: [(String, (inout FinetuneConfig) -> Void)] = [
            ("loce.meanScoreDecay", { $0.loce.meanScoreDecay = 0 }),
            ("loce.memory.queueCapacity", { $0.loce.memory.queueCapacity = 0 }),
            ("loce.memory.queueCapacity", { $0.loce.memory.queueCapacity = 100_001 }),
            ("loce.memory.sampledClasses", { $0.loce.memory.sampledClasses = -1 }),
            ("loce.memory.samplesPerClass", { $0.loce.memory.samplesPerClass = 100_001 }),
            ("loce.warmupImagesPerCategory", { $0.loce.warmupImagesPerCategory = 100_001 }),
        ]
        for (path, edit) in cases {
            var config = base
            edit(&config)
            let problems = config.validationProblems()
            XCTAssertEqual(problems.count, 1, "\(path): \(problems)")
            XCTAssertTrue(problems.first?.hasPrefix(path + " must be in ") ?? false, "\(path): \(problems)")
        }
    }

    func testLOCEPartsMustBeListedExactlyOnce() throws {
        var config = try Self.load("smoke-loce")
        config.loce.frozen = [.backbone, .fpn, .rpnHead]
        XCTAssertEqual(config.validationProblems(), [
            "loce: every model part must be listed in trainable or frozen; missing [\"boxSharedFC\"]",
            "loce: parts listed more than once: [\"rpnHead\"]",
        ])
    }

    func testLOCETrainsSomethingAndKeepsWhatFeedsTheMemoryFrozen() throws {
        var config = try Self.load("smoke-loce")
        config.loce.frozen += config.loce.trainable
        config.loce.trainable = []
        XCTAssertEqual(config.validationProblems(), ["loce.trainable is empty: fine-tuning would change nothing"])
        config = try Self.load("smoke-loce")
        config.loce.frozen.removeAll { $0 == .backbone }
        config.loce.trainable.append(.backbone)
        XCTAssertEqual(config.validationProblems(), [
            "loce: memory sampling needs [\"backbone\", \"fpn\", \"boxSharedFC\"] frozen (stored features would go stale); "
                + "trainable has [\"backbone\"]",
        ])
        config.loce.ablation.memorySampling = false
        XCTAssertEqual(config.validationProblems(), [], "without the memory a trained backbone is the user's choice")
    }

    func testTheFeatureMemoryIsSizedWithTheDetector() throws {
        let loce = try Self.load("r50-fpn-loce").resolved(numClasses: 1203)
        XCTAssertEqual(loce.validationProblems(), [])
        let memory = try XCTUnwrap(loce.largestBuffers().first { $0.name == "the LOCE feature memory" })
        XCTAssertEqual(memory.elements, 1203 * 80 * 256 * 7 * 7)
        for name in ["smoke-loce", "tiny-loce"] {
            XCTAssertEqual(try Self.load(name).resolved(numClasses: 1203).validationProblems(), [], name)
        }
        var huge = try Self.load("r50-fpn-loce")
        huge.loce.memory.queueCapacity = 100_000
        XCTAssertEqual(huge.validationProblems().count, 1)
        XCTAssertTrue(huge.validationProblems()[0].hasPrefix("the LOCE feature memory would hold 1509043200000 floats"), "\(huge.validationProblems())")
    }

    func testAStoredStageTwoConfigReadsBackAndResumeComparesTheLOCESection() throws {
        let config = try Self.load("smoke-loce").resolved(numClasses: 3)
        let document = try config.encoded()
        let (detector, sections) = try DetectorConfig.decodeDetectorPart(document, file: "ckpt")
        let header = CheckpointConfig(detector: detector, sections: sections, document: document)
        XCTAssertEqual(try FinetuneConfig.stored(in: header, checkpoint: "ckpt"), config)
        XCTAssertNoThrow(try DetectorConfig.requireSameRun(config, stored: header, checkpoint: "ckpt"))
        var other = config
        other.loce.memory.queueCapacity = 40
        other.solver.checkpointPeriod += 1
        XCTAssertEqual(message { try DetectorConfig.requireSameRun(other, stored: header, checkpoint: "ckpt") },
                       "the checkpoint was written under another config; 1 field differs:\n  loce.memory.queueCapacity: checkpoint 80, config 40")
        let stageOne = CheckpointConfig(detector: detector, sections: [], document: try detector.encoded())
        XCTAssertNil(try FinetuneConfig.stored(in: stageOne, checkpoint: "ckpt"))
        XCTAssertNotNil(message { try DetectorConfig.requireSameRun(config, stored: stageOne, checkpoint: "ckpt") })
    }
}
