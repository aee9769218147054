// The unpickler: the opcodes of pickle protocols 2-5 that torch.save, numpy and Python write
// into checkpoints, run over bytes it never copies (strings excepted), with Python's stack,
// marks and memo. GLOBAL names only the allow-list (`PickleGlobal`); REDUCE, NEWOBJ and BUILD
// are interpreted by `PickleMachine+Calls.swift`; every read and every pop is checked, so no
// byte sequence traps. Errors are `ToolError`s naming the pickle and the opcode's byte.
import SharedSupport

/// Bounds on one pickle, far above real checkpoints (mmdetection's largest data.pkl runs a few
/// hundred thousand opcodes) and below what would exhaust memory.
enum PickleLimits {
    /// Opcodes one pickle may run (each makes at most one new value).
    static let maxOperations = 10_000_000
    /// Nesting of values (dicts in lists in tuples ...).
    static let maxDepth = 128
}

final class PickleMachine {
    let input: TorchByteRange
    /// The checkpoint file (for the storages of numpy arrays).
    let path: String
    /// "data.pkl", "the pickle": where errors point.
    let label: String
    let recordUnknown: Bool
    let arena: PickleArena
    /// Turns a persistent id (BINPERSID) into a value: the format's storages.
    let persistentLoad: (PickleItem) throws -> PickleItem
    /// Storages made from numpy data so far (their keys: "numpy array N").
    var numpyArrays = 0
    /// Bytes made by `_codecs.encode` so far: at most the pickle's size (each call encodes a
    /// str of the pickle; the memo could otherwise make one str be encoded again and again).
    var encodedBytes = 0

    private(set) var position: Int
    private var stack: [PickleItem] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleItem] = [:]
    private(set) var operations = 0
    private var opcodeStart = 0

    init(input: TorchByteRange, from position: Int, path: String, label: String, recordUnknown: Bool, arena: PickleArena,
         persistentLoad: @escaping (PickleItem) throws -> PickleItem) {
        self.input = input
        self.path = path
        self.position = position
        self.label = label
        self.recordUnknown = recordUnknown
        self.arena = arena
        self.persistentLoad = persistentLoad
    }

    /// Runs from the start position through STOP; returns the value STOP pops. `position` is
    /// then just past STOP.
    func run() throws -> PickleItem {
        do {
            return try runOpcodes()
        } catch var error as ToolError {
            if error.record == nil { error.record = "\(label), byte \(opcodeStart)" }
            throw error
        }
    }

    private func runOpcodes() throws -> PickleItem {
        while true {
            opcodeStart = position
            operations += 1
            guard operations <= PickleLimits.maxOperations else {
                throw ToolError("the pickle runs more than \(PickleLimits.maxOperations) opcodes, more than any checkpoint needs")
            }
            let opcode = try readByte()
            switch opcode {
            case 0x80:  // PROTO
                let version = try readByte()
                guard version <= 5 else { throw ToolError("pickle protocol \(version) is newer than 5, the newest this reader knows") }
            case 0x95:  // FRAME: a length prefix only; the bytes follow inline.
                let length = try readUInt(8)
                guard length <= UInt64(input.count - position) else { throw truncated(needing: length) }
            case 0x2E:  // STOP
                return try pop()
            case 0x28: marks.append(stack.count)  // MARK
            case 0x30:  // POP (a mark when the stack above the last mark is empty, as in Python)
                if stack.count > (marks.last ?? 0) { stack.removeLast() } else { _ = try popMark() }
            case 0x31: _ = try popMark()  // POP_MARK
            case 0x32: push(try top())  // DUP

            case 0x4E: push(.none)  // NONE
            case 0x88: push(.bool(true))  // NEWTRUE
            case 0x89: push(.bool(false))  // NEWFALSE
            case 0x4B: push(.int(Int64(try readByte())))  // BININT1
            case 0x4D: push(.int(Int64(try readUInt(2))))  // BININT2
            case 0x4A: push(.int(Int64(Int32(bitPattern: UInt32(try readUInt(4))))))  // BININT
            case 0x8A: push(try readLong(lengthBytes: 1))  // LONG1
            case 0x8B: push(try readLong(lengthBytes: 4))  // LONG4
            case 0x47: push(.float(Double(bitPattern: try readUInt(8, bigEndian: true))))  // BINFLOAT

            case 0x8C: push(.string(try readText(lengthBytes: 1)))  // SHORT_BINUNICODE
            case 0x58: push(.string(try readText(lengthBytes: 4)))  // BINUNICODE
            case 0x8D: push(.string(try readText(lengthBytes: 8)))  // BINUNICODE8
            case 0x43: push(.bytes(try readCounted(lengthBytes: 1)))  // SHORT_BINBYTES
            case 0x42: push(.bytes(try readCounted(lengthBytes: 4)))  // BINBYTES
            case 0x8E, 0x96: push(.bytes(try readCounted(lengthBytes: 8)))  // BINBYTES8, BYTEARRAY8
            case 0x55: push(.legacyString(try readCounted(lengthBytes: 1)))  // SHORT_BINSTRING
            case 0x54:  // BINSTRING: a signed length
                let length = Int32(bitPattern: UInt32(try readUInt(4)))
                guard length >= 0 else { throw ToolError("BINSTRING with a negative length (\(length))") }
                push(.legacyString(try read(Int(length))))

            case 0x29: push(.tuple(sequence([])))  // EMPTY_TUPLE
            case 0x85: push(.tuple(sequence(try pop(1))))  // TUPLE1
            case 0x86: push(.tuple(sequence(try pop(2))))  // TUPLE2
            case 0x87: push(.tuple(sequence(try pop(3))))  // TUPLE3
            case 0x74: push(.tuple(sequence(try popMark())))  // TUPLE
            case 0x5D: push(.list(sequence([])))  // EMPTY_LIST
            case 0x6C: push(.list(sequence(try popMark())))  // LIST
            case 0x7D: push(.dict(arena.keep(PickleDictBox())))  // EMPTY_DICT
            case 0x64:  // DICT
                let box = arena.keep(PickleDictBox())
                try setItems(try popMark(), into: .dict(box))
                push(.dict(box))
            case 0x8F: push(.set(sequence([])))  // EMPTY_SET
            case 0x91: push(.set(sequence(try popMark())))  // FROZENSET
            case 0x61:  // APPEND
                let value = try pop()
                try append([value], to: try top())
            case 0x65:  // APPENDS
                let values = try popMark()
                try append(values, to: try top())
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                try setItems([key, value], into: try top())
            case 0x75:  // SETITEMS
                let items = try popMark()
                try setItems(items, into: try top())
            case 0x90:  // ADDITEMS
                let items = try popMark()
                guard case let .set(set) = try top() else { throw ToolError("ADDITEMS on \(try top().kind), not a set") }
                set.items += items

            case 0x71: try put(Int(try readByte()))  // BINPUT
            case 0x72: try put(Int(try readUInt(4)))  // LONG_BINPUT
            case 0x94: try put(memo.count)  // MEMOIZE
            case 0x68: push(try get(Int(try readByte())))  // BINGET
            case 0x6A: push(try get(Int(try readUInt(4))))  // LONG_BINGET

            case 0x63:  // GLOBAL "module\nname\n"
                let module = try readLine(), name = try readLine()
                push(try global(module: module, name: name))
            case 0x93:  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard let moduleText = module.text, let nameText = name.text else {
                    throw ToolError("STACK_GLOBAL needs two strs, found \(module.kind) and \(name.kind)")
                }
                push(try global(module: moduleText, name: nameText))
            case 0x52:  // REDUCE
                let arguments = try pop(), callable = try pop()
                push(try call(callable, arguments: arguments))
            case 0x81:  // NEWOBJ
                let arguments = try pop(), type = try pop()
                push(try newObject(type, arguments: arguments, keywords: nil))
            case 0x92:  // NEWOBJ_EX
                let keywords = try pop(), arguments = try pop(), type = try pop()
                push(try newObject(type, arguments: arguments, keywords: keywords))
            case 0x62:  // BUILD
                let state = try pop()
                try build(try top(), state: state)
            case 0x51:  // BINPERSID
                push(try persistentLoad(try pop()))

            default:
                throw unsupported(opcode)
            }
        }
    }

    // MARK: Stack, marks, memo

    func push(_ item: PickleItem) { stack.append(item) }

    /// The top item above the last mark.
    func top() throws -> PickleItem {
        guard stack.count > (marks.last ?? 0), let item = stack.last else { throw underflow() }
        return item
    }

    func pop() throws -> PickleItem {
        guard stack.count > (marks.last ?? 0), let item = stack.popLast() else { throw underflow() }
        return item
    }

    /// The top `count` items above the last mark, bottom first.
    private func pop(_ count: Int) throws -> [PickleItem] {
        guard stack.count - (marks.last ?? 0) >= count else { throw underflow() }
        defer { stack.removeLast(count) }
        return Array(stack.suffix(count))
    }

    /// The items above the last mark, which is removed.
    private func popMark() throws -> [PickleItem] {
        guard let mark = marks.popLast() else {
            throw ToolError("an opcode needs a MARK and there is none (a damaged pickle)")
        }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private func underflow() -> ToolError {
        ToolError("the pickle pops more values than it pushed (stack underflow: a damaged pickle)")
    }

    private func put(_ index: Int) throws {
        memo[index] = try top()
    }

    private func get(_ index: Int) throws -> PickleItem {
        guard let item = memo[index] else {
            throw ToolError("the pickle refers to memo entry \(index), which it never stored (a damaged pickle)")
        }
        return item
    }

    func sequence(_ items: [PickleItem]) -> PickleSequence { arena.keep(PickleSequence(items)) }

    private func append(_ values: [PickleItem], to target: PickleItem) throws {
        switch target {
        case let .list(list): list.items += values
        case let .object(object): object.listItems += values
        default: throw ToolError("APPEND to \(target.kind), not a list")
        }
    }

    /// SETITEM(S): `items` alternate key and value.
    func setItems(_ items: [PickleItem], into target: PickleItem) throws {
        guard items.count % 2 == 0 else { throw ToolError("SETITEMS with a key and no value (a damaged pickle)") }
        let pairs = stride(from: 0, to: items.count, by: 2).map { (key: items[$0], value: items[$0 + 1]) }
        switch target {
        case let .dict(dict): dict.entries += pairs
        case let .object(object): object.dictItems += pairs
        default: throw ToolError("SETITEM into \(target.kind), not a dict")
        }
    }

    private func global(module: String, name: String) throws -> PickleItem {
        .global(try PickleGlobal.named(module: module, name: name, recordUnknown: recordUnknown), name: module + "." + name)
    }

    // MARK: Reading bytes

    private func truncated(needing count: UInt64) -> ToolError {
        ToolError("the pickle ends early (a truncated file?): \(count) more bytes needed, \(input.count - position) left")
    }

    private func readByte() throws -> UInt8 {
        guard position < input.count else { throw truncated(needing: 1) }
        defer { position += 1 }
        return input.raw[position]
    }

    /// `count` bytes in place.
    private func read(_ count: Int) throws -> TorchByteRange {
        guard count >= 0, count <= input.count - position else { throw truncated(needing: UInt64(max(count, 0))) }
        defer { position += count }
        return input.slice(position, count)
    }

    /// An unsigned integer of `width` bytes, little-endian unless asked otherwise.
    private func readUInt(_ width: Int, bigEndian: Bool = false) throws -> UInt64 {
        let bytes = try read(width).raw
        var value: UInt64 = 0
        for index in 0..<width {
            let byte = UInt64(bytes[bigEndian ? index : width - 1 - index])
            value = value << 8 | byte
        }
        return value
    }

    /// Bytes counted by a little-endian length of `lengthBytes` bytes.
    private func readCounted(lengthBytes: Int) throws -> TorchByteRange {
        let length = try readUInt(lengthBytes)
        guard length <= UInt64(input.count - position) else { throw truncated(needing: length) }
        return try read(Int(length))
    }

    private func readText(lengthBytes: Int) throws -> String {
        let bytes = try readCounted(lengthBytes: lengthBytes)
        guard let text = String(validating: bytes.raw, as: UTF8.self) else {
            throw ToolError("a str of \(bytes.count) bytes is not valid UTF-8")
        }
        return text
    }

    /// A line of GLOBAL's text argument (at most 1 KB, without its newline).
    private func readLine() throws -> String {
        let rest = input.raw[position...].prefix(1024)
        guard let newline = rest.firstIndex(of: 0x0A) else {
            throw ToolError(rest.count == 1024 ? "a GLOBAL name longer than 1 KB" : "the pickle ends inside a GLOBAL name (a truncated file?)")
        }
        let line = try read(newline - position)
        position += 1
        guard let text = String(validating: line.raw, as: UTF8.self) else { throw ToolError("a GLOBAL name is not valid UTF-8") }
        return text
    }

    /// LONG1 / LONG4: little-endian two's complement of a counted length.
    private func readLong(lengthBytes: Int) throws -> PickleItem {
        let length = try readUInt(lengthBytes)
        guard length < 1 << 31 else { throw ToolError("LONG4 with a negative length") }
        guard length <= UInt64(input.count - position) else { throw truncated(needing: length) }
        let bytes = try read(Int(length)).array
        return PickleMachine.integer(littleEndian: bytes)
    }

    /// An int from two's-complement bytes: `.int` when it fits 64 bits, else `.largeInt`.
    static func integer(littleEndian bytes: [UInt8]) -> PickleItem {
        guard let last = bytes.last else { return .int(0) }
        let negative = last & 0x80 != 0
        let fill: UInt8 = negative ? 0xFF : 0
        var significant = bytes.count
        while significant > 8, bytes[significant - 1] == fill, (bytes[significant - 2] & 0x80 != 0) == negative { significant -= 1 }
        guard significant <= 8 else { return .largeInt(Array(bytes[..<significant])) }
        var value: UInt64 = negative ? ~0 : 0
        for index in (0..<significant).reversed() {
            value = value << 8 | UInt64(bytes[index])
        }
        return .int(Int64(bitPattern: value))
    }

    private func unsupported(_ opcode: UInt8) -> ToolError {
        if let name = Self.otherOpcodes[opcode] {
            return ToolError("opcode \(name) (0x\(String(opcode, radix: 16))) is outside the pickle subset this reader runs "
                             + "(protocols 2-5 as torch.save, numpy and Python write checkpoints)",
                             hint: "save the checkpoint again with torch.save (or pickle protocol 2 or later)")
        }
        return ToolError("byte 0x\(String(opcode, radix: 16)) is not a pickle opcode (a damaged file, or not a pickle)")
    }

    /// Opcodes of older protocols and rare features this reader does not run.
    static let otherOpcodes: [UInt8: String] = [
        0x49: "INT", 0x4C: "LONG", 0x53: "STRING", 0x56: "UNICODE", 0x46: "FLOAT", 0x70: "PUT", 0x67: "GET",
        0x50: "PERSID", 0x69: "INST", 0x6F: "OBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
        0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
    ]
}
