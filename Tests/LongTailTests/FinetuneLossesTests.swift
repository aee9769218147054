// Stage 2 with each classifier loss beside EBL (Seesaw, EQLv2, ECM, federated) on the tiny
// shards, MFS on: the run trains, the loss's state is in the checkpoint and a resume continues
// bit for bit (that state included), the classifier has the loss's logit count (Seesaw's C + 2
// made from the stage-1 classifier), and detect-train's predictor scores with the checkpoint's
// activation. Also the config rules of `loce.loss`.
import XCTest
import Foundation
@testable import SharedLongTail
@testable import SharedDetection
import SharedData
import SharedNN
import SharedSupport
import SharedTensor

final class FinetuneLossesTests: XCTestCase {
    func run(_ kind: BoxClassifierLossKind, stateTensors: [String]) throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("loss-\(kind.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = try FinetuneFixture.stageTwo("smoke-loce")
        config.loce.warmupImagesPerCategory = 1
        config.loce.loss = kind
        if kind == .federated { config.loce.federated = FederatedSettings(); config.loce.federated!.sampledClasses = 2 }
        let straight = try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/a", stopAfter: 3)))
        XCTAssert(straight.records.allSatisfy { $0.base.losses.total.isFinite && $0.memorySamples > 0 }, "\(kind)")
        try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/b", stopAfter: 2)))
        let resumed = try FinetuneFixture.finetuner(config, shards: shards)
            .fit(FinetuneOptions(baseCheckpoint: base, fit: FitOptions(outputDirectory: folder + "/b", resume: true, stopAfter: 3)))
        XCTAssertEqual(resumed.records.map(\.base.losses), Array(straight.records.suffix(1)).map(\.base.losses), "\(kind) resume")
        let a = try SafetensorsFile.read(from: folder + "/a/" + DetectorCheckpoint.fileName)
        let b = try SafetensorsFile.read(from: folder + "/b/" + DetectorCheckpoint.fileName)
        XCTAssertEqual(Set(a.names), Set(b.names))
        for name in a.names { XCTAssertEqual(a[name], b[name], "\(kind): \(name) differs after the resume") }
        for name in stateTensors { XCTAssertNotNil(a[name], "\(kind): \(name) not saved") }

        // The classifier's rows and the activation the checkpoint's config records.
        let classes = 3, columns = kind.activation.logitColumns(classCount: classes)
        XCTAssertEqual(a["roi_heads.box_predictor.cls_score.weight"]?.shape.first, columns)
        let predictor = try DetectorPredictor(checkpoint: folder + "/a/" + DetectorCheckpoint.fileName,
                                              dataCategoryIDs: FinetuneFixture.categoryIDs, dataDirectory: shards,
                                              compute: try Compute.load(threads: 1))
        XCTAssertEqual(predictor.config.roiHeads.boxHead.scoreActivation, kind.activation)
        final class Collected { var bytes: [UInt8] = [] }
        let collected = Collected()
        let stream = try ResultsStream { collected.bytes += $0 }
        let dataset = try ShardDataset(directory: shards)
        try predictor.predict(EvaluationBatches(dataset: dataset, batchSize: 2, settings: LoaderSettings(config: predictor.config.input)),
                              to: stream, progress: nil)
        try stream.close()
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(collected.bytes)) as? [[String: Any]])
        XCTAssert(results.allSatisfy { (($0["score"] as? Double) ?? -1) > 0 && (($0["score"] as? Double) ?? 2) <= 1 }, "\(kind) scores")
    }

    func testSeesaw() throws {
        try run(.seesaw, stateTensors: [BoxClassifierLossCheckpointName.seesawCounts])
    }

    func testEQLv2() throws {
        try run(.eqlv2, stateTensors: [BoxClassifierLossCheckpointName.eqlv2Positive, BoxClassifierLossCheckpointName.eqlv2Negative,
                                       BoxClassifierLossCheckpointName.eqlv2Ratio])
    }

    func testECM() throws {
        try run(.ecm, stateTensors: [])
    }

    func testFederated() throws {
        try run(.federated, stateTensors: [BoxClassifierLossCheckpointName.federatedRandom])
    }

    /// Seesaw's objectness pair from a softmax classifier: class rows kept, foreground = mean
    /// class row (+ log C on the bias), background = the background row.
    func testSeesawPairFromTheStageOneClassifier() throws {
        var file = SafetensorsFile()
        file.set(LOCEFinetuner.classifierWeight, SafetensorsTensor(float32: [1, 2, 3, 4, 5, 6], shape: [3, 2]))
        file.set(LOCEFinetuner.classifierBias, SafetensorsTensor(float32: [0.5, 1.5, -1], shape: [3]))
        let adapted = try LOCEFinetuner.withObjectnessPair(file, classCount: 2, path: "x")
        XCTAssertEqual(adapted[LOCEFinetuner.classifierWeight]?.shape, [4, 2])
        XCTAssertEqual(adapted[LOCEFinetuner.classifierWeight]?.floatValues(), [1, 2, 3, 4, 2, 3, 5, 6])
        XCTAssertEqual(adapted[LOCEFinetuner.classifierBias]!.floatValues()[0...1], [0.5, 1.5])
        XCTAssertEqual(adapted[LOCEFinetuner.classifierBias]!.floatValues()[2], 1 + Float(log(2.0)), accuracy: 1e-6)
        XCTAssertEqual(adapted[LOCEFinetuner.classifierBias]!.floatValues()[3], -1)
    }

    func testLossConfigRules() throws {
        var config = try FinetuneFixture.stageTwo("smoke-loce")
        XCTAssertNil(config.loce.loss)
        XCTAssertEqual(config.loce.classifierLoss, .ebl)
        // Absent keys stay absent: a config (and a checkpoint's) from before the losses reads and writes the same.
        let encoded = String(decoding: try config.encoded(), as: UTF8.self)
        for key in ["\"loss\"", "\"seesaw\"", "\"eqlv2\"", "\"scoreActivation\""] { XCTAssertFalse(encoded.contains(key), key) }
        config.loce.ablation.equilibriumLoss = false
        XCTAssertEqual(config.loce.classifierLoss, .ce)
        config.loce.loss = .seesaw
        XCTAssert(config.validationProblems().contains { $0.contains("loce.ablation.equilibriumLoss") }, "\(config.validationProblems())")
        config.loce.ablation.equilibriumLoss = true
        XCTAssertEqual(config.validationProblems(), [])
        config.loce.eqlv2 = EQLv2Settings()
        XCTAssert(config.validationProblems().contains { $0.contains("loce.eqlv2 is set but loce.loss is seesaw") })
        config.loce.eqlv2 = nil
        config.roiHeads.boxHead.scoreActivation = .sigmoid
        XCTAssert(config.validationProblems().contains { $0.contains("roiHeads.boxHead.scoreActivation") })
        config.roiHeads.boxHead.scoreActivation = .seesawObjectness
        XCTAssertEqual(config.validationProblems(), [])
        var bad = SeesawSettings()
        bad.eps = 0
        config.loce.seesaw = bad
        XCTAssert(config.validationProblems().contains { $0.contains("loce.seesaw.eps") })
        // Strict decoding: a misspelt key inside a loss section is an error naming its path.
        let document = """
        {"base": "smoke-loce.json", "loce": {"loss": "eqlv2", "eqlv2": {"gamma": 12, "mu": 0.8, "alpha": 4, "alfa": 4}}}
        """
        let path = FinetuneFixture.configDirectory.appendingPathComponent("test-loss-\(getpid()).json").path
        try Data(document.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try FinetuneConfig.load(path: path)) { XCTAssert("\($0)".contains("alfa"), "\($0)") }
    }
}
