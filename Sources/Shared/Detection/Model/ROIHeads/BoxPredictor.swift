// The box predictor: a linear classifier with C + 1 outputs (background LAST, as
// mmdetection; C + 2 with Seesaw's objectness pair, `ClassifierActivation`) and a
// class-specific box regressor with 4C outputs, on the box head's features.
//
// Legend: R = RoIs, D = box-head width, C = foreground classes, L = logit columns.
// features [R, D] -> logits [R, L], deltas [R, 4C] (columns 4c..4c+3: class c).
import SharedSupport
import SharedTensor
import SharedNN

public struct BoxPredictor: Sendable {
    public let classifier: LinearLayer
    public let regressor: LinearLayer
    public let classCount: Int
    /// How the logits become scores; fixes the classifier's output count.
    public let activation: ClassifierActivation
    public let classifierInitStd: Float, regressorInitStd: Float
    let logitsBuffer = BufferSlot("roi_heads.box_predictor.logits"), deltasBuffer = BufferSlot("roi_heads.box_predictor.deltas")

    /// Parameters "roi_heads.box_predictor.cls_score" and "roi_heads.box_predictor.bbox_pred".
    public init(inputFeatures: Int, classCount: Int, activation: ClassifierActivation = .softmax, classifierInitStd: Float = 0.01,
                regressorInitStd: Float = 0.001, layout: inout ParameterLayout) {
        self.classCount = classCount
        self.activation = activation
        self.classifierInitStd = classifierInitStd
        self.regressorInitStd = regressorInitStd
        classifier = LinearLayer("roi_heads.box_predictor.cls_score", inFeatures: inputFeatures,
                                 outFeatures: activation.logitColumns(classCount: classCount), layout: &layout)
        regressor = LinearLayer("roi_heads.box_predictor.bbox_pred", inFeatures: inputFeatures, outFeatures: 4 * classCount,
                                layout: &layout)
    }

    public init(config: BoxHeadConfig, classCount: Int, layout: inout ParameterLayout) {
        self.init(inputFeatures: config.fcDim, classCount: classCount, activation: config.scoreActivation ?? .softmax,
                  classifierInitStd: Float(config.classifierInitStd),
                  regressorInitStd: Float(config.regressorInitStd), layout: &layout)
    }

    /// The background class (the label of a negative row, the last score column).
    public var backgroundIndex: Int { classCount }

    /// Logit columns (C + 1, or C + 2 with Seesaw's objectness pair).
    public var logitColumns: Int { activation.logitColumns(classCount: classCount) }

    /// N(0, 0.01) classifier, N(0, 0.001) regressor, zero biases.
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        store.initialize(classifier.weight, .normal(std: classifierInitStd), random: &random)
        store.initialize(classifier.bias!, .zeros, random: &random)
        store.initialize(regressor.weight, .normal(std: regressorInitStd), random: &random)
        store.initialize(regressor.bias!, .zeros, random: &random)
    }

    public struct Saved: @unchecked Sendable {
        public let classifier: Linear.Saved
        public let regressor: Linear.Saved
    }

    public func forward(_ features: Tensor, context: ModuleContext) -> (logits: Tensor, deltas: Tensor, saved: Saved) {
        let rois = features.dimension(0)
        let logits = context.buffers.tensor(logitsBuffer, shape: [rois, logitColumns])
        let deltas = context.buffers.tensor(deltasBuffer, shape: [rois, 4 * classCount])
        let c = classifier.forward(features, output: logits, store: context.store, compute: context.compute)
        let r = regressor.forward(features, output: deltas, store: context.store, compute: context.compute)
        return (logits, deltas, Saved(classifier: c, regressor: r))
    }

    /// Accumulates into `dFeatures` (if given) and the store.
    public func backward(dLogits: Tensor, dDeltas: Tensor, saved: Saved, dFeatures: Tensor?, context: ModuleContext) {
        classifier.backward(dLogits, saved: saved.classifier, dInput: dFeatures, store: context.store, compute: context.compute)
        regressor.backward(dDeltas, saved: saved.regressor, dInput: dFeatures, store: context.store, compute: context.compute)
    }
}
