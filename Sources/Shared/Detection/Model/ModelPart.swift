// The parts of the model that can be frozen or trained as a unit, named by the prefix of
// their parameters in the store. They describe the detector (Model/README.md): the model
// freezes them (`MaskRCNN.setFrozen`), a later stage's config lists them.

/// Parts of the model that can be frozen or trained as a unit.
public enum ModelPart: String, Codable, Sendable, CaseIterable {
    case backbone
    case fpn
    case rpnHead
    /// The shared fully connected layers of the box head.
    case boxSharedFC
    case boxClassifier
    case boxRegressor
    /// Mask convolutions, deconvolution and the mask classifier.
    case maskHead

    /// Parameter-name prefix of this part in the store (see Model/README.md).
    public var parameterPrefix: String {
        switch self {
        case .backbone: return "backbone."
        case .fpn: return "fpn."
        case .rpnHead: return "rpn."
        case .boxSharedFC: return "roi_heads.box_head."
        case .boxClassifier: return "roi_heads.box_predictor.cls_score."
        case .boxRegressor: return "roi_heads.box_predictor.bbox_pred."
        case .maskHead: return "roi_heads.mask_"
        }
    }
}
