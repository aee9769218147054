// What every model module's forward/backward receives besides its tensors: the parameter
// store, the compute resources, scratch memory, and the activation buffers that are
// reused from one iteration to the next, keyed by the identity of a `BufferSlot` that the
// module owns (not by a name: two modules with one name would share a buffer).
import SharedSupport
import SharedTensor
import SharedNN

/// The identity of one activation or gradient buffer: a module creates its slots in its
/// init, one per distinct buffer (or per family of buffers told apart by an index, e.g. one
/// per FPN level), and asks `ActivationBuffers` for them by identity, never by name. Two
/// modules built with the same name therefore never share a buffer; copies of one module
/// (a struct holding the slot) do. Make slots live as long as the model: a slot created per
/// call would get a new buffer every call. `label` is for memory reports and debugging only.
public final class BufferSlot: Sendable, CustomStringConvertible {
    public let label: String

    public init(_ label: String) {
        self.label = label
    }

    public var description: String { "BufferSlot(\(label))" }
}

/// Activation and gradient buffers kept across iterations: asking for the same slot (and
/// index) again returns the same floats (grown when a larger shape is asked for), so a
/// training loop allocates its activations once. Keyed by the slot's identity (the slot is
/// kept alive with its storage). Not thread-safe: one per model instance in use.
public final class ActivationBuffers: @unchecked Sendable {
    private struct Key: Hashable {
        let slot: ObjectIdentifier
        let index: Int
    }

    private struct Entry {
        /// Held so that its identity is not reused while the storage is here.
        let slot: BufferSlot
        let index: Int
        var storage: TensorStorage
    }

    private var entries: [Key: Entry] = [:]

    public init() {}

    /// A tensor of `shape` in buffer `index` of `slot`; contents are whatever was there
    /// (callers overwrite).
    public func tensor(_ slot: BufferSlot, index: Int = 0, shape: [Int]) -> Tensor {
        let count = elementCount(shape)
        let key = Key(slot: ObjectIdentifier(slot), index: index)
        if let entry = entries[key], entry.storage.capacity >= count {
            return Tensor(shape: shape, storage: entry.storage, offset: 0)
        }
        let storage = TensorStorage(capacity: count)
        entries[key] = Entry(slot: slot, index: index, storage: storage)
        return Tensor(shape: shape, storage: storage, offset: 0)
    }

    /// A zero-filled tensor of `shape` in buffer `index` of `slot` (gradient buffers:
    /// backward accumulates).
    public func zeroed(_ slot: BufferSlot, index: Int = 0, shape: [Int]) -> Tensor {
        let tensor = tensor(slot, index: index, shape: shape)
        tensor.zero()
        return tensor
    }

    /// Floats held over all buffers (for memory reports).
    public var capacity: Int { entries.values.reduce(0) { $0 + $1.storage.capacity } }

    /// Number of distinct buffers.
    public var bufferCount: Int { entries.count }

    /// Every buffer's label (the slot's, with "[index]" when the index is not 0) and floats
    /// held, largest first (ties by label): for memory reports and debugging.
    public var report: [(label: String, capacity: Int)] {
        entries.values.map { (label: $0.index == 0 ? $0.slot.label : "\($0.slot.label)[\($0.index)]", capacity: $0.storage.capacity) }
            .sorted { $0.capacity != $1.capacity ? $0.capacity > $1.capacity : $0.label < $1.label }
    }
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
