// All parameters of a model in one allocation each for values, gradients and momentum,
// with the same layout, so the optimizer is one flat loop per parameter, a gradient
// all-reduce is one call, and a checkpoint is a header plus floats.
import SharedSupport
@_spi(Kernels) import SharedTensor

/// Values, gradients and optimizer momentum of every parameter, in `ParameterLayout`
/// order. A reference type: layers and the trainer share one store.
public final class ParameterStore: @unchecked Sendable {
    /// Every parameter, in a stable order (the order they were added to the layout).
    public let parameters: [Parameter]
    /// Floats in each flat buffer (with alignment padding, which stays zero).
    public let totalCount: Int
    /// Flat storage of the values, gradients and momentum (same layout).
    public let values: TensorStorage
    public let gradients: TensorStorage
    public let momentum: TensorStorage
    private var frozen: [Bool]
    private let indexByName: [String: Int]

    public init(layout: ParameterLayout) {
        parameters = layout.parameters
        totalCount = layout.totalCount
        values = TensorStorage(capacity: totalCount)
        gradients = TensorStorage(capacity: totalCount)
        momentum = TensorStorage(capacity: totalCount)
        frozen = layout.parameters.map { layout.frozenNames.contains($0.name) }
        indexByName = Dictionary(uniqueKeysWithValues: layout.parameters.map { ($0.name, $0.index) })
    }

    /// Number of parameters (tensors).
    public var parameterCount: Int { parameters.count }

    /// Number of scalar weights (without padding).
    public var scalarCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The parameter called `name`, or nil.
    public func parameter(named name: String) -> Parameter? {
        indexByName[name].map { parameters[$0] }
    }

    public subscript(name: String) -> Parameter? { parameter(named: name) }

    /// The value tensor of `parameter` (a view into `values`).
    public func value(_ parameter: Parameter) -> Tensor {
        check(parameter)
        return Tensor(shape: parameter.shape, storage: values, offset: parameter.offset)
    }

    /// The gradient tensor of `parameter` (a view into `gradients`).
    public func gradient(_ parameter: Parameter) -> Tensor {
        check(parameter)
        return Tensor(shape: parameter.shape, storage: gradients, offset: parameter.offset)
    }

    /// The momentum tensor of `parameter` (a view into `momentum`).
    public func momentum(_ parameter: Parameter) -> Tensor {
        check(parameter)
        return Tensor(shape: parameter.shape, storage: momentum, offset: parameter.offset)
    }

    /// Whether the optimizer leaves `parameter` unchanged.
    public func isFrozen(_ parameter: Parameter) -> Bool { frozen[parameter.index] }

    /// Freezes or unfreezes one parameter.
    public func setFrozen(_ parameter: Parameter, _ isFrozen: Bool) {
        check(parameter)
        frozen[parameter.index] = isFrozen
    }

    /// Freezes or unfreezes every parameter whose name starts with `prefix`; returns how many.
    @discardableResult
    public func setFrozen(prefix: String, _ isFrozen: Bool) -> Int {
        var changed = 0
        for parameter in parameters where parameter.name.hasPrefix(prefix) {
            frozen[parameter.index] = isFrozen
            changed += 1
        }
        return changed
    }

    /// The parameters the optimizer updates, in store order.
    public var trainable: [Parameter] { parameters.filter { !frozen[$0.index] } }

    /// Sets every gradient to zero (the trainer calls this before each backward pass).
    public func zeroGradients() { gradients.buffer.update(repeating: 0) }

    /// Sets all momentum to zero.
    public func zeroMomentum() { momentum.buffer.update(repeating: 0) }

    private func check(_ parameter: Parameter) {
        precondition(parameter.index < parameters.count && parameters[parameter.index] == parameter,
                     "parameter \(parameter.name) does not belong to this store")
    }
}
