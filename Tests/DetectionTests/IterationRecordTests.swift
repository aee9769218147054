// OUT/log.jsonl lines: every loss under its key, a mask loss that was not run (a frozen mask
// head over frozen levels) as null, the total as the sum of the losses that were run, and
// profiled phases in milliseconds.
import Foundation
import XCTest
@testable import SharedDetection
import SharedSupport

final class IterationRecordTests: XCTestCase {
    func line(mask: Float?) throws -> [String: Any] {
        let losses = TrainingLosses(rpnObjectness: 0.5, rpnBox: 0.25, boxClassification: 1, boxRegression: 0.125, mask: mask)
        let record = IterationRecord(iteration: 3, epoch: 0, learningRate: 0.01, losses: losses, imagesPerSecond: 2)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(record.jsonLine().utf8)) as? [String: Any])
    }

    func testAMaskLossThatWasRunIsANumberInTheTotal() throws {
        let object = try line(mask: 0.0625)
        XCTAssertEqual(object["loss_mask"] as? Double, 0.0625)
        XCTAssertEqual(object["loss"] as? Double, 1.9375)
    }

    func testAMaskLossThatWasNotRunIsNullAndOutOfTheTotal() throws {
        let object = try line(mask: nil)
        XCTAssertTrue(object["loss_mask"] is NSNull, "\(String(describing: object["loss_mask"]))")
        XCTAssertEqual(object["loss"] as? Double, 1.875)
        XCTAssertEqual(object["loss_cls"] as? Double, 1)
    }

    func testPhasesAreMillisecondsInTheOrderTheyRan() {
        let record = IterationRecord(iteration: 1, epoch: 0, learningRate: 0.01, losses: TrainingLosses(), imagesPerSecond: 2,
                                     phases: [PhaseTime(name: "rpn", seconds: 0.0015), PhaseTime(name: "data", seconds: 0.25)])
        XCTAssertTrue(record.jsonLine().hasSuffix(#""images_per_s":2.0,"phases_ms":{"rpn":1.5,"data":250.0}}"#), record.jsonLine())
    }
}
