// A tensor of a PyTorch checkpoint as torch.load would rebuild it: a typed storage (bytes
// of the file, shared by every view of it) and a view of it (shape, strides and offset in
// elements). A view is checked against its storage when it is made, so reading it later
// cannot leave the storage.
import SharedSupport

/// Element types of checkpoint tensors (torch storages and numpy arrays) this reader converts.
public enum TorchDType: String, Sendable, CaseIterable {
    case float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    public var byteSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: return true
        default: return false
        }
    }
}

/// One storage: `elementCount` elements of `dtype`, little-endian, shared by the tensors that
/// view it. Its bytes are bound when the archive is read (legacy files hold them after the pickle).
public final class TorchStorage: @unchecked Sendable {
    /// The key the file gives it (zip: `data/KEY`; legacy: the saved object's address;
    /// numpy: "numpy array N").
    public let key: String
    public let dtype: TorchDType
    public let elementCount: Int
    /// The file, for messages.
    public let path: String
    var bytes: TorchByteRange?

    init(key: String, dtype: TorchDType, elementCount: Int, path: String, bytes: TorchByteRange? = nil) {
        self.key = key
        self.dtype = dtype
        self.elementCount = elementCount
        self.path = path
        self.bytes = bytes
    }

    /// The bound bytes (every storage of a checkpoint that was read is bound).
    func boundBytes() throws -> TorchByteRange {
        guard let bytes else { throw ToolError("storage \(key) has no data", file: path) }
        return bytes
    }
}

/// A tensor: a view of `storage`. Equal tensors view the same storage object the same way.
public struct TorchTensor: Sendable, Equatable {
    public let storage: TorchStorage
    public let shape: [Int]
    /// Strides in elements, one per dimension.
    public let strides: [Int]
    /// Offset of element [0, 0, ...] in the storage, in elements.
    public let storageOffset: Int
    /// The number of elements (1 for a 0-d tensor).
    public let elementCount: Int

    public var dtype: TorchDType { storage.dtype }

    public static func == (a: TorchTensor, b: TorchTensor) -> Bool {
        a.storage === b.storage && a.shape == b.shape && a.strides == b.strides && a.storageOffset == b.storageOffset
    }

    /// Whether the elements lie in row-major order without gaps.
    public var isContiguous: Bool {
        var expected = 1
        for dimension in shape.indices.reversed() where shape[dimension] != 1 {
            if strides[dimension] != expected { return false }
            expected = expected &* shape[dimension]  // wraps only for empty tensors
        }
        return true
    }

    /// The most dimensions a tensor may have (torch allows 64).
    static let maxDimensions = 64

    /// A view of `storage`, checked: non-negative sizes, strides and offset; at most as many
    /// elements as the storage holds (a stride-0 expansion is refused: its values would be
    /// allocated by a number read from the file); every element inside the storage.
    init(storage: TorchStorage, shape: [Int], strides: [Int], storageOffset: Int) throws {
        guard shape.count == strides.count else {
            throw ToolError("a tensor with \(shape.count) sizes and \(strides.count) strides")
        }
        guard shape.count <= Self.maxDimensions else {
            throw ToolError("a tensor with \(shape.count) dimensions, more than the \(Self.maxDimensions) torch allows")
        }
        guard shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }), storageOffset >= 0 else {
            throw ToolError("a tensor with a negative size, stride or offset (shape \(shape), strides \(strides), offset \(storageOffset))")
        }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw ToolError("a tensor of shape \(shape) has too many elements to count") }
            count = product
        }
        let storageText = "storage \(storage.key) (\(storage.elementCount) \(storage.dtype.rawValue) elements)"
        guard count <= storage.elementCount else {
            throw ToolError("a tensor of shape \(shape) (\(count) elements) views \(storageText), which holds fewer: "
                            + "an expanded (stride 0) tensor",
                            hint: "save it with .contiguous() (or .clone()) so that its values are in the file")
        }
        // The last element viewed: offset + sum((size - 1) * stride), in checked arithmetic.
        var last = storageOffset
        if count > 0 {
            for (size, stride) in zip(shape, strides) {
                let (step, overflow) = (size - 1).multipliedReportingOverflow(by: stride)
                let (sum, overflow2) = last.addingReportingOverflow(step)
                guard !overflow, !overflow2 else { throw ToolError("a tensor view of shape \(shape), strides \(strides) overflows") }
                last = sum
            }
        }
        guard count == 0 ? storageOffset <= storage.elementCount : last < storage.elementCount else {
            throw ToolError("a tensor of shape \(shape), strides \(strides), offset \(storageOffset) reaches element \(last) of "
                            + "\(storageText): the storage is too short for it")
        }
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.storageOffset = storageOffset
        self.elementCount = count
    }

    /// Row-major strides of `shape` (column-major with `columnMajor`), in checked arithmetic.
    static func packedStrides(_ shape: [Int], columnMajor: Bool = false) throws -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for dimension in columnMajor ? Array(shape.indices) : shape.indices.reversed() {
            strides[dimension] = step
            let (next, overflow) = step.multipliedReportingOverflow(by: max(shape[dimension], 1))
            guard !overflow else { throw ToolError("an array of shape \(shape) is too large to address") }
            step = next
        }
        return strides
    }
}
