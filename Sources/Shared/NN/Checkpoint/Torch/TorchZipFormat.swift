// torch.save's zip format (PyTorch 1.6 and later; what torchvision, mmdetection 2.x and
// detectron2 `.pth` files are): ARCHIVE/data.pkl is the pickle, ARCHIVE/data/KEY the bytes of
// storage KEY, ARCHIVE/byteorder "little" (refused when "big"; absent in files older than
// PyTorch 1.10, which are little-endian). Storages are slices of the mapped file when stored.
import SharedSupport

enum TorchZipFormat {
    /// Runs data.pkl, binding each storage it names to its entry.
    static func read(_ file: TorchByteRange, path: String, recordUnknown: Bool, arena: PickleArena) throws -> (PickleItem, operations: Int) {
        let archive = try ZipArchive(file)
        let pickles = archive.entries.filter { entry in
            entry.name.hasSuffix("/data.pkl") && entry.name.split(separator: "/", omittingEmptySubsequences: false).count == 2
        }
        guard let pickleEntry = pickles.first else {
            throw ToolError("a zip archive without ARCHIVE/data.pkl: not a checkpoint written by torch.save",
                            hint: "give a .pth/.pt file written by torch.save, or a .pkl file")
        }
        guard pickles.count == 1 else {
            throw ToolError("a zip archive with \(pickles.count) data.pkl files (\(pickles.map(\.name).joined(separator: ", ")))")
        }
        let prefix = String(pickleEntry.name.dropLast("data.pkl".count))
        if let orderEntry = archive[prefix + "byteorder"] {
            let order = try archive.data(of: orderEntry).withBytes { String(decoding: $0, as: UTF8.self) }
            guard order == "little" else {
                throw ToolError(order == "big" ? "the checkpoint was saved on a big-endian machine (byteorder \"big\")"
                                               : "the byteorder entry says \"\(order.prefix(20))\", not \"little\"",
                                hint: "load it with PyTorch on that machine and save it again, or as safetensors")
            }
        }
        var storages: [String: TorchStorage] = [:]
        let machine = PickleMachine(input: try archive.data(of: pickleEntry), from: 0, path: path, label: pickleEntry.name,
                                    recordUnknown: recordUnknown, arena: arena) { item in
            let id = try TorchPersistentID(item, legacy: false)
            if let storage = try id.agrees(with: storages[id.key]) { return .storage(storage) }
            let name = prefix + "data/" + id.key
            guard let entry = archive[name] else {
                throw ToolError("storage entry \(name) is missing from the archive (a damaged file)")
            }
            let byteCount = try id.byteCount()
            guard entry.size == byteCount else {
                throw ToolError("storage entry \(name) holds \(entry.size) bytes; \(id.elementCount) \(id.dtype.rawValue) elements need \(byteCount)")
            }
            let storage = TorchStorage(key: id.key, dtype: id.dtype, elementCount: id.elementCount, path: path,
                                       bytes: try archive.data(of: entry))
            storages[id.key] = storage
            return .storage(storage)
        }
        let root = try machine.run()
        guard machine.position == machine.input.count else {
            throw ToolError("\(machine.input.count - machine.position) bytes follow the end (STOP) of \(pickleEntry.name)")
        }
        return (root, machine.operations)
    }
}
