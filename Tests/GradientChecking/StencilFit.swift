// Least-squares fit of the loss along one input around its value: f(x + t) - f(x) ≈
// c0 + c1 τ + c2 τ² + c3 τ³ + c4 |τ| with τ = t / step; the slope c1 / step is the numeric derivative.

/// The fitted coefficients of one stencil and what the bound needs from the fit: the
/// slope's weights (the slope as a weighted sum of the values), its variance factor and
/// the residual.
struct StencilFit {
    /// The basis functions at τ; index 1 is the slope, 3 the cubic (truncation), 4 the kink at τ = 0.
    static func basis(_ tau: Double) -> [Double] { [1, tau, tau * tau, tau * tau * tau, Swift.abs(tau)] }
    static let slope = 1, cubic = 3, kink = 4, coefficientCount = 5

    let coefficients: [Double]
    /// Row `slope` of (XᵀX)⁻¹Xᵀ: c1 = Σ slopeWeights[k] · values[k].
    let slopeWeights: [Double]
    /// (XᵀX)⁻¹[slope][slope]: Var(c1) = σ² · slopeVarianceFactor for values with noise σ.
    let slopeVarianceFactor: Double
    let residualSumOfSquares: Double
    let degreesOfFreedom: Int

    /// Fits `values` at the offsets `tau` (in steps); nil when the design is singular
    /// (offsets that coincide because the step is below the float spacing of the input).
    init?(tau: [Double], values: [Double]) {
        let n = tau.count, p = Self.coefficientCount
        precondition(values.count == n && n > p, "a stencil needs more points than coefficients")
        let design = tau.map(Self.basis)
        var normal = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for row in design { for i in 0..<p { for j in 0..<p { normal[i][j] += row[i] * row[j] } } }
        guard let inverse = Self.invert(normal) else { return nil }
        let pseudoInverse = (0..<p).map { i in design.map { row in (0..<p).reduce(0.0) { $0 + inverse[i][$1] * row[$1] } } }
        coefficients = pseudoInverse.map { weights in zip(weights, values).reduce(0.0) { $0 + $1.0 * $1.1 } }
        slopeWeights = pseudoInverse[Self.slope]
        slopeVarianceFactor = inverse[Self.slope][Self.slope]
        var rss = 0.0
        for (row, value) in zip(design, values) {
            let fitted = zip(row, coefficients).reduce(0.0) { $0 + $1.0 * $1.1 }
            rss += (value - fitted) * (value - fitted)
        }
        residualSumOfSquares = rss
        degreesOfFreedom = n - p
    }

    /// Gauss-Jordan inverse with partial pivoting; nil for a singular matrix (a pivot below 1e-12 of
    /// the largest entry keeps no significant digits of Double's 16).
    static func invert(_ matrix: [[Double]]) -> [[Double]]? {
        let n = matrix.count
        var a = matrix
        var inverse = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        let largest = matrix.joined().map { Swift.abs($0) }.max() ?? 0
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { Swift.abs(a[$0][column]) < Swift.abs(a[$1][column]) }),
                  Swift.abs(a[pivot][column]) > 1e-12 * largest else { return nil }
            a.swapAt(column, pivot)
            inverse.swapAt(column, pivot)
            let scale = 1 / a[column][column]
            for j in 0..<n { a[column][j] *= scale; inverse[column][j] *= scale }
            for row in 0..<n where row != column {
                let factor = a[row][column]
                if factor == 0 { continue }
                for j in 0..<n { a[row][j] -= factor * a[column][j]; inverse[row][j] -= factor * inverse[column][j] }
            }
        }
        return inverse
    }
}
