// The values a checkpoint's pickle holds once read: plain Python data (None, bool, int,
// float, str, bytes, list, tuple, dict with str or int keys) and tensors. Nothing here can
// run code; an instance of a class the reader does not know is a `PickleObject` record, and
// only when the caller asked for them (`TorchCheckpoint.UnknownClasses.record`).

/// A dict key: Python str or int (other key types are refused).
public enum PickleKey: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case int(Int64)

    public var description: String {
        switch self {
        case let .string(text): return "\"\(text)\""
        case let .int(value): return String(value)
        }
    }
}

/// A Python dict in insertion order (`collections.OrderedDict` and plain dicts alike). A key
/// set twice keeps its first position and its last value, as in Python.
public struct PickleDict: Sendable, Equatable {
    public private(set) var entries: [(key: PickleKey, value: PickleValue)] = []
    private var indexByKey: [PickleKey: Int] = [:]

    public init() {}

    public init(_ entries: [(PickleKey, PickleValue)]) {
        for (key, value) in entries { self[key] = value }
    }

    public static func == (a: PickleDict, b: PickleDict) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public var count: Int { entries.count }
    public var keys: [PickleKey] { entries.map(\.key) }

    public subscript(key: PickleKey) -> PickleValue? {
        get { indexByKey[key].map { entries[$0].value } }
        set {
            if let index = indexByKey[key] {
                if let newValue { entries[index].value = newValue } else { remove(at: index) }
            } else if let newValue {
                indexByKey[key] = entries.count
                entries.append((key, newValue))
            }
        }
    }

    /// The value under the str key `key`.
    public subscript(key: String) -> PickleValue? { self[.string(key)] }

    private mutating func remove(at index: Int) {
        entries.remove(at: index)
        indexByKey = [:]
        for (position, entry) in entries.enumerated() { indexByKey[entry.key] = position }
    }
}

/// An object of a class this reader does not interpret, as the pickle describes it; only made
/// when the caller asked for such records. Nothing was called to make it.
public struct PickleObject: Sendable, Equatable {
    /// "module.name" of the class or function the pickle names.
    public var className: String
    /// The arguments it was called with (REDUCE or NEWOBJ); nil for the class or function
    /// itself, not called.
    public var arguments: [PickleValue]?
    /// What BUILD gave it (its `__setstate__` / `__dict__` data), if anything.
    public var state: PickleValue?
    /// Items APPENDed to it (a list subclass).
    public var listItems: [PickleValue] = []
    /// Items SETITEMed into it (a dict subclass such as `collections.defaultdict`).
    public var dictItems = PickleDict()

    public init(className: String, arguments: [PickleValue]?) {
        self.className = className
        self.arguments = arguments
    }
}

/// One value of a checkpoint's pickle.
public indirect enum PickleValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int64)
    /// An int that does not fit 64 bits: its little-endian two's-complement bytes.
    case largeInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    case dict(PickleDict)
    /// A torch tensor, a numpy array, a torch Parameter (as its data).
    case tensor(TorchTensor)
    case object(PickleObject)

    public var string: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    public var int: Int64? {
        if case let .int(value) = self { return value }
        return nil
    }

    /// A float, or an int as a Double.
    public var double: Double? {
        switch self {
        case let .float(value): return value
        case let .int(value): return Double(value)
        default: return nil
        }
    }

    public var bool: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    public var dict: PickleDict? {
        if case let .dict(dict) = self { return dict }
        return nil
    }

    /// The elements of a list or a tuple.
    public var elements: [PickleValue]? {
        switch self {
        case let .list(items), let .tuple(items): return items
        default: return nil
        }
    }

    public var tensor: TorchTensor? {
        if case let .tensor(tensor) = self { return tensor }
        return nil
    }

    /// The value under str key `key` of a dict.
    public subscript(key: String) -> PickleValue? { dict?[key] }

    /// "a str", "a dict of 3 entries", "a float32 tensor [2, 3]": for messages.
    public var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "a bool"
        case .int, .largeInt: return "an int"
        case .float: return "a float"
        case .string: return "a str"
        case let .bytes(bytes): return "bytes (\(bytes.count))"
        case let .list(items): return "a list of \(items.count)"
        case let .tuple(items): return "a tuple of \(items.count)"
        case let .dict(dict): return "a dict of \(dict.count) entries"
        case let .tensor(tensor): return "a \(tensor.dtype.rawValue) tensor \(tensor.shape)"
        case let .object(object): return "an object of class \(object.className)"
        }
    }
}
