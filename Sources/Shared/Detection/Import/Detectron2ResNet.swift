// detectron2's ResNet keys (`backbone.bottom_up.`: `stem.conv1`, `resK.B.convI`,
// `resK.B.shortcut`, each conv's norm under `.norm`) -> ours. Reads the architecture from the
// keys and shapes (block type, blocks per stage, widths) and the norm from the stem's: a
// BatchNorm with running statistics (FrozenBN, or a BN/SyncBN that is evaluated frozen) or a
// GroupNorm (weight and bias only). The stem's input channels are reversed: detectron2's
// models read BGR images, ours RGB (Detectron2Layout sets the normalisation to match).
import SharedSupport

extension ForeignKeyMapping {
    /// The ResNet under `backbone.bottom_up.`: its config facts, with the weights mapped to
    /// our `backbone.` names.
    mutating func mapDetectron2ResNet(format: String) throws -> ForeignResNetShape {
        let prefix = "backbone.bottom_up."
        guard let stem = source[prefix + "stem.conv1.weight"], stem.shape.count == 4, stem.shape[1] == 3 else {
            let other = Detectron2Layout.recognisedFormat(source).flatMap { $0 == format ? nil : $0 }.map { "its keys are \($0)'s: pass --format \($0)" }
            throw ToolError("no ResNet stem \(prefix)stem.conv1.weight [C, 3, 7, 7]", file: file,
                            hint: other ?? "is this a detectron2 GeneralizedRCNN checkpoint over a ResNet-FPN? check --format")
        }
        let norm: BackboneNorm
        if has(prefix + "stem.conv1.norm.running_mean") {
            norm = .frozenBatchNorm
        } else if has(prefix + "stem.conv1.norm.weight") {
            norm = .groupNorm
        } else {
            throw ToolError("the backbone's stem has no norm (\(prefix)stem.conv1.norm.weight)", file: file,
                            hint: "only ResNets with FrozenBN / BN or GroupNorm after every conv import")
        }
        let bottleneck = has(prefix + "res2.0.conv3.weight")
        var stageBlocks: [Int] = [], stageWidths: [Int] = []
        for stage in 2...5 {
            var blocks = 0
            while has("\(prefix)res\(stage).\(blocks).conv1.weight") { blocks += 1 }
            guard blocks > 0 else {
                throw ToolError("the backbone has no \(prefix)res\(stage)", file: file, hint: "only 4-stage ResNets (res2..res5) import")
            }
            let last = "\(prefix)res\(stage).\(blocks - 1).conv\(bottleneck ? 3 : 2).weight"
            guard let output = source[last], output.shape.count == 4 else {
                throw ToolError("\(last) is missing", file: file,
                                hint: "the checkpoint's backbone is not a ResNet of \(bottleneck ? "Bottleneck" : "BasicBlock")s")
            }
            stageBlocks.append(blocks)
            stageWidths.append(output.shape[0])
        }
        let normParts = norm == .frozenBatchNorm ? ["weight", "bias", "running_mean", "running_var"] : ["weight", "bias"]
        func copyConvNorm(_ theirs: String, conv ours: String, norm ourNorm: String) throws {
            try copy("\(theirs).weight", to: "\(ours).weight")
            for part in normParts { try copy("\(theirs).norm.\(part)", to: "\(ourNorm).\(part)") }
        }
        try copy(prefix + "stem.conv1.weight", to: "backbone.stem.conv.weight") { tensor in reversedInputChannels(tensor) }
        for part in normParts { try copy("\(prefix)stem.conv1.norm.\(part)", to: "backbone.stem.norm.\(part)") }
        for stage in 2...5 {
            for block in 0..<stageBlocks[stage - 2] {
                let theirs = "\(prefix)res\(stage).\(block)", ours = "backbone.res\(stage).\(block)"
                for index in 1...(bottleneck ? 3 : 2) {
                    try copyConvNorm("\(theirs).conv\(index)", conv: "\(ours).conv\(index)", norm: "\(ours).norm\(index)")
                }
                if has("\(theirs).shortcut.weight") {
                    try copyConvNorm("\(theirs).shortcut", conv: "\(ours).shortcut.conv", norm: "\(ours).shortcut.norm")
                }
            }
        }
        return ForeignResNetShape(block: bottleneck ? .bottleneck : .basic, stageBlocks: stageBlocks, stemWidth: stem.shape[0],
                                  stageWidths: stageWidths, norm: norm)
    }
}

/// A conv weight [out, in, kh, kw] with its input channels in reverse order (BGR <-> RGB).
func reversedInputChannels(_ tensor: ForeignTensor) -> ForeignTensor {
    let (outputs, inputs) = (tensor.shape[0], tensor.shape[1])
    let plane = tensor.shape.dropFirst(2).reduce(1, *)
    var values = [Float](repeating: 0, count: tensor.values.count)
    for o in 0..<outputs {
        for i in 0..<inputs {
            let from = (o * inputs + i) * plane, to = (o * inputs + (inputs - 1 - i)) * plane
            values[to..<(to + plane)] = tensor.values[from..<(from + plane)]
        }
    }
    return ForeignTensor(shape: tensor.shape, values: values)
}
