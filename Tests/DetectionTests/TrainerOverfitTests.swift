// The whole chain learns: the smoke model, trained by `DetectorTrainer` through the loader on
// the four fixture images (no flip, one scale), drives its total loss down by at least 10x.
// The slowest test of the suite (about 0.3 s per iteration in a debug build; 400 iterations
// took 162 s on a loaded machine and reached 17.6x). LOCE_OVERFIT_ITERATIONS changes the count.
import Foundation
import XCTest
@testable import SharedDetection
import SharedData
import SharedSupport

final class TrainerOverfitTests: XCTestCase {
    func testSmokeModelOverfitsTheFixtureImages() throws {
        let iterations = ProcessInfo.processInfo.environment["LOCE_OVERFIT_ITERATIONS"].flatMap { Int($0) } ?? 400
        let directory = try TrainerFixture.temporaryDirectory("overfit")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let shards = try TrainerFixture.writeShards(in: directory)
        var config = try TrainerFixture.config()
        config.input.flipProbability = 0
        config.solver.baseLearningRate = 0.08  // 0.01 at the fixture batch of 2
        config.solver.warmupIterations = 10
        config.solver.unit = .iterations
        config.solver.length = 1000
        config.solver.decaySteps = [900]
        config.solver.checkpointPeriod = 1000
        let summary = try TrainerFixture.trainer(config: config, shards: shards)
            .fit(FitOptions(outputDirectory: directory + "/run", stopAfter: iterations))
        let totals = summary.records.map { Double($0.losses.total) }
        let start = totals.prefix(2).reduce(0, +) / 2, end = totals.suffix(4).reduce(0, +) / 4
        print("overfit: total loss \(start) -> \(end) in \(iterations) iterations")
        XCTAssertLessThanOrEqual(end, start / 10, "losses: \(totals)")
    }
}
