// The fine-tuning tests' fixture: the RectangleShards folder (TestFixtures: one bright
// rectangle per instance; 3 categories with LVIS ids 10, 20, 30, groups r/c/f), trimmed
// smoke presets, and a stage-1 baseline checkpoint trained for a few iterations.
import Foundation
import TestFixtures
@testable import SharedData
@testable import SharedDetection
@testable import SharedLongTail
import SharedSupport
@_spi(Kernels) import SharedTensor

enum FinetuneFixture {
    static let categoryIDs = RectangleShards.categoryIDs
    static let configDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pipelines/configs")

    /// Writes the shard folder (RectangleShards, groups r/c/f) under `parent`.
    static func writeShards(in parent: String) throws -> String {
        try RectangleShards.writeShards(in: parent, frequencies: ["r", "c", "f"])
    }

    /// A preset resolved to 3 classes, with fewer proposals and detections (debug-build speed).
    static func config(_ preset: String) throws -> DetectorConfig {
        trimmed(try DetectorConfig.load(path: configDirectory.appendingPathComponent("\(preset).json").path).resolved(numClasses: 3))
    }

    /// `config` with fewer proposals and detections.
    static func trimmed(_ config: DetectorConfig) -> DetectorConfig {
        var config = config
        config.rpn.train.preNMSTopK = 300
        config.rpn.train.postNMSTopK = 100
        config.rpn.test.preNMSTopK = 300
        config.rpn.test.postNMSTopK = 100
        config.test.maxDetectionsPerImage = 20
        return config
    }

    /// A stage-2 preset resolved to 3 classes, trimmed as `config(_:)`.
    static func stageTwo(_ preset: String) throws -> FinetuneConfig {
        var config = try FinetuneConfig.load(path: configDirectory.appendingPathComponent("\(preset).json").path).resolved(numClasses: 3)
        config.detector = trimmed(config.detector)
        return config
    }

    static let logger = Logger(tool: "test", verbosity: .quiet)

    /// Trains the stage-1 smoke model for `iterations` into parent/baseline; returns the checkpoint path.
    static func baseline(shards: String, in parent: String, iterations: Int = 2) throws -> String {
        let config = try config("smoke")
        let dataset = try ShardDataset(directory: shards)
        let count = dataset.count, seed = config.seed
        let trainer = DetectorTrainer(config: config, dataset: dataset, order: { DataRandomness.uniformOrder(count: count, seed: seed, epoch: $0) },
                                      imagesPerEpoch: count, compute: try Compute.load(threads: 1), logger: logger)
        let options = FitOptions(outputDirectory: parent + "/baseline", stopAfter: iterations)
        try trainer.fit(options)
        return options.checkpointPath
    }

    static func finetuner(_ config: FinetuneConfig, shards: String, threads: Int = 1) throws -> LOCEFinetuner {
        LOCEFinetuner(config: config, dataset: try ShardDataset(directory: shards), compute: try Compute.load(threads: threads), logger: logger)
    }

    /// A scratch folder `name` holding the shards and a stage-1 baseline trained for
    /// `baselineIterations` (the caller removes the folder).
    static func workspace(_ name: String, baselineIterations: Int = 1) throws -> (folder: String, shards: String, base: String) {
        let folder = try temporaryDirectory(name)
        let shards = try writeShards(in: folder)
        return (folder, shards, try baseline(shards: shards, in: folder, iterations: baselineIterations))
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "finetune-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
