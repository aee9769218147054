// The named tensors of a checkpoint's model, in file order: the root dict itself when it
// holds only tensors (torchvision weights), else its "state_dict" (mmdetection), "model"
// (detectron2, torchvision's reference scripts) or "blobs" (Detectron) entry.
import SharedSupport

/// A model's tensors by name, in the order the file holds them.
public struct TorchStateDict: Sendable {
    public let path: String
    /// The root entry the tensors came from ("state_dict", "model", "blobs"); nil: the root itself.
    public let key: String?
    public let entries: [(name: String, tensor: TorchTensor)]
    private let indexByName: [String: Int]

    init(path: String, key: String?, entries: [(name: String, tensor: TorchTensor)]) {
        self.path = path
        self.key = key
        self.entries = entries
        var index: [String: Int] = [:]
        for (position, entry) in entries.enumerated() { index[entry.name] = position }
        indexByName = index
    }

    public var names: [String] { entries.map(\.name) }
    public var count: Int { entries.count }

    public subscript(name: String) -> TorchTensor? { indexByName[name].map { entries[$0].tensor } }

    /// The float values of tensor `name` (a `ToolError` naming it when it is missing or holds integers).
    public func floats(_ name: String) throws -> [Float] {
        try located(name) { try $0.floats() }
    }

    /// The integer values of tensor `name` (e.g. `num_batches_tracked`).
    public func int64Values(_ name: String) throws -> [Int64] {
        try located(name) { try $0.int64Values() }
    }

    private func located<T>(_ name: String, _ body: (TorchTensor) throws -> T) throws -> T {
        guard let tensor = self[name] else { throw ToolError("no tensor \(name) in the checkpoint", file: path) }
        do {
            return try body(tensor)
        } catch var error as ToolError {
            error.record = "tensor \(name)"
            throw error.inFile(path)
        }
    }
}

extension TorchCheckpoint {
    /// The root entries tried, in order, when the root is not itself a dict of tensors.
    public static let stateDictKeys = ["state_dict", "model", "blobs"]

    /// The model's named tensors: the root when it is a dict of tensors, else the first of
    /// `stateDictKeys` the root has. Every value there must be a tensor under a str key.
    public func stateDict() throws -> TorchStateDict {
        guard case let .dict(root) = root else {
            throw ToolError("the checkpoint holds \(root.kind), not a dict of tensors or of a state dict", file: path,
                            hint: "save model.state_dict() (or a dict with it under \"state_dict\")")
        }
        if root.count > 0, root.entries.allSatisfy({ $0.value.tensor != nil }) { return try stateDict(root, key: nil) }
        for key in Self.stateDictKeys {
            if let value = root[key] { return try stateDict(at: key, value: value) }
        }
        let keys = root.keys.prefix(10).map(\.description).joined(separator: ", ")
        throw ToolError("the checkpoint is a dict with neither only tensors nor a \(Self.stateDictKeys.joined(separator: "/")) entry "
                        + "(its keys: \(keys)\(root.count > 10 ? ", ..." : ""))", file: path,
                        hint: "read the tensors with stateDict(at: KEY) under the key that holds them")
    }

    /// The named tensors under root key `key`.
    public func stateDict(at key: String) throws -> TorchStateDict {
        guard let value = root[key] else { throw ToolError("the checkpoint has no entry \"\(key)\"", file: path) }
        return try stateDict(at: key, value: value)
    }

    private func stateDict(at key: String, value: PickleValue) throws -> TorchStateDict {
        guard case let .dict(dict) = value else {
            throw ToolError("the checkpoint's \"\(key)\" entry is \(value.kind), not a dict of tensors", file: path,
                            hint: "save model.state_dict(), not the model object")
        }
        return try stateDict(dict, key: key)
    }

    private func stateDict(_ dict: PickleDict, key: String?) throws -> TorchStateDict {
        let place = key.map { "\"\($0)\"" } ?? "the checkpoint"
        guard dict.count > 0 else { throw ToolError("\(place) holds no tensors", file: path) }
        let entries = try dict.entries.map { entry -> (name: String, tensor: TorchTensor) in
            guard case let .string(name) = entry.key else {
                throw ToolError("\(place) has the int key \(entry.key), not a tensor name", file: path)
            }
            guard let tensor = entry.value.tensor else {
                throw ToolError("\(place) entry \(name) is \(entry.value.kind), not a tensor", file: path)
            }
            return (name, tensor)
        }
        return TorchStateDict(path: path, key: key, entries: entries)
    }
}
