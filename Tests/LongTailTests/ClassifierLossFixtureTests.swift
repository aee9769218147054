// The box-classifier losses beside EBL against their references in PyTorch
// (Fixtures/long_tail_losses.json, scripts/fixtures/make_long_tail_loss_fixtures.py): loss and
// gradient at every one of four steps and the state each reference carries from step to step
// (Seesaw's cumulative counts, EQLv2's gradient statistics); the federated loss over the
// classes torch drew, with our own draws checked for the reference's rules and distribution.
import XCTest
import Foundation
@testable import SharedLongTail
import SharedSupport

final class ClassifierLossFixtureTests: XCTestCase {
    struct Step {
        let logits: [Float], labels: [Int], loss: Double, dLogits: [Float], state: [String: Any]
    }

    func steps(_ name: String) throws -> (steps: [Step], settings: [String: Any], imageCounts: [Int]) {
        let fixture = try Fixture.load("long_tail_losses.json")
        let cases = fixture["cases"] as! [[String: Any]]
        let found = try XCTUnwrap(cases.first { $0["name"] as? String == name }, "fixture case \(name)")
        let steps = (found["steps"] as! [[String: Any]]).map {
            Step(logits: Fixture.floats($0["logits"]), labels: Fixture.ints($0["labels"]), loss: Fixture.double($0["loss"]),
                 dLogits: Fixture.floats($0["dLogits"]), state: $0["stateAfter"] as! [String: Any])
        }
        XCTAssertEqual(steps.count, 4)
        return (steps, found["settings"] as! [String: Any], Fixture.ints(fixture["imageCounts"]))
    }

    func check(_ step: Step, index: Int, loss: Float, gradient: LogitGradient, _ name: String) {
        XCTAssertEqual(Double(loss), step.loss, accuracy: 2e-5 * max(1, abs(step.loss)), "\(name) step \(index) loss")
        var dLogits = [Float](repeating: 0.5, count: step.logits.count)
        dLogits.withUnsafeMutableBufferPointer { gradient.accumulate(into: $0, dLoss: 1) }
        assertClose(dLogits, step.dLogits.map { $0 + 0.5 }, absolute: 2e-6, relative: 1e-4, "\(name) step \(index) gradient")
    }

    func testSeesawMatchesMMDetectionOverSteps() throws {
        let (steps, settings, _) = try self.steps("seesaw")
        var loss = SeesawLoss(classCount: 7, p: Float(Fixture.double(settings["p"])), q: Float(Fixture.double(settings["q"])),
                              eps: Float(Fixture.double(settings["eps"])))
        XCTAssertEqual(loss.logitColumns, 9)
        for (index, step) in steps.enumerated() {
            loss.accumulate(labels: step.labels)
            let (value, gradient) = step.logits.withUnsafeBufferPointer {
                loss.forward(logits: $0, labels: step.labels, averageFactor: Float(step.labels.count))
            }
            check(step, index: index, loss: value, gradient: gradient, "seesaw")
            XCTAssertEqual(loss.cumulativeSamples, Fixture.floats(step.state["cumulativeSamples"]), "counts after step \(index)")
        }
    }

    func testEQLv2MatchesReferenceOverSteps() throws {
        let (steps, settings, _) = try self.steps("eqlv2")
        var loss = EQLv2Loss(classCount: 7, gamma: Float(Fixture.double(settings["gamma"])), mu: Float(Fixture.double(settings["mu"])),
                             alpha: Float(Fixture.double(settings["alpha"])))
        for (index, step) in steps.enumerated() {
            let (value, gradient, statistics) = step.logits.withUnsafeBufferPointer { loss.forward(logits: $0, labels: step.labels) }
            check(step, index: index, loss: value, gradient: gradient, "eqlv2")
            loss.collect(statistics)
            assertClose(loss.positiveGradient, Fixture.floats(step.state["positiveGradient"]), absolute: 1e-5, relative: 1e-5)
            assertClose(loss.negativeGradient, Fixture.floats(step.state["negativeGradient"]), absolute: 1e-5, relative: 1e-5)
            assertClose(loss.positiveNegativeRatio, Fixture.floats(step.state["positiveNegativeRatio"]), absolute: 1e-5, relative: 1e-4)
        }
    }

    func testECMMatchesReference() throws {
        let (steps, settings, counts) = try self.steps("ecm")
        let loss = ECMLoss(imageCounts: counts, fgBgRatio: Fixture.double(settings["fgBgRatio"]))
        for (index, step) in steps.enumerated() {
            let (value, gradient) = step.logits.withUnsafeBufferPointer { loss.forward(logits: $0, labels: step.labels) }
            check(step, index: index, loss: value, gradient: gradient, "ecm")
        }
    }

    func testFederatedMatchesDetectron2OnTheClassesTorchDrew() throws {
        let (steps, settings, counts) = try self.steps("federated")
        let loss = FederatedLoss(imageCounts: counts, sampledClasses: Int(Fixture.double(settings["sampledClasses"])),
                                 frequencyWeightPower: Fixture.double(settings["frequencyWeightPower"]))
        for (index, step) in steps.enumerated() {
            let classes = Fixture.ints(step.state["federatedClasses"])
            let (value, gradient) = step.logits.withUnsafeBufferPointer { loss.forward(logits: $0, labels: step.labels, classes: classes) }
            check(step, index: index, loss: value, gradient: gradient, "federated")
            // Our own draw keeps the reference's rules: every foreground label, and as many
            // classes in all (background counted) as the reference keeps.
            var random = SeededRandom(seed: UInt64(index + 1))
            let ours = loss.lossClasses(labels: step.labels, random: &random)
            let labelled = Set(step.labels.filter { $0 < 7 })
            XCTAssertTrue(labelled.isSubset(of: Set(ours)), "step \(index): every labelled class is in the loss")
            XCTAssertEqual(ours.count, classes.count, "step \(index): as many classes as the reference")
            XCTAssertEqual(ours, ours.sorted())
        }
    }

    func testFederatedDrawsNegativesInProportionToTheirWeights() {
        // One labelled class, one negative drawn among 3 with weights 1 : 4 : 9 (counts^0.5).
        let loss = FederatedLoss(imageCounts: [1, 16, 81, 5], sampledClasses: 3, frequencyWeightPower: 0.5)
        var random = SeededRandom(seed: 9)
        var counts = [0, 0, 0]
        let draws = 30_000
        for _ in 0..<draws {
            let classes = loss.lossClasses(labels: [3, 4, 4], random: &random)  // 3 and background: 2 distinct
            XCTAssertEqual(classes.count, 2)
            XCTAssertTrue(classes.contains(3))
            counts[classes.first { $0 != 3 }!] += 1
        }
        // 2 degrees of freedom: 13.8 is the 0.999 quantile.
        XCTAssertLessThan(chiSquare(counts: counts, probabilities: [1.0 / 14, 4.0 / 14, 9.0 / 14]), 13.8, "\(counts)")
    }

    func testFederatedTakesEveryWeightedClassWhenTooFewRemain() {
        let loss = FederatedLoss(imageCounts: [0, 3, 0, 2], sampledClasses: 10)
        var random = SeededRandom(seed: 1)
        XCTAssertEqual(loss.lossClasses(labels: [0, 4], random: &random), [0, 1, 3])
    }

    func testECMClampsEmptyClassesToOneImage() {
        let loss = ECMLoss(imageCounts: [0, 5])
        XCTAssertTrue(loss.marginOffset.allSatisfy(\.isFinite) && loss.classWeight.allSatisfy(\.isFinite))
        XCTAssertEqual(loss.marginOffset, ECMLoss(imageCounts: [1, 5]).marginOffset)
    }
}
