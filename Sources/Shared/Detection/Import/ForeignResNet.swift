// The torchvision-style ResNet key layout that mmdetection (`backbone.`) and torchvision's
// detection models (`backbone.body.`) share: conv1/bn1, layerK.B.convI/bnI, downsample.0/.1
// (mmdetection's GroupNorm backbones: gn1, layerK.B.gnI, downsample.1 without running
// statistics). Reads the architecture from the keys and shapes, and maps the weights to ours.
import SharedSupport

/// What a foreign ResNet's keys and shapes fix of our backbone config.
public struct ForeignResNetShape: Sendable {
    public var block: ResNetBlock
    public var stageBlocks: [Int]
    public var stemWidth: Int
    public var stageWidths: [Int]
    public var norm: BackboneNorm

    /// Sets these in `backbone` (no pretrained file: the import's weights are the model's).
    public func apply(to backbone: inout BackboneConfig) {
        backbone.block = block
        backbone.stageBlocks = stageBlocks
        backbone.stemWidth = stemWidth
        backbone.stageWidths = stageWidths
        backbone.norm = norm
        backbone.pretrained = nil
    }
}

extension ForeignKeyMapping {
    /// The ResNet under `prefix` ("backbone."): its config facts (block, blocks per stage,
    /// widths, norm) from the keys, with its weights mapped to our `backbone.` names.
    /// BatchNorm (`bnI`) must carry running statistics (it runs frozen); GroupNorm (`gnI`,
    /// mmdetection's `norm_cfg=dict(type='GN')`) has weight and bias only, its group count is
    /// not in the weights (the caller's). Any other norm is refused.
    public mutating func mapResNet(prefix: String, format: String) throws -> ForeignResNetShape {
        guard let stem = source[prefix + "conv1.weight"], stem.shape.count == 4 else {
            throw ToolError("no ResNet stem (\(prefix)conv1.weight)", file: file, hint: "is this a \(format) Mask R-CNN checkpoint? check --format")
        }
        let norm: BackboneNorm, normName: String
        if has(prefix + "bn1.running_mean") {
            (norm, normName) = (.frozenBatchNorm, "bn")
        } else if has(prefix + "gn1.weight") {
            (norm, normName) = (.groupNorm, "gn")
        } else {
            let found = source.names.first { $0.hasPrefix(prefix + "bn1") || $0.hasPrefix(prefix + "norm1") } ?? "neither bn1.running_mean nor gn1.weight"
            throw ToolError("the backbone's stem norm is neither a BatchNorm with running statistics nor a GroupNorm (\(found))", file: file,
                            hint: "only backbones with (frozen) BatchNorm or GroupNorm import")
        }
        let bottleneck = has(prefix + "layer1.0.conv3.weight")
        var stageBlocks: [Int] = [], stageWidths: [Int] = []
        for stage in 1...4 {
            var blocks = 0
            while has("\(prefix)layer\(stage).\(blocks).conv1.weight") { blocks += 1 }
            guard blocks > 0 else {
                throw ToolError("the backbone has no \(prefix)layer\(stage)", file: file, hint: "only 4-stage ResNets import")
            }
            let last = "\(prefix)layer\(stage).\(blocks - 1).conv\(bottleneck ? 3 : 2).weight"
            guard let output = source[last] else {
                throw ToolError("\(last) is missing", file: file, hint: "the checkpoint's backbone is not a ResNet of \(bottleneck ? "Bottleneck" : "BasicBlock")s")
            }
            stageBlocks.append(blocks)
            stageWidths.append(output.shape[0])
        }
        try copy(prefix + "conv1.weight", to: "backbone.stem.conv.weight")
        try copyNorm(prefix + normName + "1", to: "backbone.stem.norm", norm: norm)
        for stage in 1...4 {
            for block in 0..<stageBlocks[stage - 1] {
                let theirs = "\(prefix)layer\(stage).\(block)", ours = "backbone.res\(stage + 1).\(block)"
                for index in 1...(bottleneck ? 3 : 2) {
                    try copy("\(theirs).conv\(index).weight", to: "\(ours).conv\(index).weight")
                    try copyNorm("\(theirs).\(normName)\(index)", to: "\(ours).norm\(index)", norm: norm)
                }
                if has("\(theirs).downsample.0.weight") {
                    try copy("\(theirs).downsample.0.weight", to: "\(ours).shortcut.conv.weight")
                    try copyNorm("\(theirs).downsample.1", to: "\(ours).shortcut.norm", norm: norm)
                }
            }
        }
        return ForeignResNetShape(block: bottleneck ? .bottleneck : .basic, stageBlocks: stageBlocks, stemWidth: stem.shape[0],
                                  stageWidths: stageWidths, norm: norm)
    }

    /// A norm's weight and bias, and a BatchNorm's running mean and variance.
    public mutating func copyNorm(_ theirs: String, to ours: String, norm: BackboneNorm = .frozenBatchNorm) throws {
        let suffixes = norm == .frozenBatchNorm ? ["weight", "bias", "running_mean", "running_var"] : ["weight", "bias"]
        for suffix in suffixes {
            try copy("\(theirs).\(suffix)", to: "\(ours).\(suffix)")
        }
    }
}
