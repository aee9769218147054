// SGD over a `ParameterStore`: the trainable parameters' float ranges, merged into runs,
// stepped by one flat loop each; frozen parameters are never touched (bit-identical).
import SharedSupport
@_spi(Kernels) import SharedTensor

/// Stochastic gradient descent with momentum and weight decay over a whole store.
public struct SGD: Sendable {
    public var options: SGDOptions

    public init(options: SGDOptions) { self.options = options }

    /// w -= lr * buf after buf = m * buf + (g + wd * w), for every trainable parameter.
    /// Parallel over chunks of each run when the store is large.
    public func step(store: ParameterStore, learningRate: Float, parallelism: Parallelism = .serial) {
        let runs = mergedTrainableRanges(store.trainable.map { $0.offset..<($0.offset + $0.count) })
        let values = store.values.buffer, momentum = store.momentum.buffer
        let gradients = UnsafeBufferPointer(store.gradients.buffer)
        let options = self.options
        for run in runs {
            parallelism.forEachChunk(run.count, minimumChunk: 1 << 16) { chunk in
                sgdStep(values: values, gradients: gradients, momentum: momentum,
                        range: (run.lowerBound + chunk.lowerBound)..<(run.lowerBound + chunk.upperBound),
                        learningRate: learningRate, options: options)
            }
        }
    }
}
