// Helpers for the model tests: a smoke-sized model, seeded random tensors, and the gradient
// check of loss = sum(outputs * R) for random R over named probes.
import XCTest
import Foundation
@testable import SharedDetection
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN
import GradientChecking

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

    /// A tensor whose entries are perturbed and its analytic gradient.
    struct Probe {
        var name: String
        var value: Tensor
        var gradient: Tensor
    }

    /// Runs forward, backward with dOutputs = R from zeroed gradients, then compares `entries`
    /// sampled entries of each probe's gradient with the shared finite-difference check of
    /// loss = sum(outputs * R) (GradientChecking: entries near a kink come out unresolved and
    /// others are drawn instead; a probe with too few resolved entries fails).
    static func checkGradients(forward: () -> [Tensor], backward: ([Tensor]) -> Void, probes: () -> [Probe],
                               store: ParameterStore, entries: Int = 2, seed: UInt64 = 7, label: String = #function,
                               file: StaticString = #filePath, line: UInt = #line) {
        store.zeroGradients()
        let inputs = probes().map { GradientInput(name: $0.name, value: $0.value, gradient: $0.gradient) }
        GradientChecking.checkGradients(label, inputs: inputs, outputs: forward, backward: backward, initialGradient: .zero,
                                        options: GradientCheckOptions(entries: entries, seed: seed), file: file, line: line)
    }

    /// Probes for the named parameters of `store`.
    static func parameterProbes(_ names: [String], store: ParameterStore) -> [Probe] {
        names.map { name in
            guard let parameter = store[name] else { preconditionFailure("no parameter \(name)") }
            return Probe(name: name, value: store.value(parameter), gradient: store.gradient(parameter))
        }
    }
}
