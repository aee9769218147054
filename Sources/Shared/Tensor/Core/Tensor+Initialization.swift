// Seeded initialisers: every random fill takes the caller's `SeededRandom`, so a seed
// gives the same weights on every machine and thread count.
import SharedSupport

/// Which fan a Kaiming (MSRA) initialisation preserves the variance of.
public enum FanMode: String, Sendable {
    case fanIn = "fan_in"
    case fanOut = "fan_out"
}

/// Fan-in and fan-out of a weight shape as PyTorch computes them:
/// shape [out, in, k...] -> fanIn = in * prod(k), fanOut = out * prod(k).
public func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
    precondition(shape.count >= 2, "fans need a weight of rank >= 2, got \(shape)")
    let receptive = shape.dropFirst(2).reduce(1, *)
    return (shape[1] * receptive, shape[0] * receptive)
}

extension Tensor {
    /// Fills with N(mean, std^2) draws, in element order.
    public func fillNormal(mean: Float = 0, std: Float, random: inout SeededRandom) {
        let out = buffer
        for i in out.indices { out[i] = mean + std * random.nextGaussian() }
    }

    /// Fills with uniform draws in [low, high), in element order.
    public func fillUniform(low: Float, high: Float, random: inout SeededRandom) {
        let out = buffer
        for i in out.indices { out[i] = low + (high - low) * random.nextFloat() }
    }

    /// Kaiming (MSRA) normal init for a ReLU network: std = sqrt(2 / fan), where the fan is
    /// taken from this tensor's shape ([out, in, kh, kw] or [out, in]).
    public func fillKaimingNormal(mode: FanMode = .fanOut, random: inout SeededRandom) {
        let (fanIn, fanOut) = fans(of: shape)
        let fan = mode == .fanIn ? fanIn : fanOut
        fillNormal(std: (2 / Float(Swift.max(1, fan))).squareRoot(), random: &random)
    }

    /// Kaiming uniform init with a = sqrt(5) (PyTorch's default for conv and linear
    /// weights): bound = sqrt(6 / ((1 + a^2) fanIn)) = 1 / sqrt(fanIn).
    public func fillKaimingUniformDefault(random: inout SeededRandom) {
        let bound = 1 / Float(Swift.max(1, fans(of: shape).fanIn)).squareRoot()
        fillUniform(low: -bound, high: bound, random: &random)
    }

    /// Sets every element to zero (alias for readability next to the random fills).
    public func fillZeros() { fill(0) }

    /// Sets every element to one.
    public func fillOnes() { fill(1) }
}
