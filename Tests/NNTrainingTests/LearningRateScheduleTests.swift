// The LR schedule: mmcv's linear warm-up formula, step decay boundaries, linear scaling.
import XCTest
@testable import SharedNN

final class LearningRateScheduleTests: XCTestCase {
    func testWarmupFollowsMMCVLinearFormula() {
        let schedule = LearningRateSchedule(peakRate: 0.02, steps: [1000, 1500], warmupIterations: 500, warmupRatio: 0.001)
        // i = 0: k = 0.999 -> lr = 0.02 * 0.001
        XCTAssertEqual(schedule.learningRate(at: 0), 0.02 * 0.001, accuracy: 1e-9)
        // i = 250: k = 0.5 * 0.999 -> lr = 0.02 * 0.5005
        XCTAssertEqual(schedule.learningRate(at: 250), 0.02 * 0.5005, accuracy: 1e-8)
        XCTAssertEqual(schedule.learningRate(at: 499), 0.02 * (1 - 0.999 / 500), accuracy: 1e-8)
        XCTAssertEqual(schedule.learningRate(at: 500), 0.02)
        // Monotone during warm-up.
        for i in 1..<500 { XCTAssertGreaterThan(schedule.learningRate(at: i), schedule.learningRate(at: i - 1)) }
    }

    func testStepDecayAtGivenIterations() {
        let schedule = LearningRateSchedule(peakRate: 0.01, steps: [10, 20], gamma: 0.1, warmupIterations: 0)
        XCTAssertEqual(schedule.learningRate(at: 9), 0.01)
        XCTAssertEqual(schedule.learningRate(at: 10), 0.001, accuracy: 1e-10)
        XCTAssertEqual(schedule.learningRate(at: 19), 0.001, accuracy: 1e-10)
        XCTAssertEqual(schedule.learningRate(at: 20), 0.0001, accuracy: 1e-11)
        // Warm-up is applied on top of the decayed rate (mmcv: warm-up of regular_lr).
        let early = LearningRateSchedule(peakRate: 0.01, steps: [2], warmupIterations: 4, warmupRatio: 0.5)
        XCTAssertEqual(early.learningRate(at: 3), 0.001 * (1 - 0.25 * 0.5), accuracy: 1e-10)
    }

    func testEpochSteps() {
        XCTAssertEqual(LearningRateSchedule.steps(atEpochs: [16, 22], iterationsPerEpoch: 100), [1600, 2200])
    }
}
