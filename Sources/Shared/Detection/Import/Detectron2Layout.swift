// detectron2's GeneralizedRCNN Mask R-CNN state dict (model zoo `.pkl` {"model": {name:
// numpy array}} or a `.pth` {"model": state_dict}) -> our model:
//   backbone.bottom_up.stem.conv1 (+ .norm)            -> backbone.stem.conv / .norm (BGR -> RGB)
//   backbone.bottom_up.resK.B.convI (+ .norm)          -> backbone.resK.B.convI / .normI
//   backbone.bottom_up.resK.B.shortcut (+ .norm)       -> backbone.resK.B.shortcut.conv / .norm
//   backbone.fpn_lateralN / fpn_outputN (N = 2..5)     -> fpn.lateral.N / fpn.output.N
//   proposal_generator.rpn_head.conv                   -> rpn.conv
//   proposal_generator.rpn_head.objectness_logits      -> rpn.objectness
//   proposal_generator.rpn_head.anchor_deltas          -> rpn.deltas
//   roi_heads.box_head.fcI                             -> roi_heads.box_head.fcI
//   roi_heads.box_predictor.cls_score / bbox_pred      -> the same names (background LAST as ours;
//                                                         a class-agnostic bbox_pred repeated)
//   roi_heads.mask_head.mask_fcnI / deconv / predictor -> roi_heads.mask_head.convI / deconv,
//                                                         roi_heads.mask_predictor (1 channel: repeated)
// `pixel_mean` / `pixel_std` (older detectron2 saved them; BGR) set the normalisation and
// `proposal_generator.anchor_generator.cell_anchors.*` are dropped (our anchors are computed).
// Norms outside the ResNet (FPN.NORM, ROI_*_HEAD.NORM: the GN model zoo configs), conv box
// heads, P6/P7 top blocks and cascades are refused, naming their keys.
import SharedSupport

public enum Detectron2Layout {
    public static let format = "detectron2"

    /// Our weights and the config they imply. The architecture comes from the keys and shapes;
    /// everything else from `detectron2Settings(base)`, or with `detectron2Defaults` false
    /// from `base` itself (a user's config: its settings, conventions and normalisation are
    /// kept; its `backbone.strideInFirstConv` when present, else detectron2's default).
    public static func convert(_ dict: ForeignStateDict, file: String, base: DetectorConfig, detectron2Defaults: Bool = true)
        throws -> (config: DetectorConfig, weights: [String: ForeignTensor], notes: [String]) {
        let (weightsDict, pixels) = try separateBuffers(dict, file: file)
        try refuseUnsupportedParts(weightsDict, file: file)
        var mapping = ForeignKeyMapping(weightsDict, file: file, ignoredSuffixes: ["num_batches_tracked"])
        let resnet = try mapping.mapDetectron2ResNet(format: format)
        let classes = try classCount(weightsDict, file: file)
        var config = detectron2Defaults ? detectron2Settings(base, norm: resnet.norm, classes: classes) : base
        resnet.apply(to: &config.backbone)
        if config.backbone.strideInFirstConv == nil && resnet.block == .bottleneck {
            config.backbone.strideInFirstConv = defaultStrideInFirstConv(norm: resnet.norm)
        }
        if resnet.block == .basic { config.backbone.strideInFirstConv = nil }
        var notes = ["ResNet-\(config.backbone.depth)", resnet.norm == .groupNorm ? "GroupNorm (\(config.backbone.groups) groups)" : "FrozenBN",
                     "stride in the \(config.backbone.strideInFirstConv == true ? "1x1" : "3x3") conv", "stem flipped BGR -> RGB"]
        if let pixels, detectron2Defaults {
            config.input.pixelMean = pixels.mean.reversed()
            config.input.pixelStd = pixels.std.reversed()
            notes.append("normalisation from the file's pixel_mean / pixel_std")
        }

        // FPN over C2..C5; P6 by max-pool (LastLevelMaxPool, no weights).
        guard let lateral = weightsDict["backbone.fpn_lateral2.weight"], lateral.shape.count == 4 else {
            throw ToolError("no FPN (backbone.fpn_lateral2.weight)", file: file,
                            hint: "only ResNet-FPN backbones (build_resnet_fpn_backbone over res2..res5) import")
        }
        let channels = lateral.shape[0]
        config.fpn = FPNConfig(channels: channels, minLevel: 2, maxLevel: 6)
        for level in 2...5 {
            for part in ["weight", "bias"] {
                try mapping.copy("backbone.fpn_lateral\(level).\(part)", to: "fpn.lateral.\(level).\(part)")
                try mapping.copy("backbone.fpn_output\(level).\(part)", to: "fpn.output.\(level).\(part)")
            }
        }

        // RPN: StandardRPNHead, one objectness logit and 4 deltas per anchor.
        let anchors = config.rpn.anchorsPerLocation
        let rpn = "proposal_generator.rpn_head."
        try mapping.copy(rpn + "conv.weight", to: "rpn.conv.weight", shape: [channels, channels, 3, 3])
        try mapping.copy(rpn + "conv.bias", to: "rpn.conv.bias")
        try mapping.copy(rpn + "objectness_logits.weight", to: "rpn.objectness.weight", shape: [anchors, channels, 1, 1])
        try mapping.copy(rpn + "objectness_logits.bias", to: "rpn.objectness.bias")
        try mapping.copy(rpn + "anchor_deltas.weight", to: "rpn.deltas.weight", shape: [4 * anchors, channels, 1, 1])
        try mapping.copy(rpn + "anchor_deltas.bias", to: "rpn.deltas.bias")

        // Box head: FastRCNNConvFCHead of FCs, FastRCNNOutputLayers (background last).
        var fcCount = 0
        while mapping.has("roi_heads.box_head.fc\(fcCount + 1).weight") { fcCount += 1 }
        guard fcCount > 0 else {
            throw ToolError("no FastRCNNConvFCHead of FCs (roi_heads.box_head.fc1)", file: file,
                            hint: "only Mask R-CNN box heads of FCs import (not cascades)")
        }
        config.roiHeads.numClasses = classes
        config.roiHeads.boxHead.fcCount = fcCount
        config.roiHeads.boxHead.fcDim = weightsDict["roi_heads.box_predictor.cls_score.weight"]!.shape[1]
        for index in 1...fcCount {
            for part in ["weight", "bias"] {
                try mapping.copy("roi_heads.box_head.fc\(index).\(part)", to: "roi_heads.box_head.fc\(index).\(part)")
            }
        }
        for part in ["weight", "bias"] {
            try mapping.copy("roi_heads.box_predictor.cls_score.\(part)", to: "roi_heads.box_predictor.cls_score.\(part)")
        }
        if let note = try mapping.copyPerClassPredictor("roi_heads.box_predictor.bbox_pred", to: "roi_heads.box_predictor.bbox_pred",
                                                       rowsPerClass: 4, classes: classes, what: "box regression") {
            notes.append(note)
        }

        // Mask head: MaskRCNNConvUpsampleHead.
        guard let deconv = weightsDict["roi_heads.mask_head.deconv.weight"], deconv.shape.count == 4,
              weightsDict["roi_heads.mask_head.predictor.weight"] != nil else {
            throw ToolError("no MaskRCNNConvUpsampleHead (roi_heads.mask_head.deconv / predictor)", file: file,
                            hint: "only Mask R-CNN checkpoints import (a Faster R-CNN has no mask head)")
        }
        var convCount = 0
        while mapping.has("roi_heads.mask_head.mask_fcn\(convCount + 1).weight") { convCount += 1 }
        config.roiHeads.maskHead.convCount = convCount
        config.roiHeads.maskHead.convDim = deconv.shape[1]
        config.roiHeads.maskHead.classifier = .linear
        for index in 0..<convCount {
            for part in ["weight", "bias"] {
                try mapping.copy("roi_heads.mask_head.mask_fcn\(index + 1).\(part)", to: "roi_heads.mask_head.conv\(index + 1).\(part)")
            }
        }
        for part in ["weight", "bias"] {
            try mapping.copy("roi_heads.mask_head.deconv.\(part)", to: "roi_heads.mask_head.deconv.\(part)")
        }
        if let note = try mapping.copyPerClassPredictor("roi_heads.mask_head.predictor", to: "roi_heads.mask_predictor",
                                                       rowsPerClass: 1, classes: classes, what: "mask logits") {
            notes.append(note)
        }
        try mapping.finish(format: format)
        try config.validate(file: file)
        return (config, mapping.weights, notes)
    }

    /// The classes of the box classifier `roi_heads.box_predictor.cls_score` [C + 1, D].
    public static func classCount(_ dict: ForeignStateDict, file: String) throws -> Int {
        let key = "roi_heads.box_predictor.cls_score.weight"
        guard let classifier = dict[key], classifier.shape.count == 2, classifier.shape[0] >= 2 else {
            let other = recognisedFormat(dict).flatMap { $0 == format ? nil : $0 }.map { "its keys are \($0)'s: pass --format \($0)" }
            throw ToolError("no box classifier \(key) [C + 1, D]", file: file,
                            hint: other ?? "is this a detectron2 Mask R-CNN checkpoint? check --format")
        }
        return classifier.shape[0] - 1
    }

    /// detectron2's RESNETS.STRIDE_IN_1X1 for a backbone of `norm`: True (its default, the
    /// MSRA / C2 ImageNet models every FrozenBN model zoo entry starts from); False for
    /// GroupNorm (the model zoo's GN configs, from FAIR's torchvision-style R-50-GN).
    public static func defaultStrideInFirstConv(norm: BackboneNorm) -> Bool { norm == .frozenBatchNorm }

    /// The file's tensors without the buffers that are not weights: `pixel_mean` /
    /// `pixel_std` (returned, BGR, 3 values each) and the anchor generator's cell anchors.
    static func separateBuffers(_ dict: ForeignStateDict, file: String) throws
        -> (weights: ForeignStateDict, pixels: (mean: [Double], std: [Double])?) {
        var weights = ForeignStateDict()
        for name in dict.names where !name.hasPrefix("proposal_generator.anchor_generator.cell_anchors.")
            && name != "pixel_mean" && name != "pixel_std" {
            weights.set(name, dict[name]!)
        }
        guard let mean = dict["pixel_mean"], let std = dict["pixel_std"] else {
            if let name = ["pixel_mean", "pixel_std"].first(where: { dict[$0] != nil }) {
                throw ToolError("the checkpoint has \(name) but not its companion", file: file,
                                hint: "a detectron2 model stores both pixel_mean and pixel_std, or neither")
            }
            return (weights, nil)
        }
        guard mean.values.count == 3, std.values.count == 3, std.values.allSatisfy({ $0 > 0 }) else {
            throw ToolError("pixel_mean / pixel_std have shapes \(mean.shape) / \(std.shape) (std \(std.values)); 3 values each, "
                            + "std positive, are expected", file: file, hint: "is this a detectron2 checkpoint of 3-channel input?")
        }
        return (weights, (mean.values.map(Double.init), std.values.map(Double.init)))
    }

    /// Refuses the detectron2 parts our Mask R-CNN lacks, naming their keys.
    static func refuseUnsupportedParts(_ dict: ForeignStateDict, file: String) throws {
        let outsideBackbone = dict.names.filter { !$0.hasPrefix("backbone.bottom_up.") }
        let norms = outsideBackbone.filter { $0.contains(".norm.") }
        if !norms.isEmpty {
            throw ToolError("the FPN or heads have norm layers our model lacks: \(ForeignKeyMapping.list(norms))", file: file,
                            hint: "only models with FPN.NORM, ROI_BOX_HEAD.NORM and ROI_MASK_HEAD.NORM empty import "
                                + "(the GN model zoo configs normalise those too); a GroupNorm ResNet alone is fine")
        }
        let convBoxHead = dict.names.filter { $0.hasPrefix("roi_heads.box_head.conv") }
        if !convBoxHead.isEmpty {
            throw ToolError("the box head has convolutions (ROI_BOX_HEAD.NUM_CONV > 0): \(ForeignKeyMapping.list(convBoxHead))",
                            file: file, hint: "only box heads of FCs (FastRCNNConvFCHead with NUM_CONV 0) import")
        }
        let topBlock = dict.names.filter { $0.hasPrefix("backbone.top_block.") }
        if !topBlock.isEmpty {
            throw ToolError("the FPN has a top block with weights (P6/P7 convs): \(ForeignKeyMapping.list(topBlock))", file: file,
                            hint: "our FPN makes P6 by max-pool of P5 (LastLevelMaxPool); RetinaNet-style FPNs do not import")
        }
    }

    /// The framework whose Mask R-CNN key names `dict` has (for hints), or nil.
    public static func recognisedFormat(_ dict: ForeignStateDict) -> String? {
        if dict["backbone.bottom_up.stem.conv1.weight"] != nil { return "detectron2" }
        if dict["backbone.body.conv1.weight"] != nil { return "torchvision" }
        if dict["backbone.conv1.weight"] != nil || dict["neck.lateral_convs.0.conv.weight"] != nil { return "mmdet" }
        return nil
    }
}
