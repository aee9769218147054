// Where LOCE's reference (mmdetection 2.8) and torchvision's Mask R-CNN compute the same step
// differently, a config key picks whose arithmetic runs. Every such key is optional: absent =
// mmdetection, so configs, presets and checkpoints written before the keys existed decode to
// the same model and give the same bytes. An imported torchvision checkpoint sets them all
// (`TorchvisionLayout.impliedConfig`); the keys, values and meanings are listed in README.md
// beside this file ("Conventions").

/// Whose arithmetic one step follows.
public enum DetectionConvention: String, Codable, Sendable, CaseIterable {
    /// mmdetection 2.8 (LOCE's reference): what every preset uses.
    case mmdetection
    /// torchvision's `maskrcnn_resnet50_fpn` (torchvision/models/detection, torchvision/ops).
    case torchvision
    /// detectron2's GeneralizedRCNN (detectron2/modeling): only `rpn.{train,test}.selection`,
    /// `roiHeads.levelMapping` and `test.postProcessing` take it.
    case detectron2

    /// The keys that do NOT take `detectron2`, each with the convention detectron2's
    /// arithmetic equals there (validation names it).
    public static let detectron2Equivalents: [String: DetectionConvention] = [
        "rpn.anchorGrid": .mmdetection,
        "rpn.coder.convention": .torchvision,
        "roiHeads.boxHead.coder.convention": .torchvision,
    ]
}

/// How a detection's mask probabilities are pasted into the original image (`test.maskPaste`).
public enum MaskPasteMethod: String, Codable, Sendable, CaseIterable {
    /// mmdetection / detectron2 `_do_paste_mask`: `grid_sample` of the M x M map at every pixel
    /// centre of the box, zero outside the map; foreground where >= `test.maskThreshold`.
    case gridSample
    /// torchvision `paste_masks_in_image`: the map padded by one zero cell on every side, the
    /// box grown by (M + 2) / M about its centre and truncated to integers, the padded map
    /// resized (`F.interpolate`, bilinear, align_corners=False) to the integer box's
    /// (x2 - x1 + 1) x (y2 - y1 + 1) pixels and copied in, clipped to the image; foreground
    /// where > `test.maskThreshold` (strictly: torchvision's evaluation thresholds `> 0.5`).
    case torchvision
}

extension Optional where Wrapped == DetectionConvention {
    /// The convention a config key selects: absent = mmdetection.
    public var resolved: DetectionConvention { self ?? .mmdetection }
}

extension Optional where Wrapped == MaskPasteMethod {
    /// The paste a config selects: absent = gridSample.
    public var resolved: MaskPasteMethod { self ?? .gridSample }
}
