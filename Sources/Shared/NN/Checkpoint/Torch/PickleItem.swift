// What the unpickler's stack and memo hold while it runs. Containers are shared references,
// as in Python (SETITEMS on a memoised dict changes every place that holds it); each is
// registered in an arena that empties them all at the end, so no deep or cyclic structure is
// ever released recursively. Numpy arrays and dtypes are boxes BUILD fills in later.

/// A value on the stack or in the memo.
enum PickleItem {
    case none
    case bool(Bool)
    case int(Int64)
    case largeInt([UInt8])
    case float(Double)
    case string(String)
    /// A Python 2 str (BINSTRING): latin-1 text as a value, raw bytes as numpy data.
    case legacyString(TorchByteRange)
    case bytes(TorchByteRange)
    case tuple(PickleSequence)
    case list(PickleSequence)
    /// A set or frozenset (kept only as an object record).
    case set(PickleSequence)
    case dict(PickleDictBox)
    case object(PickleObjectBox)
    /// An allowed class or function and its "module.name".
    case global(PickleGlobal, name: String)
    case storage(TorchStorage)
    case tensor(TorchTensor)
    case numpyArray(NumpyArrayBox)
    case numpyDType(NumpyDTypeBox)

    /// "a str", "a tuple of 2", "the global torch.FloatStorage": for messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "a bool"
        case .int, .largeInt: return "an int"
        case .float: return "a float"
        case .string, .legacyString: return "a str"
        case .bytes: return "bytes"
        case let .tuple(sequence): return "a tuple of \(sequence.items.count)"
        case let .list(sequence): return "a list of \(sequence.items.count)"
        case .set: return "a set"
        case .dict: return "a dict"
        case let .object(box): return "an object of class \(box.className)"
        case let .global(_, name): return "the global \(name)"
        case .storage: return "a storage"
        case .tensor: return "a tensor"
        case .numpyArray: return "a numpy array"
        case .numpyDType: return "a numpy dtype"
        }
    }

    /// The text of a str (a Python 2 str of at most 4 KB as latin-1), else nil. For names,
    /// keys and codes: decoding a long Python 2 str at each use would cost its length each time.
    var text: String? {
        switch self {
        case let .string(text): return text
        case let .legacyString(range) where range.count <= 4096: return range.withBytes { String(latin1: $0) }
        default: return nil
        }
    }

    /// The elements of a tuple, else nil.
    var tupleItems: [PickleItem]? {
        if case let .tuple(sequence) = self { return sequence.items }
        return nil
    }
}

/// Anything the arena empties at the end.
protocol PickleBox: AnyObject {
    func empty()
}

/// A tuple, list or set.
final class PickleSequence: PickleBox {
    var items: [PickleItem]
    init(_ items: [PickleItem]) { self.items = items }
    func empty() { items = [] }
}

/// A dict (plain, OrderedDict, Counter): keys and values in insertion order.
final class PickleDictBox: PickleBox {
    var entries: [(key: PickleItem, value: PickleItem)] = []
    func empty() { entries = [] }
}

/// An object of a class the reader does not interpret (recorded only on request).
final class PickleObjectBox: PickleBox {
    let className: String
    var arguments: [PickleItem]?
    var state: PickleItem?
    var listItems: [PickleItem] = []
    var dictItems: [(key: PickleItem, value: PickleItem)] = []

    init(className: String, arguments: [PickleItem]?) {
        self.className = className
        self.arguments = arguments
    }

    func empty() {
        arguments = nil
        state = nil
        listItems = []
        dictItems = []
    }
}

/// `numpy.core.multiarray._reconstruct(ndarray, ...)`: an empty array BUILD fills.
final class NumpyArrayBox: PickleBox {
    var tensor: TorchTensor?
    func empty() {}
}

/// `numpy.dtype(code, ...)`: the element type; BUILD sets its byte order.
final class NumpyDTypeBox: PickleBox {
    /// The type code as given ("f4", "<i8", "b1", ...).
    let code: String
    /// nil when the code names a type this reader does not convert.
    let dtype: TorchDType?
    /// "<" little, ">" big, "|" not applicable, "=" native.
    var byteOrder: Character

    init(code: String) {
        self.code = code
        var body = Substring(code)
        var order: Character = "="
        if let first = body.first, "<>|=".contains(first) {
            order = first
            body = body.dropFirst()
        }
        self.byteOrder = order
        self.dtype = NumpyDTypeBox.types[String(body)]
    }

    func empty() {}

    /// numpy type codes this reader converts, as numpy pickles a dtype: kind + item size.
    static let types: [String: TorchDType] = [
        "f2": .float16, "f4": .float32, "f8": .float64,
        "i1": .int8, "i2": .int16, "i4": .int32, "i8": .int64,
        "u1": .uint8, "b1": .bool,
    ]

    /// Whether the bytes are little-endian (or single bytes).
    var isLittleEndian: Bool {
        byteOrder == "<" || byteOrder == "|" || (byteOrder == "=" && isHostLittleEndian)
    }

    private var isHostLittleEndian: Bool {
        #if _endian(little)
        return true
        #else
        return false
        #endif
    }
}

/// Owns every container made during one run and empties them when the run is over.
final class PickleArena {
    private var boxes: [PickleBox] = []

    func keep<Box: PickleBox>(_ box: Box) -> Box {
        boxes.append(box)
        return box
    }

    deinit {
        for box in boxes { box.empty() }
    }
}

extension String {
    /// Latin-1 text: each byte one code point.
    init(latin1 bytes: UnsafeRawBufferPointer) {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        self = String(scalars)
    }
}
