// The test-time settings of the whole model, mapped once from a config into the detection
// layer's own types (anchors, proposal generator, coders, RoIAlign, NMS, mask threshold).
import SharedNN

public struct InferenceSettings: Sendable {
    public var anchors: AnchorGenerator
    public var proposals: ProposalGenerator
    public var boxCoder: DeltaXYWHBoxCoder
    public var boxPooler: RoIAlignOptions
    public var maskPooler: RoIAlignOptions
    /// RoIs of sqrt(area) below 2 x this read P2, and so on (56: the canonical 224 at P4 of
    /// docs/method.md §Stage 1).
    public var finestScale: Float
    public var nms: MultiClassNMS
    public var maskThreshold: Float

    public init(anchors: AnchorGenerator, proposals: ProposalGenerator, boxCoder: DeltaXYWHBoxCoder, boxPooler: RoIAlignOptions,
                maskPooler: RoIAlignOptions, finestScale: Float, nms: MultiClassNMS, maskThreshold: Float) {
        self.anchors = anchors
        self.proposals = proposals
        self.boxCoder = boxCoder
        self.boxPooler = boxPooler
        self.maskPooler = maskPooler
        self.finestScale = finestScale
        self.nms = nms
        self.maskThreshold = maskThreshold
    }

    public init(config: DetectorConfig) {
        func coder(_ c: BoxCoderConfig) -> DeltaXYWHBoxCoder {
            let m = c.means.map(Float.init), s = c.stds.map(Float.init)
            return DeltaXYWHBoxCoder(means: (m[0], m[1], m[2], m[3]), stds: (s[0], s[1], s[2], s[3]))
        }
        let rpn = config.rpn, roi = config.roiHeads
        self.init(
            anchors: AnchorGenerator(strides: rpn.anchorStrides, ratios: rpn.anchorRatios.map(Float.init),
                                     scales: rpn.anchorScales.map(Float.init)),
            proposals: ProposalGenerator(preNMSTopK: rpn.test.preNMSTopK, nmsThreshold: Float(rpn.test.nmsIoU),
                                         postNMSTopN: rpn.test.postNMSTopK, minimumSize: Float(rpn.test.minimumSize),
                                         coder: coder(rpn.coder)),
            boxCoder: coder(roi.boxHead.coder),
            boxPooler: RoIAlignOptions(outputSize: roi.boxPooler.outputSize, samplingRatio: roi.boxPooler.samplingRatio,
                                       aligned: roi.boxPooler.aligned),
            maskPooler: RoIAlignOptions(outputSize: roi.maskPooler.outputSize, samplingRatio: roi.maskPooler.samplingRatio,
                                        aligned: roi.maskPooler.aligned),
            finestScale: Float(roi.canonicalSize) / Float(1 << (roi.canonicalLevel - config.fpn.minLevel)),
            nms: MultiClassNMS(scoreThreshold: Float(config.test.scoreThreshold), iouThreshold: Float(config.test.nmsIoU),
                               maxDetections: config.test.maxDetectionsPerImage),
            maskThreshold: Float(config.test.maskThreshold))
    }
}
