// The gradient check of a tensor op or module: loss = sum(outputs * R) for a seeded random R
// (accumulated in Double), analytic gradients from one backward with dOutputs = R.
import SharedSupport
@_spi(Kernels) import SharedTensor

/// One differentiable input: its value and the gradient buffer backward writes into.
public struct GradientInput {
    public let name: String
    public let value: Tensor
    public let gradient: Tensor
    /// See `GradientProbe.inputScale`.
    public let inputScale: Double

    public init(name: String, value: Tensor, gradient: Tensor, inputScale: Double = 1) {
        precondition(value.count == gradient.count, "\(name): value and gradient differ in size")
        self.name = name
        self.value = value
        self.gradient = gradient
        self.inputScale = inputScale
    }
}

/// What the gradient buffers hold before backward.
public enum InitialGradient {
    /// Zeros.
    case zero
    /// Uniform values in [-0.5, 0.5): backward must add to them, not overwrite (checked: the analytic
    /// gradient is what was added).
    case random
}

/// Checks every input's gradient for an op with several outputs. `backward` gets dOutputs = R
/// (copies it may overwrite) after one `forward`, whose saved state it may use.
public func checkGradients(_ label: String, inputs: [GradientInput], outputs forward: () -> [Tensor],
                           backward: ([Tensor]) -> Void, initialGradient: InitialGradient = .random,
                           options: GradientCheckOptions = GradientCheckOptions(),
                           file: StaticString = #filePath, line: UInt = #line) {
    var random = SeededRandom(seed: options.seed ^ 0x5EED)
    let weights = forward().map { output in
        let r = Tensor(shape: output.shape)
        r.fillUniform(low: -1, high: 1, random: &random)
        return r
    }
    var initial: [[Float]] = []
    for input in inputs {
        switch initialGradient {
        case .zero: input.gradient.zero()
        case .random: input.gradient.fillUniform(low: -0.5, high: 0.5, random: &random)
        }
        initial.append(input.gradient.toArray())
    }
    backward(weights.map { $0.clone() })
    let probes = zip(inputs, initial).map { input, initial -> GradientProbe in
        let added = input.gradient.toArray()
        // analytic = stored - initial exactly in Double; storing a non-zero initial + g rounded by half an ulp.
        return GradientProbe(name: input.name, value: input.value,
                             analytic: zip(added, initial).map { Double($0) - Double($1) },
                             analyticRounding: zip(added, initial).map { $1 == 0 ? 0 : Double($0.ulp) / 2 },
                             inputScale: input.inputScale)
    }
    assertGradients(label, probes: probes, options: options, loss: {
        LossValue(zip(forward(), weights).reduce(0.0) { $0 + $1.0.dot($1.1) })
    }, file: file, line: line)
}

/// Checks every input's gradient for an op with one output.
public func checkGradients(_ label: String, inputs: [GradientInput], forward: () -> Tensor, backward: (Tensor) -> Void,
                           initialGradient: InitialGradient = .random, options: GradientCheckOptions = GradientCheckOptions(),
                           file: StaticString = #filePath, line: UInt = #line) {
    checkGradients(label, inputs: inputs, outputs: { [forward()] }, backward: { backward($0[0]) },
                   initialGradient: initialGradient, options: options, file: file, line: line)
}
