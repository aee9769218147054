// The Mask R-CNN's modules composed from a resolved config: backbone -> FPN -> RPN head,
// and the RoI heads (box head, box predictor, mask head). Sizes flow downstream: the FPN is
// built from the backbone's output specs, the heads from the FPN's.
import SharedSupport
import SharedTensor
import SharedNN

public struct MaskRCNN: Sendable {
    public let backbone: ResNet
    public let fpn: FPN
    public let rpnHead: RPNHead
    public let boxHead: BoxHead
    public let boxPredictor: BoxPredictor
    public let maskHead: MaskHead
    public let classCount: Int
    /// The buffers of the model's own passes, created with it so that every pass reuses them.
    let slots = BufferSlots()

    /// The buffers `detect` and `trainingStep` ask for beyond the modules' own: the RoI
    /// poolers' outputs (the poolers are built per pass from its settings) and the training
    /// step's gradients. Copies of a model share them.
    struct BufferSlots: Sendable {
        let boxPooled = BufferSlot("roi_heads.box_pooler.out")
        let maskPooled = BufferSlot("roi_heads.mask_pooler.out")
        /// Per level number: dP_l (P2..P6) and dC_l (C2..C5).
        let levelGradients = BufferSlot("train.dP"), featureGradients = BufferSlot("train.dC")
        /// Per level index (0 = P2): the RPN outputs' gradients.
        let objectnessGradients = BufferSlot("train.dObjectness"), deltasGradients = BufferSlot("train.dDeltas")
        let boxPooledWithExtra = BufferSlot("train.boxPooledWithExtra")
        let boxLogitsGradient = BufferSlot("train.dBoxLogits"), boxDeltasGradient = BufferSlot("train.dBoxDeltas")
        let boxHiddenGradient = BufferSlot("train.dBoxHidden"), boxPooledGradient = BufferSlot("train.dBoxPooled")
        let maskLogitsGradient = BufferSlot("train.dMaskLogits"), maskPooledGradient = BufferSlot("train.dMaskPooled")
    }

    /// The box head's RoI pooler with a pass's options, writing into the model's buffer.
    func boxPooler(options: RoIAlignOptions, levelRule: RoILevelRule) -> RoIPooler {
        RoIPooler("roi_heads.box_pooler", options: options, levelRule: levelRule, output: slots.boxPooled)
    }

    /// The mask head's RoI pooler with a pass's options, writing into the model's buffer.
    func maskPooler(options: RoIAlignOptions, levelRule: RoILevelRule) -> RoIPooler {
        RoIPooler("roi_heads.mask_pooler", options: options, levelRule: levelRule, output: slots.maskPooled)
    }

    public init(backbone: ResNet, fpn: FPN, rpnHead: RPNHead, boxHead: BoxHead, boxPredictor: BoxPredictor, maskHead: MaskHead) {
        precondition(boxPredictor.classCount == maskHead.classCount, "box and mask heads disagree on the class count")
        self.backbone = backbone
        self.fpn = fpn
        self.rpnHead = rpnHead
        self.boxHead = boxHead
        self.boxPredictor = boxPredictor
        self.maskHead = maskHead
        classCount = boxPredictor.classCount
    }

    /// Registers every parameter in `layout`, in a fixed order (backbone, fpn, rpn,
    /// roi_heads). `config` must be resolved (`roiHeads.numClasses` set). Parts frozen by
    /// the config (backbone.frozenStages) are marked frozen; a stage freezes more parts with
    /// `setFrozen` (the fit loop: the run config's `frozenParts`, stage 2's `loce.frozen`).
    public init(config: DetectorConfig, layout: inout ParameterLayout) {
        let backbone = ResNet(config: config.backbone, layout: &layout)
        let fpn = FPN(config: config.fpn, backboneSpecs: backbone.outputSpecs, layout: &layout)
        let rpnHead = RPNHead(config: config.rpn, inputSpecs: fpn.outputSpecs, layout: &layout)
        let channels = fpn.channels
        let boxHead = BoxHead(config: config.roiHeads.boxHead, channels: channels, pooledSize: config.roiHeads.boxPooler.outputSize,
                              layout: &layout)
        let boxPredictor = BoxPredictor(config: config.roiHeads.boxHead, classCount: config.classCount, layout: &layout)
        let maskHead = MaskHead(config: config.roiHeads.maskHead, inChannels: channels, classCount: config.classCount, layout: &layout)
        self.init(backbone: backbone, fpn: fpn, rpnHead: rpnHead, boxHead: boxHead, boxPredictor: boxPredictor, maskHead: maskHead)
    }

    /// Builds the model and its store, initialised from `random`, with the config's
    /// frozen stages frozen.
    public static func make(config: DetectorConfig, random: inout SeededRandom) -> (model: MaskRCNN, store: ParameterStore) {
        var layout = ParameterLayout()
        let model = MaskRCNN(config: config, layout: &layout)
        let store = ParameterStore(layout: layout)
        model.initialize(store, random: &random)
        return (model, store)
    }

    /// Initialises every parameter (fixed order, so a seed gives the same weights).
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        backbone.initialize(store, random: &random)
        fpn.initialize(store, random: &random)
        rpnHead.initialize(store, random: &random)
        boxHead.initialize(store, random: &random)
        boxPredictor.initialize(store, random: &random)
        maskHead.initialize(store, random: &random)
    }

    /// Freezes the parameters of `parts` (by name prefix); returns how many were frozen.
    @discardableResult
    public func setFrozen(_ parts: [ModelPart], store: ParameterStore) -> Int {
        parts.reduce(0) { $0 + store.setFrozen(prefix: $1.parameterPrefix, true) }
    }
}
