// The whole chain learns: the smoke model, trained by `DetectorTrainer` through the loader on
// the four fixture images (no flip, one scale), drives its total loss down by at least 10x.
// Slow in a debug build (about 0.4 s per iteration; 400 iterations took 162 s and reached
// 17.6x), so it runs only when LOCE_OVERFIT_ITERATIONS is set, e.g.
//   LOCE_OVERFIT_ITERATIONS=400 swift test --filter TrainerOverfitTests
import Foundation
import XCTest
@testable import SharedDetection
import SharedData
import SharedSupport

final class TrainerOverfitTests: XCTestCase {
    func testSmokeModelOverfitsTheFixtureImages() throws {
        let requested = ProcessInfo.processInfo.environment["LOCE_OVERFIT_ITERATIONS"].flatMap { Int($0) }
        try XCTSkipUnless(requested != nil, "slow (minutes in a debug build): set LOCE_OVERFIT_ITERATIONS=400 to run")
        let iterations = requested ?? 400
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
