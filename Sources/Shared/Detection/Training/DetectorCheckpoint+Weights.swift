// A checkpoint's weights checked against the model its config builds, from the parameter
// layout alone (names and shapes, no allocation): a file that lacks a weight or holds one of
// another shape or type is refused before the model's buffers exist.
import SharedSupport
import SharedNN

extension DetectorCheckpoint {
    /// Throws a `ToolError` naming `path` and the tensor unless `file` holds every parameter
    /// of the model `config` (resolved) builds, with its shape and a float dtype.
    public static func requireWeights(in file: SafetensorsFile, for config: DetectorConfig, path: String) throws {
        var layout = ParameterLayout()
        _ = MaskRCNN(config: config, layout: &layout)
        let hint = "the checkpoint belongs to another model or preset, or is damaged; pass the checkpoint.safetensors "
            + "written by `detect-train fit` or `loce-finetune fit`"
        let missing = layout.parameters.filter { file[$0.name] == nil }.map(\.name)
        if !missing.isEmpty {
            let shown = missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? ", ..." : "")
            throw ToolError("\(missing.count) of the \(layout.parameters.count) parameters of its config's model are missing: \(shown)",
                            file: path, hint: hint)
        }
        let floatTypes: Set<SafetensorsDType> = [.float32, .float64, .float16, .bfloat16]
        for parameter in layout.parameters {
            guard let tensor = file[parameter.name] else { continue }
            guard tensor.shape == parameter.shape else {
                throw ToolError("tensor \(parameter.name) has shape \(tensor.shape), its config's model needs \(parameter.shape)",
                                file: path, hint: hint)
            }
            guard floatTypes.contains(tensor.dtype) else {
                throw ToolError("tensor \(parameter.name) has dtype \(tensor.dtype.rawValue), expected a float type", file: path, hint: hint)
            }
        }
    }
}
