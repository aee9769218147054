// Loading pretrained backbone weights (safetensors with our parameter names, e.g. an
// ImageNet ResNet-50 converted from torchvision) into a model's store.
import Foundation
import SharedSupport
import SharedNN

extension BackboneConfig {
    /// `pretrained` resolved against the folder of `configFile` (absolute paths unchanged); nil when from scratch.
    public func pretrainedPath(relativeTo configFile: String) -> String? {
        guard let pretrained else { return nil }
        if pretrained.hasPrefix("/") { return pretrained }
        let folder = URL(fileURLWithPath: configFile).deletingLastPathComponent()
        return folder.appendingPathComponent(pretrained).standardizedFileURL.path
    }
}

extension MaskRCNN {
    /// Copies every `backbone.` parameter of `store` from the safetensors file at `path`.
    /// All must be present with the model's shapes (frozen BN needs its running statistics);
    /// other tensors in the file are ignored. Returns the number of tensors loaded.
    @discardableResult
    public static func loadPretrainedBackbone(path: String, into store: ParameterStore) throws -> Int {
        let hint = "the file must hold this backbone's parameters under our names (backbone.stem.conv.weight, "
            + "backbone.res2.0.conv1.weight, ...; see Sources/Shared/Detection/Model/README.md)"
        let file = try SafetensorsFile.read(from: path, hint: hint)
        let wanted = store.parameters.filter { $0.name.hasPrefix("backbone.") }
        let missing = wanted.filter { file[$0.name] == nil }.map(\.name)
        if !missing.isEmpty {
            let shown = missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? ", ..." : "")
            throw ToolError("\(missing.count) of \(wanted.count) backbone parameters are missing: \(shown)", file: path, hint: hint)
        }
        var subset = SafetensorsFile(metadata: file.metadata)
        for parameter in wanted { subset.set(parameter.name, file[parameter.name]!) }
        try TrainingCheckpoint.loadWeights(subset, path: path, into: store, requireAll: false)
        return wanted.count
    }
}
