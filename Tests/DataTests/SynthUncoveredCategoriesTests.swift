// Audit regression: with too few training images some synthetic categories get none (and the
// json lists them as rare with image_count 0); the summary counts them so `synth` can warn.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class SynthUncoveredCategoriesTests: XCTestCase {
    func summaryAndTrainJSON(_ config: SynthConfig) throws -> (SynthSummary, Dataset) {
        let out = NSTemporaryDirectory() + "synth-uncovered-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let summary = try SynthGenerator(config: config, seed: 7)
            .write(to: out, logger: Logger(tool: "test", verbosity: .quiet), parallelism: Parallelism(threads: 2))
        return (summary, try Dataset.load(path: out + "/lvis_v1_train.json"))
    }

    func testCategoriesWithoutTrainingImagesAreCounted() throws {
        var config = SynthTests.smallConfig
        config.trainImages = 2
        config.maxObjectsPerImage = 2     // at most 4 objects for 8 categories
        let (summary, train) = try summaryAndTrainJSON(config)
        let uncovered = train.categories.filter { $0.imageCount == 0 }
        XCTAssertGreaterThanOrEqual(uncovered.count, 4)
        XCTAssertEqual(summary.categoriesWithoutTrainingImages, uncovered.count)
        XCTAssertTrue(uncovered.allSatisfy { $0.frequency == .rare })
    }

    func testEveryCategoryCoveredCountsZero() throws {
        let (summary, train) = try summaryAndTrainJSON(SynthTests.smallConfig)
        XCTAssertTrue(train.categories.allSatisfy { ($0.imageCount ?? 0) > 0 })
        XCTAssertEqual(summary.categoriesWithoutTrainingImages, 0)
    }
}
