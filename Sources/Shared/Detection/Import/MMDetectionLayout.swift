// mmdetection 2.x's Mask R-CNN state dict (what fcjian/LOCE and mmdetection's LVIS models
// publish) -> our model: ResNet (`backbone.`, pytorch style), FPN (`neck.lateral_convs.i.conv`,
// `neck.fpn_convs.i.conv`), RPNHead (`rpn_head.rpn_conv/rpn_cls/rpn_reg`), Shared2FCBBoxHead
// (`roi_head.bbox_head.shared_fcs.i`, `fc_cls` with background LAST as ours, `fc_reg`) and
// FCNMaskHead / LOCE's FCNNormMaskHead (`roi_head.mask_head.convs.i.conv`, `upsample`,
// `conv_logits`). The backbone's norm is frozen BatchNorm or GroupNorm (`gn1`: its group count
// from the stored config or --config). The weights cannot tell FCNNormMaskHead from FCNMaskHead: the checkpoint's
// meta config text (mmdetection stores it) or --mask-classifier decides.
import SharedSupport

public enum MMDetectionLayout {
    public static let format = "mmdet"

    /// Our weights and the config they imply. `base` supplies everything the weights do not
    /// fix (pooling, coders, test settings, training settings); `maskClassifier` overrides
    /// what the meta config says.
    public static func convert(_ dict: ForeignStateDict, file: String, base: DetectorConfig, metaConfigText: String?,
                               maskClassifier: MaskClassifier?) throws -> (config: DetectorConfig, weights: [String: ForeignTensor], notes: [String]) {
        var mapping = ForeignKeyMapping(dict, file: file, ignoredSuffixes: ["num_batches_tracked"])
        var config = base
        var notes: [String] = []
        let resnet = try mapping.mapResNet(prefix: "backbone.", format: format)
        resnet.apply(to: &config.backbone)
        notes.append("ResNet-\(config.backbone.depth)")
        if resnet.norm == .groupNorm {
            // The group count is not in the weights: the stored config's, else --config's.
            if let groups = metaConfigText.flatMap(groupNormGroupsInMeta) {
                config.backbone.groups = groups
            } else if base.backbone.norm != .groupNorm {
                throw ToolError("the backbone is a GroupNorm ResNet (backbone.gn1) and the checkpoint does not say how many groups "
                                + "(no num_groups in a stored config)", file: file,
                                hint: "pass --config with \"backbone\": {\"norm\": \"GroupNorm\", \"groups\": N} (mmdetection's GN configs use 32)")
            }
            notes.append("GroupNorm(\(config.backbone.groups))")
        }
        if let normed = dict.names.first(where: { $0.hasPrefix("neck.") && ($0.contains(".gn.") || $0.contains(".bn.")) }) {
            throw ToolError("the FPN has norm layers (\(normed)); ours has none", file: file,
                            hint: "only necks of plain convolutions import (mmdetection's gn-all configs normalise the neck and heads too)")
        }

        // FPN: one lateral and one output conv per input level C2..C5; P6 by max-pool (no weights).
        let laterals = countIndices("neck.lateral_convs.", suffix: ".conv.weight", in: mapping)
        guard laterals == 4 else {
            throw ToolError("the neck has \(laterals) lateral convs; an FPN over C2..C5 has 4", file: file,
                            hint: "only FPN necks over all four ResNet stages import")
        }
        if mapping.has("neck.fpn_convs.4.conv.weight") {
            throw ToolError("the neck has extra convs (neck.fpn_convs.4: add_extra_convs)", file: file,
                            hint: "our FPN makes P6 by max-pool of P5 (Mask R-CNN); RetinaNet-style necks do not import")
        }
        let channels = dict["neck.lateral_convs.0.conv.weight"]!.shape[0]
        config.fpn.channels = channels
        config.fpn.minLevel = 2
        config.fpn.maxLevel = 6
        for index in 0..<4 {
            for part in ["weight", "bias"] {
                try mapping.copy("neck.lateral_convs.\(index).conv.\(part)", to: "fpn.lateral.\(index + 2).\(part)")
                try mapping.copy("neck.fpn_convs.\(index).conv.\(part)", to: "fpn.output.\(index + 2).\(part)")
            }
        }

        // RPN: sigmoid objectness, one channel per anchor.
        let anchors = config.rpn.anchorsPerLocation
        try mapping.copy("rpn_head.rpn_conv.weight", to: "rpn.conv.weight", shape: [channels, channels, 3, 3])
        try mapping.copy("rpn_head.rpn_conv.bias", to: "rpn.conv.bias")
        try mapping.copy("rpn_head.rpn_cls.weight", to: "rpn.objectness.weight", shape: [anchors, channels, 1, 1])
        try mapping.copy("rpn_head.rpn_cls.bias", to: "rpn.objectness.bias")
        try mapping.copy("rpn_head.rpn_reg.weight", to: "rpn.deltas.weight", shape: [4 * anchors, channels, 1, 1])
        try mapping.copy("rpn_head.rpn_reg.bias", to: "rpn.deltas.bias")

        // Box head: shared FCs, then fc_cls (C + 1, background last) and fc_reg (4C, or 4 when
        // class-agnostic: repeated for every class, the same boxes at inference).
        let fcCount = countIndices("roi_head.bbox_head.shared_fcs.", suffix: ".weight", in: mapping)
        guard fcCount > 0, let fcCls = dict["roi_head.bbox_head.fc_cls.weight"], fcCls.shape.count == 2 else {
            throw ToolError("no Shared2FCBBoxHead (roi_head.bbox_head.shared_fcs.0 / fc_cls)", file: file,
                            hint: "only Mask R-CNN box heads of shared FCs import (not conv heads, not cascades)")
        }
        let classes = fcCls.shape[0] - 1
        config.roiHeads.numClasses = classes
        config.roiHeads.boxHead.fcCount = fcCount
        config.roiHeads.boxHead.fcDim = fcCls.shape[1]
        for index in 0..<fcCount {
            try mapping.copy("roi_head.bbox_head.shared_fcs.\(index).weight", to: "roi_heads.box_head.fc\(index + 1).weight")
            try mapping.copy("roi_head.bbox_head.shared_fcs.\(index).bias", to: "roi_heads.box_head.fc\(index + 1).bias")
        }
        try mapping.copy("roi_head.bbox_head.fc_cls.weight", to: "roi_heads.box_predictor.cls_score.weight")
        try mapping.copy("roi_head.bbox_head.fc_cls.bias", to: "roi_heads.box_predictor.cls_score.bias")
        if let note = try mapping.copyPerClassPredictor("roi_head.bbox_head.fc_reg", to: "roi_heads.box_predictor.bbox_pred",
                                                       rowsPerClass: 4, classes: classes, what: "box regression") {
            notes.append(note)
        }

        // Mask head.
        let convCount = countIndices("roi_head.mask_head.convs.", suffix: ".conv.weight", in: mapping)
        guard dict["roi_head.mask_head.conv_logits.weight"] != nil, let deconv = dict["roi_head.mask_head.upsample.weight"] else {
            throw ToolError("no FCN mask head with a deconvolution (roi_head.mask_head.upsample / conv_logits)", file: file,
                            hint: "only Mask R-CNN checkpoints import (a Faster R-CNN has no mask head)")
        }
        config.roiHeads.maskHead.convCount = convCount
        config.roiHeads.maskHead.convDim = deconv.shape[1]
        for index in 0..<convCount {
            for part in ["weight", "bias"] {
                try mapping.copy("roi_head.mask_head.convs.\(index).conv.\(part)", to: "roi_heads.mask_head.conv\(index + 1).\(part)")
            }
        }
        try mapping.copy("roi_head.mask_head.upsample.weight", to: "roi_heads.mask_head.deconv.weight")
        try mapping.copy("roi_head.mask_head.upsample.bias", to: "roi_heads.mask_head.deconv.bias")
        if let note = try mapping.copyPerClassPredictor("roi_head.mask_head.conv_logits", to: "roi_heads.mask_predictor",
                                                       rowsPerClass: 1, classes: classes, what: "mask logits") {
            notes.append(note)
        }
        guard let classifier = maskClassifier ?? metaConfigText.flatMap(maskClassifierInMeta) else {
            throw ToolError("the checkpoint does not say whether its mask head is FCNNormMaskHead (LOCE) or FCNMaskHead: "
                            + "the weights are the same shape and there is no meta config", file: file,
                            hint: "pass --mask-classifier normed (LOCE's models) or --mask-classifier linear (mmdetection's)")
        }
        config.roiHeads.maskHead.classifier = classifier
        notes.append("mask classifier \(classifier.rawValue)")
        try mapping.finish(format: format)
        return (config, mapping.weights, notes)
    }

    /// FCNNormMaskHead -> normed, FCNMaskHead -> linear, from mmdetection's stored config text.
    static func maskClassifierInMeta(_ text: String) -> MaskClassifier? {
        if text.contains("FCNNormMaskHead") { return .normed }
        if text.contains("FCNMaskHead") { return .linear }
        return nil
    }

    /// The GroupNorm group count of the backbone in mmdetection's stored config text
    /// (`norm_cfg=dict(type='GN', num_groups=32, ...)`): the first `num_groups` after
    /// `backbone=`, or in the text when it has no `backbone=`.
    static func groupNormGroupsInMeta(_ text: String) -> Int? {
        let backbone = text.range(of: "backbone=")?.upperBound ?? text.startIndex
        guard let key = text.range(of: "num_groups=", range: backbone..<text.endIndex) else { return nil }
        let digits = text[key.upperBound...].prefix { $0.isASCII && $0.isNumber }
        return Int(digits).flatMap { $0 > 0 ? $0 : nil }
    }

    /// How many consecutive `prefix` + i + `suffix` keys exist from i = 0.
    static func countIndices(_ prefix: String, suffix: String, in mapping: ForeignKeyMapping) -> Int {
        var count = 0
        while mapping.has("\(prefix)\(count)\(suffix)") { count += 1 }
        return count
    }
}

/// `tensor` (first dimension = rows) stacked `times` times along its first dimension.
func repeatRows(_ tensor: ForeignTensor, times: Int) -> ForeignTensor {
    var shape = tensor.shape
    shape[0] *= times
    return ForeignTensor(shape: shape, values: Array([[Float]](repeating: tensor.values, count: times).joined()))
}
