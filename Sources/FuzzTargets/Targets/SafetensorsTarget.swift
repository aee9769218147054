// Target "safetensors": a checkpoint file as detect-train / loce-finetune open it:
// `SafetensorsFile.read(from:)` (header, dtypes, shapes, offsets, data checksum), every
// tensor's values converted as the loaders do, then `TrainingCheckpoint.load` into a
// small model (names, shapes, state.step, state.rng).
import SharedNN

extension FuzzTarget {
    /// "safetensors": the bytes as a .safetensors file.
    static func safetensors() -> FuzzTarget {
        let file = ScratchFile(label: "safetensors")
        return FuzzTarget(name: "safetensors", summary: "SafetensorsFile.read(from:), tensor values, TrainingCheckpoint.load into a 2-parameter model",
                          maxLength: 4096) { bytes in
            file.write(bytes)
            return Refusal.outcome(file: file.path) {
                let contents = try SafetensorsFile.read(from: file.path, hint: "fuzz input")
                for (_, tensor) in contents.tensors {
                    switch tensor.dtype {
                    case .float32, .float64, .float16, .bfloat16: _ = tensor.floatValues()
                    case .int64, .uint64, .int32, .uint8, .bool: _ = tensor.int64Values()
                    }
                }
                _ = try TrainingCheckpoint.load(from: file.path, into: SafetensorsCheckpointModel.makeStore())
                return .accepted
            }
        }
    }
}

/// The model fuzzed checkpoints are loaded into (and the seed checkpoints are written from).
enum SafetensorsCheckpointModel {
    static func makeStore() -> ParameterStore {
        var layout = ParameterLayout()
        layout.add("head.weight", shape: [2, 3])
        layout.add("head.bias", shape: [3], frozen: true)
        return ParameterStore(layout: layout)
    }
}
