// The persistent ids torch.save writes where a tensor's storage goes (BINPERSID):
// ("storage", storage type, key, location, element count) in zip archives, plus a view
// field (None since PyTorch 1.0) in the legacy format. Each key is one storage, shared by
// every tensor that names it.
import SharedSupport

struct TorchPersistentID {
    let dtype: TorchDType
    let key: String
    let elementCount: Int

    /// Parses `item`; `legacy` expects the sixth (view) field, which must be None.
    init(_ item: PickleItem, legacy: Bool) throws {
        guard let fields = item.tupleItems, let typename = fields.first?.text else {
            throw ToolError("a persistent id that is \(item.kind), not a (\"storage\", ...) tuple")
        }
        guard typename == "storage" else {
            throw ToolError("a persistent id of kind \"\(typename)\": "
                            + (typename == "module" ? "the file holds a pickled nn.Module (a whole model), not tensors" : "only storages are read"),
                            hint: "save model.state_dict() instead of the model")
        }
        guard fields.count == (legacy ? 6 : 5) else {
            throw ToolError("a storage persistent id with \(fields.count) fields, not \(legacy ? 6 : 5)")
        }
        guard case let .global(global, name) = fields[1] else {
            throw ToolError("a storage whose type is \(fields[1].kind)")
        }
        guard case let .storageType(dtype) = global else { throw ToolError("a storage of type \(name), which is not a storage type") }
        guard let key = fields[2].text, fields[3].text != nil else { throw ToolError("a storage whose key or location is not a str") }
        guard case let .int(count) = fields[4], count >= 0 else {
            throw ToolError("storage \(key) has \(fields[4].kind) as its size, not a non-negative int")
        }
        if legacy, case .none = fields[5] {} else if legacy {
            throw ToolError("storage \(key) is a view of another storage (saved by PyTorch before 1.0), which this reader does not read",
                            hint: "load it with that PyTorch and save it again")
        }
        self.dtype = dtype
        self.key = key
        self.elementCount = Int(count)
    }

    /// The storage's byte count, checked.
    func byteCount() throws -> Int {
        let (bytes, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw ToolError("storage \(key) of \(elementCount) elements is too large") }
        return bytes
    }

    /// The storage already made for this key, checked to agree, or nil.
    func agrees(with storage: TorchStorage?) throws -> TorchStorage? {
        guard let storage else { return nil }
        guard storage.dtype == dtype, storage.elementCount == elementCount else {
            throw ToolError("storage \(key) is declared twice, as \(storage.elementCount) \(storage.dtype.rawValue) and as "
                            + "\(elementCount) \(dtype.rawValue) elements")
        }
        return storage
    }
}
