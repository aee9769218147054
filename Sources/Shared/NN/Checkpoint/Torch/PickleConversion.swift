// Turns the unpickler's result into `PickleValue`s: dict keys checked (str or int), Python 2
// strs decoded as latin-1, numpy arrays required to be built, and classes, storages or
// dtypes standing alone refused (or recorded as objects when asked). Bounded in depth and in
// the values it makes, so a cycle or a memo shared exponentially often is refused, not followed.
import SharedSupport

struct PickleConversion {
    let recordUnknown: Bool
    /// Values left to make.
    private var budget: Int
    /// Bytes and Python 2 strs already converted, by their place in the input: a value the
    /// memo shares is copied once, not at each place it appears.
    private var convertedBytes: [ByteRangeKey: [UInt8]] = [:]
    private var convertedText: [ByteRangeKey: String] = [:]

    private struct ByteRangeKey: Hashable {
        let owner: ObjectIdentifier, start: Int, count: Int
        init(_ range: TorchByteRange) {
            owner = ObjectIdentifier(range.owner)
            start = range.start
            count = range.count
        }
    }

    /// Allows about four values per opcode the pickles ran (memo sharing makes a few more).
    init(recordUnknown: Bool, operations: Int) {
        self.recordUnknown = recordUnknown
        budget = 4 * operations + 65_536
    }

    mutating func value(_ item: PickleItem, depth: Int = 0) throws -> PickleValue {
        guard depth < PickleLimits.maxDepth else {
            throw ToolError("values nested more than \(PickleLimits.maxDepth) deep (a list that contains itself, or a damaged pickle)")
        }
        budget -= 1
        guard budget >= 0 else {
            throw ToolError("the pickle repeats shared values so often that it would make too many values (a damaged or hostile pickle)")
        }
        switch item {
        case .none: return .none
        case let .bool(value): return .bool(value)
        case let .int(value): return .int(value)
        case let .largeInt(bytes): return .largeInt(bytes)
        case let .float(value): return .float(value)
        case let .string(text): return .string(text)
        case let .legacyString(range):
            if let text = convertedText[ByteRangeKey(range)] { return .string(text) }
            let text = range.withBytes { String(latin1: $0) }
            convertedText[ByteRangeKey(range)] = text
            return .string(text)
        case let .bytes(range):
            if let bytes = convertedBytes[ByteRangeKey(range)] { return .bytes(bytes) }
            let bytes = range.array
            convertedBytes[ByteRangeKey(range)] = bytes
            return .bytes(bytes)
        case let .tuple(sequence): return .tuple(try values(sequence.items, depth: depth))
        case let .list(sequence): return .list(try values(sequence.items, depth: depth))
        case let .dict(box): return .dict(try dict(box.entries, depth: depth))
        case let .tensor(tensor): return .tensor(tensor)
        case let .numpyArray(box):
            guard let tensor = box.tensor else { throw ToolError("a numpy array that the pickle never fills in (no BUILD)") }
            return .tensor(tensor)
        case let .set(sequence):
            guard recordUnknown else { throw ToolError("a Python set: only str, int, float, bool, None, bytes, lists, tuples, dicts and tensors are read") }
            return .object(PickleObject(className: "builtins.set", arguments: [.list(try values(sequence.items, depth: depth))]))
        case let .object(box):
            var object = PickleObject(className: box.className, arguments: try box.arguments.map { try values($0, depth: depth) })
            object.state = try box.state.map { try value($0, depth: depth + 1) }
            object.listItems = try values(box.listItems, depth: depth)
            object.dictItems = try dict(box.dictItems, depth: depth)
            return .object(object)
        case let .global(_, name):
            guard recordUnknown else { throw ToolError("the pickle holds \(name) itself as a value (a class or function, not data)") }
            return .object(PickleObject(className: name, arguments: nil))
        case let .storage(storage):
            guard recordUnknown else { throw ToolError("the pickle holds storage \(storage.key) outside a tensor") }
            return .object(PickleObject(className: "torch.storage", arguments: [.string(storage.key)]))
        case let .numpyDType(box):
            guard recordUnknown else { throw ToolError("the pickle holds numpy dtype '\(box.code)' itself as a value") }
            return .object(PickleObject(className: "numpy.dtype", arguments: [.string(box.code)]))
        }
    }

    private mutating func values(_ items: [PickleItem], depth: Int) throws -> [PickleValue] {
        var result: [PickleValue] = []
        result.reserveCapacity(items.count)
        for item in items { result.append(try value(item, depth: depth + 1)) }
        return result
    }

    private mutating func dict(_ entries: [(key: PickleItem, value: PickleItem)], depth: Int) throws -> PickleDict {
        var dict = PickleDict()
        for entry in entries {
            let key: PickleKey
            switch entry.key {
            case let .int(value): key = .int(value)
            case let .bool(value): key = .int(value ? 1 : 0)  // Python: True == 1 as a key
            case let .string(text): key = .string(text)
            case .legacyString:
                guard case let .string(text) = try value(entry.key, depth: depth + 1) else { throw ToolError("a dict key that is not text") }
                key = .string(text)
            default:
                throw ToolError("a dict key that is \(entry.key.kind): only str and int keys are read")
            }
            dict[key] = try value(entry.value, depth: depth + 1)
        }
        return dict
    }
}
