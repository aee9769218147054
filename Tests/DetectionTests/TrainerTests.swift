// The fit loop: an interrupted and resumed run equals the uninterrupted one bit for bit, and
// so do runs with different thread counts; a non-finite loss stops the run with a message
// and keeps the last good checkpoint; resuming under another config, or predicting on data
// with another category table, is refused with the differing field named; predictions come
// out in original pixels with LVIS ids; `--profile` logs the phases and changes nothing else.
import Foundation
import XCTest
@testable import SharedDetection
import SharedData
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN

final class TrainerTests: XCTestCase {
    typealias F = TrainerFixture
    var directory = ""
    var shards = ""

    override func setUpWithError() throws {
        directory = try F.temporaryDirectory("fit")
        shards = try F.writeShards(in: directory)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func testResumedRunEqualsTheUninterruptedRunBitForBit() throws {
        let config = try F.config()
        let straight = directory + "/straight", split = directory + "/split"
        let whole = try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: straight, stopAfter: 6))
        XCTAssertEqual(whole.records.map(\.iteration), [1, 2, 3, 4, 5, 6])
        let first = try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: split, stopAfter: 3))
        let second = try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: split, resume: true, stopAfter: 6))
        XCTAssertEqual(second.startIteration, 3)
        let resumed = first.records + second.records
        XCTAssertEqual(resumed.map(\.losses), whole.records.map(\.losses), "losses after resume differ from the uninterrupted run")
        XCTAssertEqual(resumed.map(\.learningRate), whole.records.map(\.learningRate))
        XCTAssertEqual(resumed.map(\.epoch), whole.records.map(\.epoch))
        XCTAssertTrue(whole.records.allSatisfy { $0.losses.total.isFinite && $0.losses.total > 0 })
        // The final checkpoints (weights, momentum, step, RNG state, config) are the same bytes.
        XCTAssertEqual(FileManager.default.contents(atPath: straight + "/checkpoint.safetensors"),
                       FileManager.default.contents(atPath: split + "/checkpoint.safetensors"))
        // The log of the resumed run has one line per iteration, the same losses.
        func lines(_ path: String) throws -> [String] {
            try String(contentsOfFile: path + "/log.jsonl", encoding: .utf8).split(separator: "\n")
                .map { $0.replacingOccurrences(of: #""images_per_s":[0-9.e+-]+"#, with: "", options: .regularExpression) }
        }
        XCTAssertEqual(try lines(split).count, 6)
        XCTAssertEqual(try lines(split), try lines(straight))
        let stored = try DetectorConfig.decode(try Data(contentsOf: URL(fileURLWithPath: split + "/config.json")), file: "config.json")
        XCTAssertEqual(stored, config)
        // A fresh run into a folder that holds a checkpoint is refused (no silent overwrite).
        XCTAssertThrowsError(try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: split, stopAfter: 1))) {
            XCTAssertEqual(($0 as? ToolError)?.exitCode, .usage)
        }
    }

    /// A stop request (SIGINT / SIGTERM in the commands) after iteration 2 saves that iteration
    /// and ends the run with 128 + signal; --resume then finishes it with the same bytes as a
    /// run that was never stopped.
    func testAStopRequestSavesTheLastIterationAndTheResumedRunIsTheSame() throws {
        let config = try F.config()
        XCTAssertGreaterThan(config.solver.checkpointPeriod, 2, "the stop, not the period, must write the checkpoint")
        let straight = directory + "/straight", stopped = directory + "/stopped"
        _ = try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: straight, stopAfter: 4))
        let log = stopped + "/log.jsonl"
        let afterTwo: @Sendable () -> Int32? = {
            let lines = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").count ?? 0
            return lines >= 2 ? 15 : nil
        }
        XCTAssertThrowsError(try F.trainer(config: config, shards: shards)
            .fit(FitOptions(outputDirectory: stopped, stopAfter: 4, stopRequested: afterTwo))) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.exitCode, .terminated)
            XCTAssertEqual(toolError?.message.contains("SIGTERM after iteration 2"), true, "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count, 2)
        let resumed = try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: stopped, resume: true, stopAfter: 4))
        XCTAssertEqual(resumed.startIteration, 2)
        XCTAssertEqual(FileManager.default.contents(atPath: straight + "/checkpoint.safetensors"),
                       FileManager.default.contents(atPath: stopped + "/checkpoint.safetensors"))
    }

    /// A fresh run starts the backbone from `backbone.pretrained` (its frozen stem keeps those
    /// values exactly); a missing file is an I/O error that says what to do.
    func testAFreshRunStartsTheBackboneFromThePretrainedFile() throws {
        var config = try F.config()
        config.backbone.frozenStages = 1
        var random = SeededRandom(seed: 99)
        let source = MaskRCNN.make(config: config, random: &random).store
        var file = SafetensorsFile()
        for parameter in source.parameters where parameter.name.hasPrefix("backbone.") {
            file.set(parameter.name, SafetensorsTensor(float32: source.value(parameter).toArray(), shape: parameter.shape))
        }
        let weights = directory + "/backbone.safetensors"
        try file.write(to: weights)
        let out = directory + "/pretrained"
        _ = try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: out, stopAfter: 1, pretrainedBackbone: weights))
        let saved = try SafetensorsFile.read(from: out + "/checkpoint.safetensors")
        let frozen = source.parameters.filter { $0.name.hasPrefix("backbone.") && source.isFrozen($0) }
        XCTAssertFalse(frozen.isEmpty)
        for parameter in frozen {
            XCTAssertEqual(saved[parameter.name]?.floatValues(), source.value(parameter).toArray(), parameter.name)
        }
        XCTAssertThrowsError(try F.trainer(config: config, shards: shards)
            .fit(FitOptions(outputDirectory: directory + "/missing", stopAfter: 1, pretrainedBackbone: directory + "/none.safetensors"))) {
            XCTAssertEqual(($0 as? ToolError)?.exitCode, .ioError)
            XCTAssertEqual(($0 as? ToolError)?.message.contains("backbone.pretrained"), true, "\($0)")
        }
    }

    /// `--profile` puts every phase of every iteration into the log, in order, within the
    /// iteration's time, and changes no number.
    func testProfilingLogsEveryPhaseAndChangesNoNumber() throws {
        let config = try F.config()
        let plain = directory + "/plain", profiled = directory + "/profiled"
        let a = try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: plain, stopAfter: 2))
        let b = try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: profiled, stopAfter: 2, profile: true))
        XCTAssertEqual(a.records.map(\.losses), b.records.map(\.losses))
        XCTAssertEqual(FileManager.default.contents(atPath: plain + "/checkpoint.safetensors"),
                       FileManager.default.contents(atPath: profiled + "/checkpoint.safetensors"))
        XCTAssertTrue(a.records.allSatisfy { $0.phases == nil })
        let expected = [TrainingPhase.data, TrainingPhase.backboneForward, TrainingPhase.rpn, TrainingPhase.proposals,
                        TrainingPhase.boxHead, TrainingPhase.maskHead, TrainingPhase.backward, TrainingPhase.optimizer]
        for record in b.records {
            let phases = try XCTUnwrap(record.phases)
            XCTAssertEqual(phases.map(\.name), expected)
            XCTAssertTrue(phases.allSatisfy { $0.seconds >= 0 }, "\(phases)")
            let iterationSeconds = Double(config.solver.imagesPerBatch) / record.imagesPerSecond
            XCTAssertLessThanOrEqual(phases.reduce(0) { $0 + $1.seconds }, iterationSeconds * 1.001 + 1e-6)
        }
        let logLines = try String(contentsOfFile: profiled + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(logLines.count, 2)
        for line in logLines {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let phases = try XCTUnwrap(object["phases_ms"] as? [String: Double])
            XCTAssertEqual(Set(phases.keys), Set(expected))
        }
        let plainLine = try String(contentsOfFile: plain + "/log.jsonl", encoding: .utf8)
        XCTAssertFalse(plainLine.contains("phases_ms"))
    }

    /// `--threads` changes the speed, never the numbers: GEMM tiles and our parallel loops
    /// are cut by shape, not by thread count.
    func testTheThreadCountDoesNotChangeTheWeights() throws {
        let config = try F.config()
        var checkpoints: [Data?] = []
        for threads in [1, 3] {
            let out = directory + "/threads\(threads)"
            _ = try F.trainer(config: config, shards: shards, threads: threads).fit(FitOptions(outputDirectory: out, stopAfter: 3))
            checkpoints.append(FileManager.default.contents(atPath: out + "/checkpoint.safetensors"))
        }
        XCTAssertNotNil(checkpoints[0])
        XCTAssertEqual(checkpoints[0], checkpoints[1], "1 and 3 threads trained different weights")
    }

    func testNonFiniteLossStopsWithAMessageAndKeepsTheLastGoodCheckpoint() throws {
        var config = try F.config()
        config.solver.baseLearningRate = 1e6
        config.solver.warmupIterations = 0
        config.solver.checkpointPeriod = 1
        let out = directory + "/nan"
        let trainer = try F.trainer(config: config, shards: shards)
        XCTAssertThrowsError(try trainer.fit(FitOptions(outputDirectory: out, stopAfter: 8))) { error in
            let message = (error as? ToolError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("loss is not finite at iteration"), message)
            XCTAssertTrue(message.contains("the last good checkpoint (iteration"), message)
            XCTAssertEqual((error as? ToolError)?.exitCode, .dataError)
        }
        // The checkpoint holds the last iteration whose loss was finite, and it loads.
        let logLines = try String(contentsOfFile: out + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertGreaterThan(logLines.count, 0)
        XCTAssertLessThan(logLines.count, 8)
        var random = SeededRandom(seed: 0)
        let (_, store) = MaskRCNN.make(config: config, random: &random)
        let state = try TrainingCheckpoint.load(from: out + "/checkpoint.safetensors", into: store)
        XCTAssertEqual(state.step, logLines.count)
    }

    func testResumeUnderAnotherConfigIsRefusedNamingTheField() throws {
        let config = try F.config()
        let out = directory + "/refuse"
        try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: out, stopAfter: 1))
        var other = config
        other.solver.baseLearningRate = 0.04
        XCTAssertThrowsError(try F.trainer(config: other, shards: shards).fit(FitOptions(outputDirectory: out, resume: true, stopAfter: 2))) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("solver.baseLearningRate: checkpoint 0.02, config 0.04"), text)
        }
        XCTAssertThrowsError(try F.trainer(config: config, shards: shards).fit(FitOptions(outputDirectory: directory + "/none", resume: true))) {
            XCTAssertTrue("\($0)".contains("nothing to resume"), "\($0)")
        }
    }

    func testPredictorRefusesAnotherClassCountOrCategoryTable() throws {
        let out = directory + "/predict"
        try F.trainer(config: try F.config(), shards: shards).fit(FitOptions(outputDirectory: out, stopAfter: 1))
        let path = out + "/checkpoint.safetensors"
        let compute = try Compute.load(threads: 1)
        XCTAssertThrowsError(try DetectorPredictor(checkpoint: path, dataCategoryIDs: [10, 20, 30, 40], dataDirectory: "val", compute: compute)) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("roiHeads.numClasses: checkpoint 3, data 4"), text)
        }
        XCTAssertThrowsError(try DetectorPredictor(checkpoint: path, dataCategoryIDs: [10, 20, 99], dataDirectory: "val", compute: compute)) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("class index 2: checkpoint id 30, data id 99"), text)
        }
        XCTAssertNoThrow(try DetectorPredictor(checkpoint: path, dataCategoryIDs: F.categoryIDs, dataDirectory: "val", compute: compute))
    }

    func testPredictionsAreCOCOResultsInOriginalPixels() throws {
        let out = directory + "/results"
        try F.trainer(config: try F.config(), shards: shards).fit(FitOptions(outputDirectory: out, stopAfter: 2))
        let predictor = try DetectorPredictor(checkpoint: out + "/checkpoint.safetensors", dataCategoryIDs: F.categoryIDs,
                                              dataDirectory: shards, compute: try Compute.load(threads: 1))
        let dataset = try ShardDataset(directory: shards)
        var bytes: [UInt8] = []
        let stream = try ResultsStream { bytes += $0 }
        try predictor.predict(EvaluationBatches(dataset: dataset, indices: [0, 1], batchSize: 2,
                                                settings: LoaderSettings(config: predictor.config.input)),
                              to: stream, progress: nil)
        try stream.close()
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]])
        XCTAssertEqual(results.count, stream.count)
        XCTAssertGreaterThan(results.count, 0)
        XCTAssertLessThanOrEqual(results.count, 2 * 20)
        for result in results {
            let imageID = try XCTUnwrap(result["image_id"] as? Int)
            let record = F.record(imageID - 500)
            XCTAssertTrue([500, 501].contains(imageID))
            XCTAssertTrue(F.categoryIDs.contains(try XCTUnwrap(result["category_id"] as? Int)))
            let box = try XCTUnwrap(result["bbox"] as? [Double])
            XCTAssertEqual(box.count, 4)
            XCTAssertGreaterThanOrEqual(box[0], 0)
            XCTAssertLessThanOrEqual(box[0] + box[2], Double(record.originalWidth) + 1e-3)
            XCTAssertLessThanOrEqual(box[1] + box[3], Double(record.originalHeight) + 1e-3)
            let score = try XCTUnwrap(result["score"] as? Double)
            XCTAssertTrue(score >= 1e-4 && score <= 1)
            let segmentation = try XCTUnwrap(result["segmentation"] as? [String: Any])
            XCTAssertEqual(segmentation["size"] as? [Int], [record.originalHeight, record.originalWidth])
            XCTAssertNotNil(segmentation["counts"] as? String)
        }

        // A stop request after the first batch ends the run (exit 128 + signal) with the
        // first batch's results streamed and no more.
        let stopped = try ResultsStream { _ in }
        XCTAssertThrowsError(try predictor.predict(EvaluationBatches(dataset: dataset, indices: [0, 1, 2, 3], batchSize: 2,
                                                                     settings: LoaderSettings(config: predictor.config.input)),
                                                   to: stopped, progress: nil, stopRequested: { 2 })) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .interrupted)
            XCTAssertEqual((error as? ToolError)?.message.contains("stopped by SIGINT after \(stream.count) detections"), true, "\(error)")
        }
        XCTAssertEqual(stopped.count, stream.count, "the first batch (images 0 and 1) and nothing after it")
    }
}
