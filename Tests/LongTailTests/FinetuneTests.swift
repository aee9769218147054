// The stage-2 fit loop on tiny shards: frozen parts bit-identical, trainable parts moved,
// mean scores and memory in the checkpoint, the checkpoint read by detect-train's predictor,
// exact resume, the ablation switches, and `--profile`'s phases in the log.
import XCTest
import Foundation
@testable import SharedLongTail
@testable import SharedDetection
import SharedData
import SharedNN
import SharedSupport
@_spi(Kernels) import SharedTensor

final class FinetuneTests: XCTestCase {
    func testFrozenPartsStayBitIdenticalAndTheCheckpointCarriesTheLOCEState() throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("frozen", baselineIterations: 2)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try FinetuneFixture.stageTwo("smoke-loce")
        let out = folder + "/loce"
        let summary = try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: out, stopAfter: 2)))
        XCTAssertEqual(summary.endIteration, 2)
        XCTAssertEqual(summary.warmupImages, 15)  // 3 categories x 5
        XCTAssert(summary.records.allSatisfy { $0.base.losses.total.isFinite })
        XCTAssert(summary.records.allSatisfy { $0.memorySamples > 0 && $0.memorySamples <= 32 })

        let before = try SafetensorsFile.read(from: base)
        let after = try SafetensorsFile.read(from: out + "/" + DetectorCheckpoint.fileName)
        let frozenPrefixes = ["backbone.", "fpn.", "roi_heads.box_head."]
        var frozenCount = 0, movedTrainable = Set<String>()
        for name in before.names where !name.hasPrefix("state.") && !name.hasPrefix(TrainingCheckpoint.momentumPrefix) {
            let old = before[name]!.floatValues(), new = try XCTUnwrap(after[name], name).floatValues()
            if frozenPrefixes.contains(where: name.hasPrefix) {
                frozenCount += 1
                XCTAssertEqual(old.map(\.bitPattern), new.map(\.bitPattern), "frozen \(name) changed")
            } else if old != new {
                movedTrainable.insert(name)
            }
        }
        XCTAssertGreaterThan(frozenCount, 10)
        for part in ["rpn.", "roi_heads.box_predictor.cls_score.", "roi_heads.box_predictor.bbox_pred.", "roi_heads.mask_"] {
            XCTAssert(movedTrainable.contains { $0.hasPrefix(part) }, "no \(part) parameter was trained")
        }
        // The LOCE state: s warmed up away from 0.01 (background stays), every queue filled by the warm-up.
        let scores = try MeanScores(from: after)
        XCTAssert(scores.scores[0..<3].allSatisfy { $0 != 0.01 }, "\(scores.scores)")
        XCTAssertEqual(scores.scores[3], 0.01)
        let memory = try FeatureMemory(from: after)
        XCTAssertEqual(memory.counts, [80, 80, 80])
        XCTAssertEqual(memory.featureSize, config.fpn.channels * 49)

        // The log carries the group mean scores.
        let lines = try String(contentsOfFile: out + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        for key in ["mean_score_rare", "mean_score_common", "mean_score_frequent", "memory_samples", "loss_cls"] {
            XCTAssertNotNil(first[key], key)
        }

        // detect-train predict's code path reads it unchanged.
        let dataset = try ShardDataset(directory: shards)
        let predictor = try DetectorPredictor(checkpoint: out + "/" + DetectorCheckpoint.fileName, dataCategoryIDs: FinetuneFixture.categoryIDs,
                                              dataDirectory: shards, compute: try Compute.load(threads: 1))
        final class Collected { var bytes: [UInt8] = [] }
        let collected = Collected()
        let stream = try ResultsStream { collected.bytes += $0 }
        try predictor.predict(EvaluationBatches(dataset: dataset, batchSize: 2, settings: LoaderSettings(config: predictor.config.input)),
                              to: stream, progress: nil)
        try stream.close()
        let results = try JSONSerialization.jsonObject(with: Data(collected.bytes)) as? [[String: Any]]
        XCTAssertNotNil(results)
    }

    func testResumeContinuesExactly() throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("resume")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = try FinetuneFixture.stageTwo("smoke-loce")
        config.loce.warmupImagesPerCategory = 1
        let straight = try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/a", stopAfter: 3)))
        try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/b", stopAfter: 2)))
        let resumed = try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/b", resume: true, stopAfter: 3)))
        XCTAssertEqual(resumed.startIteration, 2)
        XCTAssertEqual(resumed.records.map(\.base.losses), Array(straight.records.suffix(1)).map(\.base.losses))
        let a = try SafetensorsFile.read(from: folder + "/a/" + DetectorCheckpoint.fileName)
        let b = try SafetensorsFile.read(from: folder + "/b/" + DetectorCheckpoint.fileName)
        XCTAssertEqual(Set(a.names), Set(b.names))
        for name in a.names where a[name]!.dtype == .float32 {
            XCTAssertEqual(a[name]!.floatValues(), b[name]!.floatValues(), name)
        }
    }

    /// Stage 2 (warm-up pass, memory, mean scores, EBL) gives the same weights at any thread
    /// count, as stage 1 does (`TrainerTests.testTheThreadCountDoesNotChangeTheWeights`).
    func testTheThreadCountDoesNotChangeTheWeights() throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("threads")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = try FinetuneFixture.stageTwo("smoke-loce")
        config.loce.warmupImagesPerCategory = 1
        var checkpoints: [SafetensorsFile] = []
        for threads in [1, 3] {
            let out = folder + "/threads\(threads)"
            try FinetuneFixture.finetuner(config, shards: shards, threads: threads)
                .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: out, stopAfter: 2)))
            checkpoints.append(try SafetensorsFile.read(from: out + "/" + DetectorCheckpoint.fileName))
        }
        XCTAssertEqual(Set(checkpoints[0].names), Set(checkpoints[1].names))
        for name in checkpoints[0].names where checkpoints[0][name]!.dtype == .float32 {
            XCTAssertEqual(checkpoints[0][name]!.floatValues().map(\.bitPattern), checkpoints[1][name]!.floatValues().map(\.bitPattern),
                           "\(name): 1 and 3 threads differ")
        }
    }

    /// `--profile` adds every phase to the log lines (next to LOCE's own numbers) and changes no number.
    func testProfilingLogsThePhasesAndChangesNoNumber() throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("profile")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = try FinetuneFixture.stageTwo("smoke-loce")
        config.loce.warmupImagesPerCategory = 1
        let plain = try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/a", stopAfter: 2)))
        let profiled = try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/b", stopAfter: 2, profile: true)))
        XCTAssertEqual(plain.records.map(\.base.losses), profiled.records.map(\.base.losses))
        XCTAssertEqual(FileManager.default.contents(atPath: folder + "/a/" + DetectorCheckpoint.fileName),
                       FileManager.default.contents(atPath: folder + "/b/" + DetectorCheckpoint.fileName))
        XCTAssertTrue(plain.records.allSatisfy { $0.base.phases == nil })
        for record in profiled.records {
            XCTAssertEqual(record.base.phases?.map(\.name),
                           [TrainingPhase.data, TrainingPhase.backboneForward, TrainingPhase.rpn, TrainingPhase.proposals,
                            TrainingPhase.boxHead, TrainingPhase.maskHead, TrainingPhase.backward, TrainingPhase.optimizer])
        }
        let line = try XCTUnwrap(try String(contentsOfFile: folder + "/b/log.jsonl", encoding: .utf8).split(separator: "\n").last)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual((object["phases_ms"] as? [String: Double])?.count, 8)
        XCTAssertNotNil(object["memory_samples"] as? Int)
        XCTAssertNotNil(object["mean_score_frequent"] as? Double)
    }

    /// A stop request after iteration 2 saves it (memory and mean scores included) and ends the
    /// run with 128 + signal; --resume finishes it as if it had never stopped. One during the
    /// warm-up pass ends the run with nothing saved.
    func testAStopRequestSavesTheLastIterationAndOneInTheWarmupSavesNothing() throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("stop")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = try FinetuneFixture.stageTwo("smoke-loce")
        config.loce.warmupImagesPerCategory = 1
        XCTAssertGreaterThan(config.solver.checkpointPeriod, 3)
        _ = try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/a", stopAfter: 3)))
        let log = folder + "/b/log.jsonl"
        let afterTwo: @Sendable () -> Int32? = {
            ((try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").count ?? 0) >= 2 ? 2 : nil
        }
        XCTAssertThrowsError(try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/b", stopAfter: 3,
                                                                       stopRequested: afterTwo)))) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .interrupted)
            XCTAssertEqual((error as? ToolError)?.message.contains("SIGINT after iteration 2"), true, "\(error)")
        }
        let resumed = try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/b", resume: true, stopAfter: 3)))
        XCTAssertEqual(resumed.startIteration, 2)
        XCTAssertEqual(FileManager.default.contents(atPath: folder + "/a/" + DetectorCheckpoint.fileName),
                       FileManager.default.contents(atPath: folder + "/b/" + DetectorCheckpoint.fileName))

        XCTAssertThrowsError(try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/c", stopAfter: 3,
                                                                       stopRequested: { 15 })))) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .terminated)
            XCTAssertEqual((error as? ToolError)?.message.contains("during the warm-up pass"), true, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/c/" + DetectorCheckpoint.fileName))
    }

    func testAblationSwitchesDropTheMemoryAndTheScoreAdjustment() throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("ablation")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = try FinetuneFixture.stageTwo("smoke-loce")
        config.loce.ablation.memorySampling = false
        config.loce.ablation.equilibriumLoss = false
        config.loce.ablation.balancedWarmup = false
        let summary = try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/ce", stopAfter: 1)))
        XCTAssertEqual(summary.warmupImages, 0)
        XCTAssertEqual(summary.records.map(\.memorySamples), [0])
        let file = try SafetensorsFile.read(from: folder + "/ce/" + DetectorCheckpoint.fileName)
        XCTAssertNil(file[LongTailCheckpointName.memoryFeatures])
        XCTAssertNotNil(file[LongTailCheckpointName.meanScores])
    }

    func testAnotherArchitectureOrAnotherAblationOnResumeIsRefused() throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("refuse")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = try FinetuneFixture.stageTwo("smoke-loce")
        config.loce.ablation.balancedWarmup = false
        // A stage-2 config whose box head differs from the baseline's.
        var wider = config
        wider.roiHeads.boxHead.fcDim *= 2
        XCTAssertThrowsError(try FinetuneFixture.finetuner(wider, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/wide", stopAfter: 1)))) { error in
            XCTAssert("\(error)".contains("fcDim"), "\(error)")
        }
        // Resuming with EBL switched off (a different run) names the field.
        try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/run", stopAfter: 1)))
        var plain = config
        plain.loce.ablation.equilibriumLoss = false
        XCTAssertThrowsError(try FinetuneFixture.finetuner(plain, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/run", resume: true, stopAfter: 2)))) { error in
            XCTAssert("\(error)".contains("equilibriumLoss"), "\(error)")
        }
    }

    /// Wrong files are refused with the file named and, where nothing was written yet, no
    /// output folder left behind; so is a feature memory larger than the machine.
    func testWrongCheckpointsOtherDataAndAnImpossibleMemoryAreRefused() throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("wrong")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = try FinetuneFixture.stageTwo("smoke-loce")
        config.loce.ablation.balancedWarmup = false
        func fit(_ config: FinetuneConfig, from: String = base, out: String, resume: Bool = false, shards: String = shards) throws {
            try FinetuneFixture.finetuner(config, shards: shards)
                .fit(FinetuneOptions(baseCheckpoint: from, fit: FitOptions(outputDirectory: folder + "/" + out, resume: resume, stopAfter: 1)))
        }
        func refusal(_ body: () throws -> Void) -> ToolError? {
            do { try body() } catch let error as ToolError { return error } catch { XCTFail("\(error)") }
            XCTFail("not refused")
            return nil
        }
        var huge = config
        huge.loce.memory.queueCapacity = 1_000_000_000_000
        XCTAssertEqual(refusal { try fit(huge, out: "huge") }?.message.contains("more than this machine's"), true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/huge"))

        try fit(config, out: "run")
        let stageTwo = folder + "/run/" + DetectorCheckpoint.fileName
        let fromStageTwo = refusal { try fit(config, from: stageTwo, out: "again") }
        XCTAssertEqual(fromStageTwo?.file, stageTwo)
        XCTAssertEqual(fromStageTwo?.message.contains("fine-tuned (stage-2) checkpoint"), true, "\(String(describing: fromStageTwo))")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/again"))

        try FileManager.default.createDirectory(atPath: folder + "/s1", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: base, toPath: folder + "/s1/" + DetectorCheckpoint.fileName)
        XCTAssertEqual(refusal { try fit(config, out: "s1", resume: true) }?.message.contains("stage-1 checkpoint"), true)

        let saved = try SafetensorsFile.read(from: stageTwo)
        var damaged = SafetensorsFile(metadata: saved.metadata)
        for name in saved.names where name != LongTailCheckpointName.meanScores { damaged.set(name, saved[name]!) }
        try FileManager.default.createDirectory(atPath: folder + "/damaged", withIntermediateDirectories: true)
        try damaged.write(to: folder + "/damaged/" + DetectorCheckpoint.fileName)
        XCTAssertEqual(refusal { try fit(config, out: "damaged", resume: true) }?.file, folder + "/damaged/" + DetectorCheckpoint.fileName)

        var poisoned = try SafetensorsFile.read(from: base)
        let name = "roi_heads.box_predictor.cls_score.weight"
        var values = poisoned[name]!.floatValues()
        values[0] = .nan
        poisoned.set(name, SafetensorsTensor(float32: values, shape: poisoned[name]!.shape))
        try poisoned.write(to: folder + "/nan.safetensors")
        XCTAssertEqual(refusal { try fit(config, from: folder + "/nan.safetensors", out: "nan") }?.message.contains("not finite"), true)

        // The same categories, other shards (here: the manifest's split changed): resume refuses.
        let other = folder + "/other"
        try FileManager.default.copyItem(atPath: shards, toPath: other)
        let manifest = other + "/" + ShardManifest.fileName
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        XCTAssertTrue(text.contains(#""split":"train""#) || text.contains(#""split" : "train""#), text)
        try text.replacingOccurrences(of: #""train""#, with: #""val""#).write(toFile: manifest, atomically: true, encoding: .utf8)
        let otherData = refusal { try fit(config, out: "run", resume: true, shards: other) }
        XCTAssertEqual(otherData?.message.contains("trained on other shards"), true, "\(String(describing: otherData))")
    }
}
