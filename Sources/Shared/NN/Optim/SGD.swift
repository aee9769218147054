// SGD with momentum and weight decay, PyTorch semantics, as one flat loop over the
// parameter store's values, gradients and momentum (same layout), skipping frozen ranges:
//   d = g + weightDecay * w;  buf = momentum * buf + d;  w -= lr * buf
// (PyTorch's first step sets buf = d, which is the same as starting from buf = 0.)
//
// Legend: P = parameter floats in the store.   values, gradients, momentum: [P]

/// SGD hyperparameters except the learning rate, which the schedule gives per step.
public struct SGDOptions: Sendable, Equatable, Codable {
    public var momentum: Float
    public var weightDecay: Float

    public init(momentum: Float = 0.9, weightDecay: Float = 1e-4) {
        precondition(momentum >= 0 && weightDecay >= 0, "momentum and weight decay must be non-negative")
        self.momentum = momentum
        self.weightDecay = weightDecay
    }
}

/// One SGD step over the floats `range` of the flat buffers (a trainable parameter or a
/// run of them). Frozen parameters are simply never passed, so they stay bit-identical.
@inlinable
public func sgdStep(values: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                    momentum buffer: UnsafeMutableBufferPointer<Float>, range: Range<Int>,
                    learningRate: Float, options: SGDOptions) {
    precondition(range.upperBound <= values.count && range.upperBound <= gradients.count
                 && range.upperBound <= buffer.count, "SGD range outside the store")
    let m = options.momentum, wd = options.weightDecay
    for i in range {
        let d = gradients[i] + wd * values[i]
        let b = m * buffer[i] + d
        buffer[i] = b
        values[i] -= learningRate * b
    }
}

/// The plain loop PyTorch's `torch.optim.SGD` documents, kept as the test oracle
/// (explicit first-step branch, double-free arrays).
public func sgdStepReference(values: inout [Float], gradients: [Float], momentum buffer: inout [Float]?,
                             learningRate: Float, options: SGDOptions) {
    var d = zip(gradients, values).map { $0 + options.weightDecay * $1 }
    if options.momentum != 0 {
        if var b = buffer {
            for i in b.indices { b[i] = options.momentum * b[i] + d[i] }
            buffer = b
        } else {
            buffer = d
        }
        d = buffer!
    }
    for i in values.indices { values[i] -= learningRate * d[i] }
}

/// Merges the float ranges of the trainable parameters into as few runs as possible, so
/// the step is "one flat loop" over the store with holes only where something is frozen.
public func mergedTrainableRanges(_ ranges: [Range<Int>]) -> [Range<Int>] {
    let sorted = ranges.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
    var merged: [Range<Int>] = []
    for range in sorted {
        if let last = merged.last, last.upperBound >= range.lowerBound {
            merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
        } else {
            merged.append(range)
        }
    }
    return merged
}
