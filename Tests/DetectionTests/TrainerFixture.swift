// The trainer tests' fixture: the RectangleShards folder (TestFixtures: four raw-RGB images
// with one bright rectangle per instance, 3 categories with LVIS ids 10, 20, 30), the smoke
// preset trimmed for debug-build speed, and a trainer over the folder.
import Foundation
import TestFixtures
@testable import SharedData
@testable import SharedDetection
import SharedSupport
@_spi(Kernels) import SharedTensor

enum TrainerFixture {
    static let categoryIDs = RectangleShards.categoryIDs
    static let images = RectangleShards.images

    static func record(_ index: Int) -> ShardRecord { RectangleShards.record(index) }

    /// Writes the shard folder (RectangleShards, every category frequent) under `parent`.
    static func writeShards(in parent: String) throws -> String { try RectangleShards.writeShards(in: parent) }

    /// The smoke preset, resolved to 3 classes, with fewer proposals and detections (speed).
    static func config() throws -> DetectorConfig {
        var config = try PresetFiles.load("smoke").resolved(numClasses: 3)
        config.rpn.train.preNMSTopK = 300
        config.rpn.train.postNMSTopK = 100
        config.rpn.test.preNMSTopK = 300
        config.rpn.test.postNMSTopK = 100
        config.test.maxDetectionsPerImage = 20
        return config
    }

    static func trainer(config: DetectorConfig, shards: String, threads: Int = 1) throws -> DetectorTrainer {
        let dataset = try ShardDataset(directory: shards)
        let count = dataset.count, seed = config.seed
        return DetectorTrainer(config: config, dataset: dataset, order: { DataRandomness.uniformOrder(count: count, seed: seed, epoch: $0) },
                               imagesPerEpoch: count, compute: try Compute.load(threads: threads), logger: Logger(tool: "test", verbosity: .quiet))
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "trainer-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
