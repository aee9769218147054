// Target "torch": a foreign PyTorch checkpoint as the importer opens it: `TorchCheckpoint.read`
// (torch.save zip or legacy format, or a plain pickle; the file mapped) with unknown classes
// recorded, every tensor anywhere in the root converted (floats or ints, which must give
// exactly its element count), the state dict found; then the same file with unknown classes
// refused, which may only accept what the recording read accepted, with the same tensor names.
import SharedNN
import SharedSupport

extension FuzzTarget {
    /// "torch": the bytes as a .pth / .pkl file.
    static func torchCheckpoint() -> FuzzTarget {
        let file = ScratchFile(label: "torch")
        return FuzzTarget(name: "torch", summary: "TorchCheckpoint.read (zip, legacy, pickle; unknown classes recorded, then refused), "
                          + "every tensor's values, stateDict()", maxLength: 16384) { bytes in
            file.write(bytes)
            return Refusal.outcome(file: file.path) {
                let recorded = try TorchCheckpoint.read(path: file.path, unknownClasses: .record)
                if let problem = try checkTensors(in: recorded.root) { return .finding(problem) }
                let names = try? recorded.stateDict().names
                let strict: TorchCheckpoint
                do {
                    strict = try TorchCheckpoint.read(path: file.path)
                } catch let error as ToolError {
                    return Refusal.classify(error, file: file.path, imageErrors: false)
                }
                if (try? strict.stateDict().names) != names {
                    return .finding("the state dict differs between recorded and refused unknown classes")
                }
                _ = try strict.stateDict()
                return .accepted
            }
        }
    }

    /// Converts the tensors in `root` (walked without recursion; at most 4 million values in
    /// all, since the memo may share one tensor many times); a description of the first tensor
    /// whose values do not number its element count.
    private static func checkTensors(in root: PickleValue) throws -> String? {
        var pending = [root]
        var converted = 0
        while let value = pending.popLast() {
            switch value {
            case let .tensor(tensor):
                converted += tensor.elementCount
                if converted > 4_000_000 { return nil }
                let count = tensor.dtype.isFloatingPoint ? try tensor.floats().count : try tensor.int64Values().count
                if count != tensor.elementCount { return "a tensor of shape \(tensor.shape) gave \(count) values" }
            case let .list(items), let .tuple(items): pending += items
            case let .dict(dict): pending += dict.entries.map(\.value)
            case let .object(object):
                pending += (object.arguments ?? []) + object.listItems + object.dictItems.entries.map(\.value)
                if let state = object.state { pending.append(state) }
            default: break
            }
        }
        return nil
    }
}
