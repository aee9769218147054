// A training checkpoint as one safetensors file: every parameter under its own name, the
// SGD momentum under "optimizer.momentum.<name>", the step and the RNG state as integer
// tensors, and the resolved config JSON plus a format tag in the metadata.
//
//   <name>                       F32 [shape]   parameter values
//   optimizer.momentum.<name>    F32 [shape]   SGD momentum (trainable parameters only)
//   state.step                   I64 [1]       iterations done
//   state.rng                    I64 [4]       SeededRandom state words (bit patterns)
//   __metadata__: format = "loce-checkpoint", format_version = "1", config = JSON text
import SharedSupport
@_spi(Kernels) import SharedTensor

/// Training state that is not a parameter.
public struct TrainingState: Sendable, Equatable {
    public var step: Int
    public var random: SeededRandom
    /// The resolved configuration, as JSON text.
    public var configJSON: String

    public init(step: Int, random: SeededRandom, configJSON: String) {
        self.step = step
        self.random = random
        self.configJSON = configJSON
    }
}

/// Saving and loading whole training checkpoints (and plain weight files).
public enum TrainingCheckpoint {
    public static let format = "loce-checkpoint"
    public static let formatVersion = "1"
    public static let momentumPrefix = "optimizer.momentum."

    /// The checkpoint contents of `store` and `state`.
    public static func file(store: ParameterStore, state: TrainingState, includeMomentum: Bool = true) -> SafetensorsFile {
        var file = SafetensorsFile(metadata: ["format": format, "format_version": formatVersion, "config": state.configJSON])
        for parameter in store.parameters {
            file.set(parameter.name, SafetensorsTensor(float32: UnsafeBufferPointer(store.value(parameter).buffer),
                                                       shape: parameter.shape))
        }
        if includeMomentum {
            for parameter in store.trainable {
                file.set(momentumPrefix + parameter.name,
                         SafetensorsTensor(float32: UnsafeBufferPointer(store.momentum(parameter).buffer), shape: parameter.shape))
            }
        }
        file.set("state.step", SafetensorsTensor(int64: [Int64(state.step)], shape: [1]))
        file.set("state.rng", SafetensorsTensor(int64: state.random.stateWords.map { Int64(bitPattern: $0) }, shape: [4]))
        return file
    }

    /// Writes a checkpoint atomically.
    public static func save(to path: String, store: ParameterStore, state: TrainingState) throws {
        try file(store: store, state: state).write(to: path)
    }

    /// Loads a checkpoint written by `save` into `store` (values and momentum) and returns
    /// the training state. Every parameter of the store must be present with its shape and
    /// finite values; the step must not be negative.
    public static func load(from path: String, into store: ParameterStore) throws -> TrainingState {
        let file = try SafetensorsFile.read(from: path)
        guard file.metadata["format"] == format else {
            throw ToolError("not a training checkpoint (metadata format is \(file.metadata["format"] ?? "missing"))",
                            file: path, hint: "pass a checkpoint written by detect-train or loce-finetune")
        }
        guard file.metadata["format_version"] == formatVersion else {
            throw ToolError("checkpoint format version \(file.metadata["format_version"] ?? "missing"), expected \(formatVersion)",
                            file: path, hint: "write the checkpoint again with this version of the tools")
        }
        try loadWeights(file, path: path, into: store, requireAll: true)
        for parameter in store.parameters {
            if let momentum = file[momentumPrefix + parameter.name] {
                try copy(momentum, to: store.momentum(parameter), name: momentumPrefix + parameter.name,
                         shape: parameter.shape, path: path)
            } else {
                store.momentum(parameter).buffer.update(repeating: 0)
            }
        }
        guard let step = file["state.step"], step.elementCount == 1,
              [.int64, .uint64, .int32].contains(step.dtype) else {
            throw ToolError("missing or malformed tensor state.step", file: path, hint: "the checkpoint is incomplete; write it again")
        }
        guard let rng = file["state.rng"], rng.elementCount == 4, [.int64, .uint64].contains(rng.dtype) else {
            throw ToolError("missing or malformed tensor state.rng", file: path, hint: "the checkpoint is incomplete; write it again")
        }
        let words = rng.int64Values().map { UInt64(bitPattern: $0) }
        guard words.contains(where: { $0 != 0 }) else {
            throw ToolError("state.rng is all zero", file: path, hint: "the checkpoint is damaged; write it again")
        }
        let stepValue = step.int64Values()[0]
        guard stepValue >= 0 else {
            throw ToolError("state.step is \(stepValue), not a count of iterations", file: path,
                            hint: "the checkpoint is damaged; write it again")
        }
        return TrainingState(step: Int(stepValue), random: SeededRandom(stateWords: words),
                             configJSON: file.metadata["config"] ?? "{}")
    }

    /// Copies weights by name from `file` into `store`; a tensor with NaN or infinity is
    /// refused, naming it and the file. With `requireAll`, a parameter
    /// missing from the file is an error; names in the file that the store lacks are
    /// returned (the caller decides whether that matters).
    @discardableResult
    public static func loadWeights(_ file: SafetensorsFile, path: String, into store: ParameterStore,
                                   requireAll: Bool) throws -> [String] {
        for parameter in store.parameters {
            guard let tensor = file[parameter.name] else {
                if requireAll {
                    throw ToolError("parameter \(parameter.name) is missing", file: path,
                                    hint: "the checkpoint belongs to another model or preset")
                }
                continue
            }
            try copy(tensor, to: store.value(parameter), name: parameter.name, shape: parameter.shape, path: path)
        }
        let known = Set(store.parameters.map(\.name))
        return file.names.filter { !known.contains($0) && !$0.hasPrefix(momentumPrefix) && !$0.hasPrefix("state.") }
    }

    private static func copy(_ tensor: SafetensorsTensor, to destination: Tensor, name: String, shape: [Int],
                             path: String) throws {
        guard tensor.shape == shape else {
            throw ToolError("tensor \(name) has shape \(tensor.shape), the model needs \(shape)", file: path,
                            hint: "the checkpoint belongs to another model or preset")
        }
        switch tensor.dtype {
        case .float32:
            tensor.copyFloat32(into: destination.buffer)
        case .float64, .float16, .bfloat16:
            let values = tensor.floatValues()
            for i in values.indices { destination.buffer[i] = values[i] }
        default:
            throw ToolError("tensor \(name) has dtype \(tensor.dtype.rawValue), expected a float type", file: path,
                            hint: "the checkpoint belongs to another model or is damaged")
        }
        try requireFinite(UnsafeBufferPointer(destination.buffer), name: name, path: path)
    }

    /// Refuses weights (or momentum) holding NaN or infinity: a model would turn them into
    /// NaN outputs, and training would never recover.
    static func requireFinite(_ values: UnsafeBufferPointer<Float>, name: String, path: String) throws {
        guard let first = values.firstIndex(where: { !$0.isFinite }) else { return }
        let count = values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
        throw ToolError("tensor \(name) holds \(count) value\(count == 1 ? "" : "s") that \(count == 1 ? "is" : "are") not finite "
                        + "(first at element \(first): \(values[first]))", file: path,
                        hint: "the run that wrote it diverged or the file is damaged; use an earlier checkpoint or train again")
    }
}
