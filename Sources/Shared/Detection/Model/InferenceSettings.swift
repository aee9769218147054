// The test-time settings of the whole model, mapped once from a config into the detection
// layer's own types (anchors, proposal generator, coders, RoIAlign and its level rule, NMS,
// mask paste and threshold).
import SharedNN

public struct InferenceSettings: Sendable {
    public var anchors: AnchorGenerator
    public var proposals: ProposalGenerator
    public var boxCoder: DeltaXYWHBoxCoder
    public var boxPooler: RoIAlignOptions
    public var maskPooler: RoIAlignOptions
    /// Which level a RoI is pooled from (mmdetection's rule with finest scale 56 -- RoIs of
    /// sqrt(area) below 2 x 56 read P2, and so on: the canonical 224 at P4 of docs/method.md
    /// §Stage 1 -- or torchvision's or detectron2's, `roiHeads.levelMapping`).
    public var roiLevels: RoILevelRule
    public var nms: MultiClassNMS
    public var maskThreshold: Float
    /// How class scores and boxes become detections (`test.postProcessing`).
    public var postProcessing: DetectionConvention
    /// How masks are pasted (`test.maskPaste`).
    public var maskPaste: MaskPasteMethod

    public init(anchors: AnchorGenerator, proposals: ProposalGenerator, boxCoder: DeltaXYWHBoxCoder, boxPooler: RoIAlignOptions,
                maskPooler: RoIAlignOptions, roiLevels: RoILevelRule, nms: MultiClassNMS, maskThreshold: Float,
                postProcessing: DetectionConvention = .mmdetection, maskPaste: MaskPasteMethod = .gridSample) {
        self.anchors = anchors
        self.proposals = proposals
        self.boxCoder = boxCoder
        self.boxPooler = boxPooler
        self.maskPooler = maskPooler
        self.roiLevels = roiLevels
        self.nms = nms
        self.maskThreshold = maskThreshold
        self.postProcessing = postProcessing
        self.maskPaste = maskPaste
    }

    /// mmdetection's settings with the level rule of finest scale `finestScale`.
    public init(anchors: AnchorGenerator, proposals: ProposalGenerator, boxCoder: DeltaXYWHBoxCoder, boxPooler: RoIAlignOptions,
                maskPooler: RoIAlignOptions, finestScale: Float, nms: MultiClassNMS, maskThreshold: Float) {
        self.init(anchors: anchors, proposals: proposals, boxCoder: boxCoder, boxPooler: boxPooler, maskPooler: maskPooler,
                  roiLevels: .mmdetection(finestScale: finestScale), nms: nms, maskThreshold: maskThreshold)
    }

    /// The finest scale of the level rule (56).
    public var finestScale: Float { roiLevels.finestScale }

    public init(config: DetectorConfig) {
        let rpn = config.rpn, roi = config.roiHeads
        let roiLevels: RoILevelRule
        switch roi.levelMapping.resolved {
        case .mmdetection:
            roiLevels = .mmdetection(finestScale: Float(roi.canonicalSize) / Float(1 << (roi.canonicalLevel - config.fpn.minLevel)))
        case .torchvision:
            roiLevels = .torchvision(canonicalSize: Float(roi.canonicalSize), canonicalLevel: roi.canonicalLevel,
                                     finestLevel: config.fpn.minLevel)
        case .detectron2:
            roiLevels = .detectron2(canonicalSize: Float(roi.canonicalSize), canonicalLevel: roi.canonicalLevel,
                                    finestLevel: config.fpn.minLevel)
        }
        let postProcessing = config.test.postProcessing.resolved
        self.init(
            anchors: AnchorGenerator(strides: rpn.anchorStrides, ratios: rpn.anchorRatios.map(Float.init),
                                     scales: rpn.anchorScales.map(Float.init), grid: rpn.anchorGrid.resolved),
            proposals: ProposalGenerator(config: rpn.test, coder: DeltaXYWHBoxCoder(config: rpn.coder)),
            boxCoder: DeltaXYWHBoxCoder(config: roi.boxHead.coder),
            boxPooler: RoIAlignOptions(outputSize: roi.boxPooler.outputSize, samplingRatio: roi.boxPooler.samplingRatio,
                                       aligned: roi.boxPooler.aligned),
            maskPooler: RoIAlignOptions(outputSize: roi.maskPooler.outputSize, samplingRatio: roi.maskPooler.samplingRatio,
                                        aligned: roi.maskPooler.aligned),
            roiLevels: roiLevels,
            nms: MultiClassNMS(scoreThreshold: Float(config.test.scoreThreshold),
                               iouThreshold: postProcessing != .mmdetection ? torchvisionIoUThreshold(config.test.nmsIoU)
                                   : Float(config.test.nmsIoU),
                               maxDetections: config.test.maxDetectionsPerImage, method: postProcessing),
            maskThreshold: Float(config.test.maskThreshold),
            postProcessing: postProcessing, maskPaste: config.test.maskPaste.resolved)
    }
}
