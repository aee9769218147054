// torch.save's legacy format (`_use_new_zipfile_serialization=False`, and every file of
// PyTorch before 1.6): five pickles in a row (the magic number, the protocol version 1001,
// the system info, the object with storages as persistent ids, the list of storage keys),
// then each listed storage as a little-endian int64 element count and its raw bytes.
import SharedSupport

enum TorchLegacyFormat {
    /// The magic number pickle's value, 0x1950a86a20f9469cfc6c, as little-endian bytes.
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// Whether the first pickle's value is the magic number.
    static func isMagic(_ item: PickleItem) -> Bool {
        if case let .largeInt(bytes) = item { return bytes == magic }
        return false
    }

    /// Reads the pickles after the magic number (which ends at `offset`) and the storages.
    static func read(_ file: TorchByteRange, after offset: Int, path: String, recordUnknown: Bool, arena: PickleArena,
                     operations: inout Int) throws -> PickleItem {
        let pickles = PickleSequenceReader(file: file, position: offset, path: path, recordUnknown: recordUnknown, arena: arena)
        defer { operations += pickles.operations }
        func next(_ label: String, persistentLoad: ((PickleItem) throws -> PickleItem)? = nil) throws -> PickleItem {
            try pickles.next(label, persistentLoad: persistentLoad ?? refusePersistentID)
        }
        guard case .int(1001) = try next("the protocol-version pickle") else {
            throw ToolError("the legacy checkpoint's protocol version is not 1001")
        }
        let systemInfo = try next("the system-info pickle")
        if case let .dict(info) = systemInfo,
           let entry = info.entries.first(where: { $0.key.text == "little_endian" }), case .bool(false) = entry.value {
            throw ToolError("the checkpoint was saved on a big-endian machine (little_endian False)",
                            hint: "load it with PyTorch on that machine and save it again, or as safetensors")
        }
        var storages: [String: TorchStorage] = [:]
        let root = try next("the main pickle") { item in
            let id = try TorchPersistentID(item, legacy: true)
            if let storage = try id.agrees(with: storages[id.key]) { return .storage(storage) }
            _ = try id.byteCount()
            let storage = TorchStorage(key: id.key, dtype: id.dtype, elementCount: id.elementCount, path: path)
            storages[id.key] = storage
            return .storage(storage)
        }
        guard case let .list(keyList) = try next("the storage-key pickle") else {
            throw ToolError("the legacy checkpoint's storage keys are not a list")
        }
        var position = pickles.position
        for keyItem in keyList.items {
            guard let key = keyItem.text else { throw ToolError("a storage key that is \(keyItem.kind)") }
            guard let storage = storages[key] else {
                throw ToolError("storage \(key) is listed but no tensor uses it (a damaged file)")
            }
            guard storage.bytes == nil else { throw ToolError("storage \(key) is listed twice") }
            guard position <= file.count - 8 else {
                throw ToolError("the file ends before storage \(key) (a truncated file?)", record: "byte \(position)")
            }
            let count = Int64(littleEndian: file.raw.loadUnaligned(fromByteOffset: position, as: Int64.self))
            guard count == Int64(storage.elementCount) else {
                throw ToolError("storage \(key) holds \(count) elements in the file and \(storage.elementCount) in the pickle",
                                record: "byte \(position)")
            }
            let byteCount = storage.elementCount * storage.dtype.byteSize  // checked by byteCount() above
            guard byteCount <= file.count - position - 8 else {
                throw ToolError("the file ends inside storage \(key): \(byteCount) bytes needed, \(file.count - position - 8) left "
                                + "(a truncated file?)", record: "byte \(position)")
            }
            storage.bytes = file.slice(position + 8, byteCount)
            position += 8 + byteCount
        }
        if let unbound = storages.values.first(where: { $0.bytes == nil }) {
            throw ToolError("storage \(unbound.key) is used by a tensor but not in the file (a damaged file)")
        }
        guard position == file.count else {
            throw ToolError("\(file.count - position) bytes follow the last storage", record: "byte \(position)")
        }
        return root
    }

    /// Runs pickles one after the other from one position.
    private final class PickleSequenceReader {
        let file: TorchByteRange, path: String, recordUnknown: Bool, arena: PickleArena
        var position: Int
        var operations = 0

        init(file: TorchByteRange, position: Int, path: String, recordUnknown: Bool, arena: PickleArena) {
            self.file = file
            self.position = position
            self.path = path
            self.recordUnknown = recordUnknown
            self.arena = arena
        }

        func next(_ label: String, persistentLoad: @escaping (PickleItem) throws -> PickleItem) throws -> PickleItem {
            let machine = PickleMachine(input: file, from: position, path: path, label: label, recordUnknown: recordUnknown,
                                        arena: arena, persistentLoad: persistentLoad)
            let item = try machine.run()
            position = machine.position
            operations += machine.operations
            return item
        }
    }

    /// Persistent ids outside the main pickle are refused.
    static func refusePersistentID(_ item: PickleItem) throws -> PickleItem {
        throw ToolError("a persistent id (BINPERSID) where torch.save writes none")
    }
}
