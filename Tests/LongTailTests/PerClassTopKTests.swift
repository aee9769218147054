// `predict --per-class-topk` (`PerClassTopK`, `DetectorPredictor.predict(_:into:)`): the bounded
// per-class heap keeps the K best of each class with the earlier of equal scores (the
// reference's stable sort), and running the model with the heap's thresholds (detections that
// cannot enter are dropped before their masks) gives exactly the top K of an unthresholded run.
import XCTest
import Foundation
@testable import SharedDetection
import SharedData
import SharedSupport
import SharedTensor

final class PerClassTopKTests: XCTestCase {
    func result(_ image: Int, _ score: Double) -> DetectionResult {
        DetectionResult(imageID: ImageID(image), categoryID: CategoryID(1), score: score)
    }

    func testKeepsTheBestKWithEarlierTiesAndReportsThresholds() {
        var topK = PerClassTopK(classCount: 2, k: 3)
        XCTAssertEqual(topK.thresholds, [-.infinity, -.infinity])
        for (image, score) in [(1, 0.5), (2, 0.9), (3, 0.05), (4, 0.5), (5, 0.7), (6, 0.5), (7, 0.6)] {
            topK.offer(result(image, score), score: Float(score), classIndex: 0)
        }
        topK.offer(result(8, 0.3), score: 0.3, classIndex: 1)
        // Class 0: 0.9 (2), 0.7 (5), 0.6 (7); the three 0.5s and 0.05 are out. Class 1: 0.3, not full.
        XCTAssertEqual(topK.results().map(\.imageID.rawValue), [2, 5, 7, 8])
        XCTAssertEqual(topK.thresholds, [0.6, -.infinity])
        var ties = PerClassTopK(classCount: 1, k: 2)
        for image in 1...4 { ties.offer(result(image, 0.5), score: 0.5, classIndex: 0) }
        XCTAssertEqual(ties.results().map(\.imageID.rawValue), [1, 2], "equal scores keep the earlier detections")
    }

    func testThresholdedRunEqualsTheTopKOfAFullRun() throws {
        let (folder, shards, base) = try FinetuneFixture.workspace("topk", baselineIterations: 2)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let overrides = try ["test.scoreThreshold=1e-7", "test.maxDetectionsPerImage=100000"].map { try TestSettingOverride(parsing: $0) }
        let predictor = try DetectorPredictor(checkpoint: base, dataCategoryIDs: FinetuneFixture.categoryIDs, dataDirectory: shards,
                                              compute: try Compute.load(threads: 1), testOverrides: overrides)
        let dataset = try ShardDataset(directory: shards)
        let batches = EvaluationBatches(dataset: dataset, batchSize: 1, settings: LoaderSettings(config: predictor.config.input))
        var everything = PerClassTopK(classCount: 3, k: 1_000_000)
        try predictor.predict(batches, into: &everything, progress: nil)
        let all = everything.results()
        XCTAssertGreaterThan(all.count, 30, "the fixture should give many detections per class")
        for k in [1, 3, 10] {
            var topK = PerClassTopK(classCount: 3, k: k)
            try predictor.predict(batches, into: &topK, progress: nil)
            let expected = [10, 20, 30].flatMap { id in all.filter { $0.categoryID.rawValue == id }.prefix(k) }
            XCTAssertEqual(topK.results(), Array(expected), "k = \(k)")
            XCTAssertLessThanOrEqual(topK.count, 3 * k)
        }
    }
}
