// What every model module's forward/backward receives besides its tensors: the parameter
// store, the compute resources, scratch memory, and the activation buffers that are
// reused from one iteration to the next.
import SharedSupport
import SharedTensor
import SharedNN

/// Named activation and gradient buffers kept across iterations: asking for the same key
/// again returns the same floats (grown when a larger shape is asked for), so a training
/// loop allocates its activations once. Keys are module-qualified ("backbone.res3.1.conv1.out").
/// Not thread-safe: one per model instance in use.
public final class ActivationBuffers: @unchecked Sendable {
    private var storages: [String: TensorStorage] = [:]

    public init() {}

    /// A tensor of `shape` under `key`; contents are whatever was there (callers overwrite).
    public func tensor(_ key: String, shape: [Int]) -> Tensor {
        let count = elementCount(shape)
        if let storage = storages[key], storage.capacity >= count {
            return Tensor(shape: shape, storage: storage, offset: 0)
        }
        let storage = TensorStorage(capacity: count)
        storages[key] = storage
        return Tensor(shape: shape, storage: storage, offset: 0)
    }

    /// A zero-filled tensor of `shape` under `key` (gradient buffers: backward accumulates).
    public func zeroed(_ key: String, shape: [Int]) -> Tensor {
        let tensor = tensor(key, shape: shape)
        tensor.zero()
        return tensor
    }

    /// Floats held over all keys (for memory reports).
    public var capacity: Int { storages.values.reduce(0) { $0 + $1.capacity } }

    /// Number of distinct buffers.
    public var bufferCount: Int { storages.count }
}

/// The resources of one forward/backward pass. A value; cheap to copy.
public struct ModuleContext: @unchecked Sendable {
    public let store: ParameterStore
    public let compute: Compute
    public let workspace: Workspace
    public let buffers: ActivationBuffers

    public init(store: ParameterStore, compute: Compute, workspace: Workspace = Workspace(),
                buffers: ActivationBuffers = ActivationBuffers()) {
        self.store = store
        self.compute = compute
        self.workspace = workspace
        self.buffers = buffers
    }
}

/// Xavier (Glorot) uniform init, U(-b, b) with b = sqrt(6 / (fanIn + fanOut)), zero bias:
/// mmdetection's init of the FPN convolutions and the shared box-head FC layers.
func initializeXavierUniform(_ weight: Parameter, bias: Parameter?, store: ParameterStore, random: inout SeededRandom) {
    let shape = weight.shape
    let receptive = shape.dropFirst(2).reduce(1, *)
    let fanIn = shape[1] * receptive, fanOut = shape[0] * receptive
    let bound = (6 / Float(fanIn + fanOut)).squareRoot()
    store.value(weight).fillUniform(low: -bound, high: bound, random: &random)
    if let bias { store.initialize(bias, .zeros, random: &random) }
}
