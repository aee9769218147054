// A loss value as the gradient check sees it: the value in Double and the part of its error
// that is a deterministic rounding of the loss itself rather than noise.

/// A loss value and the part of its error that is not noise.
public struct LossValue {
    public let value: Double
    /// The largest error of `value` from rounding the loss itself to float: half an ulp for a
    /// loss that is one float (its rounding is a staircase in the input, not noise); 0 for a
    /// Double sum of many float outputs (their roundings fall at unrelated places: noise).
    public let rounding: Double

    public init(_ value: Double, rounding: Double = 0) {
        self.value = value
        self.rounding = rounding
    }

    public init(float value: Float) {
        self.value = Double(value)
        rounding = Double(value.ulp) / 2
    }
}
