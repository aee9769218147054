// Helpers for the model tests: a smoke-sized model, seeded random tensors, and a central
// finite-difference gradient check of loss = sum(outputs * R) for random R.
import XCTest
import Foundation
@testable import SharedDetection
import SharedSupport
import SharedTensor
import SharedNN

enum ModelTestSupport {
    static func compute() throws -> Compute { try Compute.load(threads: 1) }

    static func randomTensor(_ shape: [Int], random: inout SeededRandom, std: Float = 1) -> Tensor {
        let tensor = Tensor(shape: shape)
        tensor.fillNormal(std: std, random: &random)
        return tensor
    }

    /// The smoke preset with `classes` classes.
    static func smokeConfig(classes: Int = 3) throws -> DetectorConfig {
        try PresetFiles.load("smoke").resolved(numClasses: classes)
    }

    /// sum(outputs[i] * weights[i]) in Double.
    static func weightedSum(_ outputs: [Tensor], _ weights: [Tensor]) -> Double {
        zip(outputs, weights).reduce(0) { $0 + $1.0.dot($1.1) }
    }

    /// A tensor whose entries are perturbed and its analytic gradient.
    struct Probe {
        var name: String
        var value: Tensor
        var gradient: Tensor
    }

    /// Runs forward, backward with dOutputs = R, then compares `entries` random entries of
    /// each probe's gradient with central differences. Entries within `eps` of a kink (ReLU,
    /// max-pool: central differences at eps and eps/2 disagree) are skipped and others drawn instead, so
    /// only smooth points are compared ("away from kinks"); a probe without enough smooth
    /// entries fails. Fails the test on a mismatch.
    static func checkGradients(forward: () -> [Tensor], backward: ([Tensor]) -> Void, probes: () -> [Probe],
                               store: ParameterStore, entries: Int = 4, eps: Float = 3e-3,
                               relativeTolerance: Double = 2e-2, absoluteTolerance: Double = 2e-3,
                               seed: UInt64 = 7, file: StaticString = #filePath, line: UInt = #line) {
        var random = SeededRandom(seed: seed)
        let outputs = forward()
        let weights = outputs.map { randomTensor($0.shape, random: &random) }
        store.zeroGradients()
        for probe in probes() where probe.gradient.storage !== store.gradients { probe.gradient.zero() }
        backward(weights.map { $0.clone() })
        func tolerance(_ a: Double, _ b: Double) -> Double {
            absoluteTolerance + relativeTolerance * max(abs(a), abs(b))
        }
        for probe in probes() {
            XCTAssertEqual(probe.value.count, probe.gradient.count, probe.name, file: file, line: line)
            var checked = 0, attempts = 0
            while checked < entries && attempts < entries * 10 {
                attempts += 1
                let index = random.nextInt(below: probe.value.count)
                let original = probe.value.data[index]
                func central(_ step: Float) -> Double {
                    probe.value.data[index] = original + step
                    let plus = weightedSum(forward(), weights)
                    probe.value.data[index] = original - step
                    let minus = weightedSum(forward(), weights)
                    probe.value.data[index] = original
                    return (plus - minus) / Double(2 * step)
                }
                // Smooth: central differences at eps and eps/2 agree to O(eps^2); across a kink they do not.
                let coarse = central(eps), numeric = central(eps / 2)
                if abs(coarse - numeric) > tolerance(coarse, numeric) / 2 { continue }
                let analytic = Double(probe.gradient.data[index])
                XCTAssertLessThanOrEqual(abs(numeric - analytic), tolerance(numeric, analytic),
                                         "\(probe.name)[\(index)]: numeric \(numeric), analytic \(analytic)", file: file, line: line)
                checked += 1
            }
            XCTAssertEqual(checked, entries, "\(probe.name): too few entries away from kinks", file: file, line: line)
        }
    }

    /// Probes for the named parameters of `store`.
    static func parameterProbes(_ names: [String], store: ParameterStore) -> [Probe] {
        names.map { name in
            guard let parameter = store[name] else { preconditionFailure("no parameter \(name)") }
            return Probe(name: name, value: store.value(parameter), gradient: store.gradient(parameter))
        }
    }
}
