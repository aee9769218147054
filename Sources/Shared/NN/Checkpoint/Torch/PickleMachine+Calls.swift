// What REDUCE, NEWOBJ and BUILD mean for each allowed global: this reader's own code builds
// the dict, tensor, numpy array or bytes that the named function would have returned, after
// checking its arguments. A call of anything else is refused (or, when the caller asked for
// it, recorded as a `PickleObject` with its arguments: still nothing is called).
import SharedSupport

extension PickleMachine {
    /// REDUCE: `callable(*arguments)`.
    func call(_ callable: PickleItem, arguments: PickleItem) throws -> PickleItem {
        guard let arguments = arguments.tupleItems else {
            throw ToolError("REDUCE with \(arguments.kind) as arguments, not a tuple")
        }
        guard case let .global(global, name) = callable else {
            if recordUnknown, case let .object(object) = callable {
                return .object(arena.keep(PickleObjectBox(className: "(a call of \(object.className))", arguments: arguments)))
            }
            throw ToolError("REDUCE calls \(callable.kind), not an allowed class or function")
        }
        switch global {
        case .orderedDict, .counter:
            let box = arena.keep(PickleDictBox())
            switch arguments.count {
            case 0: break
            case 1:  // OrderedDict(pairs) / Counter(mapping)
                try fill(box, from: arguments[0], name: name)
            default: throw ToolError("\(name) called with \(arguments.count) arguments")
            }
            return .dict(box)
        case .rebuildTensor:
            return .tensor(try rebuildTensor(arguments))
        case .rebuildParameter, .rebuildParameterWithState:
            let count = global == .rebuildParameter ? 3 : 4
            guard arguments.count == count, case let .tensor(tensor) = arguments[0] else {
                throw ToolError("\(name) needs (tensor, requires_grad, hooks\(count == 4 ? ", state" : "")), "
                                + "got \(arguments.count) arguments starting with \(arguments.first?.kind ?? "nothing")")
            }
            return .tensor(tensor)
        case .numpyReconstruct:
            guard arguments.count == 3, case .global(.numpyArrayClass, _) = arguments[0] else {
                if recordUnknown, arguments.count == 3, case let .global(.unknown(subclass), _) = arguments[0] {
                    return .object(arena.keep(PickleObjectBox(className: subclass, arguments: arguments)))
                }
                throw ToolError("\(name) must make a numpy.ndarray, got \(arguments.first?.kind ?? "no arguments")")
            }
            return .numpyArray(arena.keep(NumpyArrayBox()))
        case .numpyDType:
            guard (1...3).contains(arguments.count), let code = arguments[0].text else {
                throw ToolError("numpy.dtype needs a type code, got \(arguments.first?.kind ?? "no arguments")")
            }
            return .numpyDType(arena.keep(NumpyDTypeBox(code: code)))
        case .numpyScalar:
            return try NumpyPickle.scalar(arguments)
        case .numpyFromBuffer:
            return .tensor(try NumpyPickle.fromBuffer(arguments, key: nextNumpyKey(), path: path))
        case .codecsEncode:
            return .bytes(try latin1Encode(arguments))
        case .emptyBytes:
            guard arguments.isEmpty else { throw ToolError("\(name) with arguments (only bytes() is read)") }
            return .bytes(try TorchBytes.copying(UnsafeRawBufferPointer(start: nil, count: 0)).all)
        case .unknown:
            return .object(arena.keep(PickleObjectBox(className: name, arguments: arguments)))
        case .storageType, .numpyArrayClass:
            throw ToolError("the pickle calls \(name), which is only read as a type, never called")
        }
    }

    /// NEWOBJ / NEWOBJ_EX: `type.__new__(type, *arguments)`.
    func newObject(_ type: PickleItem, arguments: PickleItem, keywords: PickleItem?) throws -> PickleItem {
        guard let arguments = arguments.tupleItems else {
            throw ToolError("NEWOBJ with \(arguments.kind) as arguments, not a tuple")
        }
        guard case let .global(global, name) = type else { throw ToolError("NEWOBJ of \(type.kind), not an allowed class") }
        switch global {
        case .orderedDict, .counter:
            return .dict(arena.keep(PickleDictBox()))  // __new__ ignores its arguments; SETITEMS fill it
        case .unknown:
            let box = arena.keep(PickleObjectBox(className: name, arguments: arguments))
            if let keywords { box.state = keywords }
            return .object(box)
        default:
            throw ToolError("NEWOBJ of \(name), which is not made that way")
        }
    }

    /// BUILD: sets the state of the object on top of the stack.
    func build(_ object: PickleItem, state: PickleItem) throws {
        switch object {
        case .dict:
            // An OrderedDict's attributes, such as a state dict's `_metadata` (module versions): not kept.
            switch state {
            case .dict, .none: return
            case let .tuple(pair) where pair.items.count == 2: return
            default: throw ToolError("BUILD of a dict with \(state.kind) as its attributes")
            }
        case let .numpyArray(box):
            guard box.tensor == nil else { throw ToolError("BUILD of a numpy array that is already built") }
            box.tensor = try NumpyPickle.arrayState(state, key: nextNumpyKey(), path: path)
        case let .numpyDType(box):
            try NumpyPickle.dtypeState(state, into: box)
        case let .object(box):
            box.state = state
        default:
            throw ToolError("BUILD of \(object.kind), which has no state to set")
        }
    }

    /// The next numpy array's storage key.
    private func nextNumpyKey() -> String {
        defer { numpyArrays += 1 }
        return "numpy array \(numpyArrays)"
    }

    /// `OrderedDict(pairs)` or `Counter(mapping)`: a dict's entries, or a list or tuple of pairs.
    private func fill(_ box: PickleDictBox, from source: PickleItem, name: String) throws {
        switch source {
        case let .dict(other):
            box.entries = other.entries
        case let .list(pairs), let .tuple(pairs):
            for pair in pairs.items {
                guard case let .tuple(items) = pair, items.items.count == 2 else {
                    throw ToolError("\(name) of a list holding \(pair.kind), not (key, value) pairs")
                }
                box.entries.append((items.items[0], items.items[1]))
            }
        default:
            throw ToolError("\(name) of \(source.kind)")
        }
    }

    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`.
    private func rebuildTensor(_ arguments: [PickleItem]) throws -> TorchTensor {
        guard arguments.count == 6 || arguments.count == 7 else {
            throw ToolError("_rebuild_tensor_v2 with \(arguments.count) arguments, not 6 or 7")
        }
        guard case let .storage(storage) = arguments[0] else {
            throw ToolError("_rebuild_tensor_v2 of \(arguments[0].kind), not a storage (a persistent id)")
        }
        guard case let .int(offset) = arguments[1] else { throw ToolError("a tensor's storage offset is \(arguments[1].kind)") }
        let shape = try integers(arguments[2], what: "size")
        let strides = try integers(arguments[3], what: "stride")
        return try TorchTensor(storage: storage, shape: shape, strides: strides, storageOffset: Int(offset))
    }

    /// A tuple of ints (a tensor's size or stride).
    private func integers(_ item: PickleItem, what: String) throws -> [Int] {
        guard let items = item.tupleItems else { throw ToolError("a tensor's \(what) is \(item.kind), not a tuple") }
        return try items.map { element in
            guard case let .int(value) = element else { throw ToolError("a tensor's \(what) holds \(element.kind)") }
            return Int(value)
        }
    }

    /// `_codecs.encode(text, "latin1")`: each code point (< 256) one byte.
    private func latin1Encode(_ arguments: [PickleItem]) throws -> TorchByteRange {
        guard arguments.count == 2, case let .string(text) = arguments[0], let encoding = arguments[1].text,
              ["latin1", "latin-1", "iso-8859-1"].contains(encoding.lowercased()) else {
            throw ToolError("_codecs.encode is only read as encode(str, \"latin1\") (bytes in a protocol-2 pickle)")
        }
        let count = text.unicodeScalars.count
        encodedBytes += count
        guard encodedBytes <= input.count else {
            throw ToolError("_codecs.encode makes more bytes than the pickle holds (the same str encoded again and again)")
        }
        return try TorchBytes.allocate(count: count) { buffer in
            for (index, scalar) in text.unicodeScalars.enumerated() {
                guard scalar.value < 256 else { throw ToolError("_codecs.encode(…, \"latin1\") of a str with U+\(String(scalar.value, radix: 16))") }
                buffer[index] = UInt8(scalar.value)
            }
        }.all
    }
}
