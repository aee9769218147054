// torchvision's Mask R-CNN state dict (`maskrcnn_resnet50_fpn`, and `MaskRCNN` over any
// `resnet_fpn_backbone` of Bottlenecks) as our parameters, and the config it implies.
//
// Names (torchvision 0.28, checked; the older names its `_load_from_state_dict` also accepts,
// in brackets, are accepted too -- the COCO checkpoint of 2019 has them):
//   backbone.body.conv1 / bn1                       -> backbone.stem.conv / .norm
//   backbone.body.layerK.B.convI / bnI              -> backbone.res{K+1}.B.convI / .normI
//   backbone.body.layerK.B.downsample.0 / .1        -> backbone.res{K+1}.B.shortcut.conv / .norm
//   backbone.fpn.inner_blocks.I.0 [inner_blocks.I]  -> fpn.lateral.{I+2}
//   backbone.fpn.layer_blocks.I.0 [layer_blocks.I]  -> fpn.output.{I+2}
//   rpn.head.conv.0.0 [rpn.head.conv]               -> rpn.conv
//   rpn.head.cls_logits / bbox_pred                 -> rpn.objectness / rpn.deltas
//   roi_heads.box_head.fc6 / fc7                    -> roi_heads.box_head.fc1 / fc2
//   roi_heads.box_predictor.cls_score               -> the same name, rows permuted (below)
//   roi_heads.box_predictor.bbox_pred               -> the same name, background rows dropped
//   roi_heads.mask_head.I.0 [mask_fcnI+1]           -> roi_heads.mask_head.conv{I+1}
//   roi_heads.mask_predictor.conv5_mask             -> roi_heads.mask_head.deconv
//   roi_heads.mask_predictor.mask_fcn_logits        -> roi_heads.mask_predictor, background row dropped
// FrozenBatchNorm2d's weight / bias / running_mean / running_var keep their names (BatchNorm2d's
// `num_batches_tracked` is dropped). The box head flattens [R, 256, 7, 7] C-major as
// torchvision's `flatten(start_dim=1)`, so fc6's columns need no permutation; every layout
// (conv [out, in, kh, kw], linear [out, in], ConvTranspose [in, out, 2, 2]) is PyTorch's.
//
// Classes: torchvision's K + 1 outputs have the background at index 0, ours last. Our class k
// (0-based) is torchvision's label k + 1, which for the COCO model is COCO category id k + 1
// (its "N/A" labels are ids COCO left unused: still classes, never trained on).
//   cls_score rows: ours [1, 2, ..., K, 0] of torchvision's; bbox_pred: rows 4..<4(K + 1);
//   mask_fcn_logits: rows 1...K.
import SharedSupport
import SharedNN

public enum TorchvisionLayout {
    public static let format = "torchvision"

    /// Our weights and the config they imply. The architecture comes from the keys and shapes
    /// (ResNet depth, FPN width, anchors per location, FC and mask-head widths, classes);
    /// everything torchvision fixes in code from `torchvisionSettings` (over `base`, which
    /// supplies what torchvision does not: the training settings of a later fine-tune), or,
    /// with `torchvisionDefaults` false, from `base` itself (a user's config: its settings and
    /// conventions are kept). Legacy names (torchvision before its version-2 modules) are
    /// taken where the new ones are absent; missing and unexpected keys and wrong shapes
    /// throw, naming them.
    public static func convert(_ dict: ForeignStateDict, file: String, base: DetectorConfig, torchvisionDefaults: Bool = true)
        throws -> (config: DetectorConfig, weights: [String: ForeignTensor], notes: [String]) {
        var mapping = ForeignKeyMapping(dict, file: file, ignoredSuffixes: ["num_batches_tracked"])
        var config = torchvisionDefaults ? torchvisionSettings(base) : base
        // What torchvision's weights fix whatever the settings: FrozenBN ResNet-FPN P2-P6,
        // 2 FCs, a plain 1x1 mask classifier.
        config.fpn.minLevel = 2
        config.fpn.maxLevel = 6
        config.roiHeads.boxHead.fcCount = 2
        config.roiHeads.maskHead.classifier = .linear
        let resnet = try mapping.mapResNet(prefix: "backbone.body.", format: format)
        guard resnet.norm == .frozenBatchNorm else {
            throw ToolError("the backbone has GroupNorm layers (backbone.body.gn1); torchvision's Mask R-CNN has frozen BatchNorm",
                            file: file, hint: "check --format (mmdetection's GroupNorm models import with --format mmdet)")
        }
        resnet.apply(to: &config.backbone)
        var notes = ["ResNet-\(config.backbone.depth)"]
        // Architecture facts from the shapes.
        func shape(_ new: String, _ old: String? = nil) throws -> [Int] {
            guard let tensor = dict[new] ?? old.flatMap({ dict[$0] }) else {
                throw ToolError("\(new) is missing", file: file, hint: "is this a torchvision Mask R-CNN state dict? check --format")
            }
            return tensor.shape
        }
        let lateral = try shape("backbone.fpn.inner_blocks.0.0.weight", "backbone.fpn.inner_blocks.0.weight")
        config.fpn.channels = lateral[0]
        let objectness = try shape("rpn.head.cls_logits.weight")
        guard objectness[0] % config.rpn.anchorRatios.count == 0 else {
            throw ToolError("rpn.head.cls_logits.weight has \(objectness[0]) anchors per location; torchvision's Mask R-CNN has 3",
                            file: file, hint: "only the default anchor generator (one size per level, ratios 0.5, 1, 2) imports")
        }
        config.rpn.anchorScales = [8]
        let classifier = try shape("roi_heads.box_predictor.cls_score.weight")
        guard classifier.count == 2, classifier[0] >= 2 else {
            throw ToolError("roi_heads.box_predictor.cls_score.weight has shape \(classifier)", file: file,
                            hint: "a classifier over the classes and the background (index 0) is expected")
        }
        let classes = classifier[0] - 1
        config.roiHeads.numClasses = classes
        config.roiHeads.boxHead.fcDim = classifier[1]
        var convCount = 0
        while dict["roi_heads.mask_head.\(convCount).0.weight"] != nil || dict["roi_heads.mask_head.mask_fcn\(convCount + 1).weight"] != nil {
            convCount += 1
        }
        config.roiHeads.maskHead.convCount = convCount
        config.roiHeads.maskHead.convDim = try shape("roi_heads.mask_predictor.conv5_mask.weight")[1]
        try config.validate(file: file)
        var layout = ParameterLayout()
        _ = MaskRCNN(config: config, layout: &layout)
        // Every other parameter of ours from its torchvision key (the new name, else the old),
        // with the shape torchvision's layout gives it.
        for parameter in layout.parameters where !parameter.name.hasPrefix("backbone.") {
            let new = torchvisionName(ourName: parameter.name)
            let old = legacyTorchvisionName(ourName: parameter.name)
            let name = old.map { !mapping.has(new) && mapping.has($0) ? $0 : new } ?? new
            if let rows = rowSelection(ourName: parameter.name, classes: classes) {
                try mapping.copy(name, to: parameter.name, shape: [rows.torchvisionRows] + parameter.shape.dropFirst()) { tensor in
                    ForeignTensor(shape: parameter.shape, values: select(tensor, rows: rows.order))
                }
            } else {
                try mapping.copy(name, to: parameter.name, shape: parameter.shape)
            }
        }
        notes.append("\(classes) classes: torchvision's background (index 0) moved last, class k = its label k + 1")
        try mapping.finish(format: format)
        return (config, mapping.weights, notes)
    }

    /// `base` with what torchvision's `maskrcnn_resnet50_fpn` fixes in code: FrozenBatchNorm,
    /// FPN P2-P6, 3 anchors per location (32-512 px, ratios 0.5, 1, 2), RoIAlign 7 / 14 with
    /// 2 samples per bin and aligned = false, 2 FC x 1024, 4 conv x 256 and a plain 1x1 mask
    /// classifier, torchvision's coders (weights 1, 1, 1, 1 and 10, 10, 5, 5), ImageNet
    /// normalisation, and every convention key torchvision; test: RPN 1000 / 1000 / 0.7 (min
    /// size 0.001), score > 0.05, NMS 0.5, 100 detections, masks > 0.5. Training: RPN 2000 /
    /// 2000 proposals. `convert` then sets what the weights say.
    public static func torchvisionSettings(_ base: DetectorConfig) -> DetectorConfig {
        var c = base
        c.backbone.block = .bottleneck
        c.backbone.stageBlocks = [3, 4, 6, 3]
        c.backbone.stemWidth = 64
        c.backbone.stageWidths = [256, 512, 1024, 2048]
        c.backbone.norm = .frozenBatchNorm
        c.backbone.pretrained = nil
        c.fpn = FPNConfig(channels: 256, minLevel: 2, maxLevel: 6)
        c.rpn.anchorScales = [8]
        c.rpn.anchorRatios = [0.5, 1, 2]
        c.rpn.anchorStrides = [4, 8, 16, 32, 64]
        c.rpn.anchorGrid = .torchvision
        c.rpn.coder = BoxCoderConfig(means: [0, 0, 0, 0], stds: [1, 1, 1, 1], convention: .torchvision)
        c.rpn.train = ProposalConfig(preNMSTopK: 2000, postNMSTopK: 2000, nmsIoU: 0.7, minimumSize: 1e-3, selection: .torchvision)
        c.rpn.test = ProposalConfig(preNMSTopK: 1000, postNMSTopK: 1000, nmsIoU: 0.7, minimumSize: 1e-3, selection: .torchvision)
        c.roiHeads.boxPooler = PoolerConfig(outputSize: 7, samplingRatio: 2, aligned: false)
        c.roiHeads.maskPooler = PoolerConfig(outputSize: 14, samplingRatio: 2, aligned: false)
        c.roiHeads.canonicalSize = 224
        c.roiHeads.canonicalLevel = 4
        c.roiHeads.levelMapping = .torchvision
        c.roiHeads.boxHead.fcCount = 2
        c.roiHeads.boxHead.fcDim = 1024
        c.roiHeads.boxHead.coder = BoxCoderConfig(means: [0, 0, 0, 0], stds: [0.1, 0.1, 0.2, 0.2], convention: .torchvision)
        c.roiHeads.boxHead.scoreActivation = nil
        c.roiHeads.maskHead.convCount = 4
        c.roiHeads.maskHead.convDim = 256
        c.roiHeads.maskHead.classifier = .linear
        c.input.testShortSide = 800  // GeneralizedRCNNTransform(min_size=800, max_size=1333)
        c.input.testMaxLongSide = 1333
        c.input.padMultiple = 32
        c.input.pixelMean = [123.675, 116.28, 103.53]
        c.input.pixelStd = [58.395, 57.12, 57.375]
        c.test = TestConfig(scoreThreshold: 0.05, nmsIoU: 0.5, maxDetectionsPerImage: 100, maskThreshold: 0.5,
                            postProcessing: .torchvision, maskPaste: .torchvision)
        return c
    }

    /// Our name of a torchvision state-dict key (nil: no parameter of ours).
    public static func ourName(torchvisionName name: String) -> String? {
        var parts = name.split(separator: ".").map(String.init)
        guard parts.count >= 2 else { return nil }
        let suffix = parts.removeLast()
        func numbered(_ text: String, _ prefix: String) -> Int? { text.hasPrefix(prefix) ? Int(text.dropFirst(prefix.count)) : nil }
        let joined = parts.joined(separator: ".")
        switch parts.first {
        case "backbone" where parts.count >= 3 && parts[1] == "body":
            let body = Array(parts.dropFirst(2))
            if body == ["conv1"] { return "backbone.stem.conv.\(suffix)" }
            if body == ["bn1"] { return "backbone.stem.norm.\(suffix)" }
            guard body.count >= 3, let stage = numbered(body[0], "layer"), (1...4).contains(stage), let block = Int(body[1]) else { return nil }
            let prefix = "backbone.res\(stage + 1).\(block)"
            let rest = Array(body.dropFirst(2))
            if rest.count == 1, let i = numbered(rest[0], "conv") { return "\(prefix).conv\(i).\(suffix)" }
            if rest.count == 1, let i = numbered(rest[0], "bn") { return "\(prefix).norm\(i).\(suffix)" }
            if rest == ["downsample", "0"] { return "\(prefix).shortcut.conv.\(suffix)" }
            if rest == ["downsample", "1"] { return "\(prefix).shortcut.norm.\(suffix)" }
            return nil
        case "backbone" where parts.count >= 4 && parts[1] == "fpn":
            guard let index = Int(parts[3]), parts.count == 4 || (parts.count == 5 && parts[4] == "0") else { return nil }
            switch parts[2] {
            case "inner_blocks": return "fpn.lateral.\(index + 2).\(suffix)"
            case "layer_blocks": return "fpn.output.\(index + 2).\(suffix)"
            default: return nil
            }
        default:
            break
        }
        switch joined {
        case "rpn.head.conv.0.0", "rpn.head.conv": return "rpn.conv.\(suffix)"
        case "rpn.head.cls_logits": return "rpn.objectness.\(suffix)"
        case "rpn.head.bbox_pred": return "rpn.deltas.\(suffix)"
        case "roi_heads.box_head.fc6": return "roi_heads.box_head.fc1.\(suffix)"
        case "roi_heads.box_head.fc7": return "roi_heads.box_head.fc2.\(suffix)"
        case "roi_heads.box_predictor.cls_score", "roi_heads.box_predictor.bbox_pred": return "\(joined).\(suffix)"
        case "roi_heads.mask_predictor.conv5_mask": return "roi_heads.mask_head.deconv.\(suffix)"
        case "roi_heads.mask_predictor.mask_fcn_logits": return "roi_heads.mask_predictor.\(suffix)"
        default: break
        }
        if parts.count == 3, parts[0] == "roi_heads", parts[1] == "mask_head", let i = numbered(parts[2], "mask_fcn") {
            return "roi_heads.mask_head.conv\(i).\(suffix)"
        }
        if parts.count == 4, parts[0] == "roi_heads", parts[1] == "mask_head", let i = Int(parts[2]), parts[3] == "0" {
            return "roi_heads.mask_head.conv\(i + 1).\(suffix)"
        }
        return nil
    }

    /// torchvision's key of one of our parameter names.
    public static func torchvisionName(ourName name: String) -> String {
        var parts = name.split(separator: ".").map(String.init)
        let suffix = parts.removeLast()
        let joined = parts.joined(separator: ".")
        func numbered(_ text: String, _ prefix: String) -> Int? { text.hasPrefix(prefix) ? Int(text.dropFirst(prefix.count)) : nil }
        if joined == "backbone.stem.conv" { return "backbone.body.conv1.\(suffix)" }
        if joined == "backbone.stem.norm" { return "backbone.body.bn1.\(suffix)" }
        if parts.count >= 4, parts[0] == "backbone", let stage = numbered(parts[1], "res") {
            let prefix = "backbone.body.layer\(stage - 1).\(parts[2])"
            let rest = parts.dropFirst(3).joined(separator: ".")
            if let i = numbered(rest, "conv") { return "\(prefix).conv\(i).\(suffix)" }
            if let i = numbered(rest, "norm") { return "\(prefix).bn\(i).\(suffix)" }
            if rest == "shortcut.conv" { return "\(prefix).downsample.0.\(suffix)" }
            if rest == "shortcut.norm" { return "\(prefix).downsample.1.\(suffix)" }
        }
        if parts.count == 3, parts[0] == "fpn", let level = Int(parts[2]) {
            return "backbone.fpn.\(parts[1] == "lateral" ? "inner_blocks" : "layer_blocks").\(level - 2).0.\(suffix)"
        }
        if parts.count == 3, parts[0] == "roi_heads", parts[1] == "mask_head", let i = numbered(parts[2], "conv") {
            return "roi_heads.mask_head.\(i - 1).0.\(suffix)"
        }
        if parts.count == 3, parts[0] == "roi_heads", parts[1] == "box_head", let i = numbered(parts[2], "fc") {
            return "roi_heads.box_head.fc\(i + 5).\(suffix)"
        }
        switch joined {
        case "rpn.conv": return "rpn.head.conv.0.0.\(suffix)"
        case "rpn.objectness": return "rpn.head.cls_logits.\(suffix)"
        case "rpn.deltas": return "rpn.head.bbox_pred.\(suffix)"
        case "roi_heads.mask_head.deconv": return "roi_heads.mask_predictor.conv5_mask.\(suffix)"
        case "roi_heads.mask_predictor": return "roi_heads.mask_predictor.mask_fcn_logits.\(suffix)"
        default: return name
        }
    }

    /// The name torchvision's checkpoints had before its version-2 modules (its
    /// `_load_from_state_dict` still maps them), where it differs from `torchvisionName`.
    public static func legacyTorchvisionName(ourName name: String) -> String? {
        let new = torchvisionName(ourName: name)
        let parts = new.split(separator: ".").map(String.init)
        if new.hasPrefix("rpn.head.conv.0.0.") { return "rpn.head.conv.\(parts[5])" }
        if new.hasPrefix("backbone.fpn."), parts.count == 6, parts[4] == "0" { return parts[0..<4].joined(separator: ".") + ".\(parts[5])" }
        if new.hasPrefix("roi_heads.mask_head."), parts.count == 5, let i = Int(parts[2]) {
            return "roi_heads.mask_head.mask_fcn\(i + 1).\(parts[4])"
        }
        return nil
    }

    /// For the class-indexed parameters: torchvision's row count and, per row of ours, the row
    /// of torchvision's tensor it takes (background moved from first to last, or dropped).
    static func rowSelection(ourName name: String, classes: Int) -> (torchvisionRows: Int, order: [Int])? {
        switch name {
        case "roi_heads.box_predictor.cls_score.weight", "roi_heads.box_predictor.cls_score.bias":
            return (classes + 1, Array(1...classes) + [0])
        case "roi_heads.box_predictor.bbox_pred.weight", "roi_heads.box_predictor.bbox_pred.bias":
            return (4 * (classes + 1), Array(4..<(4 * (classes + 1))))
        case "roi_heads.mask_predictor.weight", "roi_heads.mask_predictor.bias":
            return (classes + 1, Array(1...classes))
        default:
            return nil
        }
    }

    /// The rows `rows` of `tensor` (first dimension), in that order.
    static func select(_ tensor: ForeignTensor, rows: [Int]) -> [Float] {
        let width = tensor.shape.dropFirst().reduce(1, *)
        var out: [Float] = []
        out.reserveCapacity(rows.count * width)
        for row in rows { out += tensor.values[(row * width)..<((row + 1) * width)] }
        return out
    }

    /// COCO's category id of each of our classes for torchvision's COCO model: class k is id k + 1
    /// (its "N/A" labels included: ids COCO left unused).
    public static func categoryIDs(classCount: Int) -> [Int] { Array(1...classCount) }

    /// The names of our classes for torchvision's 90-class COCO model (nil for another count).
    public static func categoryNames(classCount: Int) -> [String]? {
        classCount == cocoLabelNames.count - 1 ? Array(cocoLabelNames.dropFirst()) : nil
    }

    /// torchvision's names of its 91 COCO labels (`_COCO_CATEGORIES`, index = label); "N/A" are
    /// ids COCO left unused.
    public static let cocoLabelNames = [
        "__background__", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "N/A", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
        "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "N/A", "backpack", "umbrella", "N/A", "N/A", "handbag",
        "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove",
        "skateboard", "surfboard", "tennis racket", "bottle", "N/A", "wine glass", "cup", "fork", "knife", "spoon", "bowl",
        "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair",
        "couch", "potted plant", "bed", "N/A", "dining table", "N/A", "N/A", "toilet", "N/A", "tv", "laptop", "mouse",
        "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "N/A", "book",
        "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
    ]
}
