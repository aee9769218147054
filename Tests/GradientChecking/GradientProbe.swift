// One differentiable input under a gradient check: how to read and write its entries, its
// analytic gradient, and the input scale that sets the finite-difference step.
@_spi(Kernels) import SharedTensor

public struct GradientProbe {
    public let name: String
    public let count: Int
    let read: (Int) -> Float
    let write: (Int, Float) -> Void
    /// The analytic gradient, one value per entry.
    public let analytic: [Double]
    /// Rounding the analytic values carry beyond the backward's own (e.g. half an ulp of the float
    /// sum when backward accumulated onto a non-zero buffer); 0 when none.
    public let analyticRounding: [Double]
    /// The distance over which the loss's slope along one entry changes appreciably: 1 for the
    /// unit-scale inputs, weights and activations of these tests. The steps are fixed fractions of it
    /// (`FiniteDifference.steps`).
    public let inputScale: Double

    public init(name: String, count: Int, read: @escaping (Int) -> Float, write: @escaping (Int, Float) -> Void,
                analytic: [Double], analyticRounding: [Double]? = nil, inputScale: Double = 1) {
        precondition(analytic.count == count, "\(name): \(analytic.count) analytic values for \(count) entries")
        precondition(analyticRounding.map { $0.count == count } ?? true, "\(name): analytic rounding per entry")
        precondition(inputScale > 0, "\(name): the input scale must be positive")
        self.name = name
        self.count = count
        self.read = read
        self.write = write
        self.analytic = analytic
        self.analyticRounding = analyticRounding ?? [Double](repeating: 0, count: count)
        self.inputScale = inputScale
    }

    /// A probe of the entries of `value`.
    public init(name: String, value: Tensor, analytic: [Double], analyticRounding: [Double]? = nil, inputScale: Double = 1) {
        self.init(name: name, count: value.count, read: { value.data[$0] }, write: { value.data[$0] = $1 },
                  analytic: analytic, analyticRounding: analyticRounding, inputScale: inputScale)
    }
}

/// A float vector that a check perturbs in place (the inputs of array-based functions).
public final class ProbedVector {
    public var values: [Float]

    public init(_ values: [Float]) { self.values = values }

    public func probe(name: String = "x", analytic: [Double], analyticRounding: [Double]? = nil,
                      inputScale: Double = 1) -> GradientProbe {
        GradientProbe(name: name, count: values.count, read: { self.values[$0] }, write: { self.values[$0] = $1 },
                      analytic: analytic, analyticRounding: analyticRounding, inputScale: inputScale)
    }
}
