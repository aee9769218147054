// Reads a PyTorch checkpoint without running anything: torch.save's zip format, its legacy
// format, or a plain pickle (detectron2's model-zoo .pkl files). The result is the root value
// (plain data and tensors, `PickleValue`); `stateDict()` finds the model's named tensors in it.
// Any problem is a `ToolError` naming the file, the place and what to do.
import SharedSupport

/// A PyTorch checkpoint as read: its format and root value. The tensors' bytes stay in the
/// mapped file (or in one buffer per deflated entry) as long as a tensor of it lives.
public struct TorchCheckpoint: Sendable {
    public enum Format: String, Sendable {
        /// torch.save since PyTorch 1.6: a zip archive.
        case zip
        /// torch.save before 1.6 or with `_use_new_zipfile_serialization=False`.
        case legacy
        /// One plain pickle (detectron2's .pkl, numpy arrays inside).
        case pickle
    }

    /// What to do with a class the allow-list does not name.
    public enum UnknownClasses: Sendable {
        /// Refuse the file, naming the class (the default).
        case refuse
        /// Record each such object as a `PickleObject` (its name and arguments; nothing is
        /// called), so that the state dict of a file whose other entries need exotic classes
        /// (an mmengine message hub, a scheduler) can still be read. Tensor-making functions
        /// are never replaced: a tensor the reader cannot build stays a `PickleObject`, and
        /// `stateDict()` refuses it by name.
        case record
    }

    public let path: String
    public let format: Format
    public let root: PickleValue

    /// Reads the file at `path`. A missing, unreadable or non-regular file exits 74; anything
    /// wrong inside exits 1.
    public static func read(path: String, unknownClasses: UnknownClasses = .refuse) throws -> TorchCheckpoint {
        let bytes = try TorchBytes.map(path: path)
        return try read(bytes.all, path: path, unknownClasses: unknownClasses)
    }

    /// Reads a checkpoint held in memory (copied once); `name` stands for its path in messages.
    public static func parse(_ bytes: [UInt8], name: String = "<bytes>", unknownClasses: UnknownClasses = .refuse) throws -> TorchCheckpoint {
        let copy = try bytes.withUnsafeBytes { try TorchBytes.copying($0) }
        return try read(copy.all, path: name, unknownClasses: unknownClasses)
    }

    static func read(_ file: TorchByteRange, path: String, unknownClasses: UnknownClasses) throws -> TorchCheckpoint {
        do {
            return try decode(file, path: path, recordUnknown: unknownClasses == .record)
        } catch let error as ToolError {
            var located = error.inFile(path)
            if located.hint == nil { located.hint = "the file is damaged, truncated or not a PyTorch checkpoint (.pth, .pt, .pkl)" }
            throw located
        }
    }

    private static func decode(_ file: TorchByteRange, path: String, recordUnknown: Bool) throws -> TorchCheckpoint {
        let raw = file.raw
        guard raw.count > 0 else { throw ToolError("an empty file, not a checkpoint") }
        let arena = PickleArena()
        let format: Format
        let rootItem: PickleItem
        var operations: Int
        if raw.count >= 4, raw[0] == 0x50, raw[1] == 0x4B, (raw[2] == 3 && raw[3] == 4) || (raw[2] == 5 && raw[3] == 6) {
            format = .zip
            (rootItem, operations) = try TorchZipFormat.read(file, path: path, recordUnknown: recordUnknown, arena: arena)
        } else if raw[0] == 0x80 {
            let first = PickleMachine(input: file, from: 0, path: path, label: "the pickle", recordUnknown: recordUnknown,
                                      arena: arena, persistentLoad: TorchLegacyFormat.refusePersistentID)
            let item = try first.run()
            operations = first.operations
            if TorchLegacyFormat.isMagic(item) {
                format = .legacy
                rootItem = try TorchLegacyFormat.read(file, after: first.position, path: path, recordUnknown: recordUnknown,
                                                      arena: arena, operations: &operations)
            } else {
                guard first.position == raw.count else {
                    throw ToolError("\(raw.count - first.position) bytes follow the end (STOP) of the pickle",
                                    record: "byte \(first.position)")
                }
                format = .pickle
                rootItem = item
            }
        } else {
            let head = raw.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
            throw ToolError("not a PyTorch checkpoint: neither a zip archive (torch.save) nor a pickle of protocol 2 or later "
                            + "(the file starts with bytes \(head))",
                            hint: "give a .pth/.pt file written by torch.save or a .pkl pickle (detectron2); "
                            + "files of PyTorch before 0.4 and pickles of protocol 0 or 1 are not read")
        }
        var conversion = PickleConversion(recordUnknown: recordUnknown, operations: operations)
        let root = try conversion.value(rootItem)
        return TorchCheckpoint(path: path, format: format, root: root)
    }
}
