// The numeric derivative of the loss along one input entry: the loss at 13 points of a
// stencil around the entry's value, a least-squares fit, and a bound on the fit's error.

/// The fitted slope at one entry and the parts of its error bound.
public struct NumericDerivative {
    public let slope: Double
    /// The step (the stencil spans ±step around the entry's value).
    public let step: Double
    /// `noiseQuantile` standard errors of the slope, from the fit's residual (rounding noise of the
    /// float forward as measured at this entry on this CPU, plus any misfit such as a kink off x).
    public let noise: Double
    /// The slope break at x (a kink at the entry itself), from the |τ| coefficient: for a loss
    /// J·max(t, 0) the fit gives slope J/2 and kink J/2 exactly, and the analytic gradient may be
    /// either one-sided slope, slope ± kink.
    public let kink: Double
    /// The largest change of the slope that the loss's own float rounding can cause: the slope is
    /// Σ w_k f_k over the stencil, so errors of at most δ_k move it by at most Σ |w_k| δ_k.
    public let lossRounding: Double
    /// The cubic coefficient: how far a plain central difference at ±step would be off (removed by
    /// the fit; reported to help investigate a failure).
    public let truncation: Double

    public var uncertainty: Double { noise + kink + lossRounding }
}

public enum FiniteDifference {
    /// Offsets of the stencil in steps: 13 points k/6, k = -6...6. A stencil shares 3 of its 6 point
    /// pairs with the stencil of half or twice its step, and the centre is shared by all, so the
    /// first step costs 12 loss evaluations and each next one 6.
    public static let stencil: [Double] = (-6...6).map { Double($0) / 6 }

    /// The 5e-7 upper quantile of Student's t with 8 degrees of freedom (13 points, 5 coefficients):
    /// Gaussian noise alone puts the fitted slope outside `noise` with probability 1e-6 (5e-6 over
    /// the five steps an entry may try).
    public static let noiseQuantile = 13.3

    /// The steps tried at an entry, in order, for inputs whose loss changes its slope appreciably
    /// over `inputScale`: 2^-8 ≈ cbrt(u) (u = 2^-24), the classical central-difference step, then
    /// alternately longer and shorter. Longer steps help where float noise dominates (it falls as
    /// u / step), up to 2^-6 ≈ u^(1/5), the best step for a smooth loss once the fit removes the cubic
    /// term (what remains grows as step^4); shorter ones where slope breaks (ReLU kinks) are denser
    /// than the step, down to 2^-10, where the float noise is 4x the first step's.
    public static func steps(inputScale: Double) -> [Double] {
        return [0x1p-8, 0x1p-7, 0x1p-9, 0x1p-6, 0x1p-10].map { $0 * inputScale }
    }

    /// The derivative at `original` of the loss as a function of one float value, `lossAt`
    /// (called at `original` for the centre). Nil when the step is below the float spacing of
    /// the value (stencil points coincide).
    public static func derivative(at original: Float, step: Double, lossAt: (Float) -> LossValue) -> NumericDerivative? {
        let centre = lossAt(original)
        var tau: [Double] = [], values: [Double] = [], roundings: [Double] = []
        for offset in stencil {
            // The step actually taken: the perturbed value is a float.
            let perturbed = Float(Double(original) + offset * step)
            let value = offset == 0 ? centre : lossAt(perturbed)
            tau.append(offset == 0 ? 0 : (Double(perturbed) - Double(original)) / step)
            values.append(offset == 0 ? 0 : value.value - centre.value)
            roundings.append(value.rounding)
        }
        guard let fit = StencilFit(tau: tau, values: values) else { return nil }
        let standardError = (fit.residualSumOfSquares / Double(fit.degreesOfFreedom) * fit.slopeVarianceFactor).squareRoot()
        let rounding = zip(fit.slopeWeights, roundings).reduce(0.0) { $0 + Swift.abs($1.0) * $1.1 }
        return NumericDerivative(slope: fit.coefficients[StencilFit.slope] / step, step: step,
                                 noise: noiseQuantile * standardError / step,
                                 kink: Swift.abs(fit.coefficients[StencilFit.kink]) / step,
                                 lossRounding: rounding / step,
                                 truncation: fit.coefficients[StencilFit.cubic] / step)
    }
}
