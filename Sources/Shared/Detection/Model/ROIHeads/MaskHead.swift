// The mask head: N x (3x3 conv + ReLU), a 2x2 stride-2 deconvolution + ReLU, then the
// mask classifier (normed cosine 1x1 conv, scale 20, or a plain 1x1 conv), one channel per
// foreground class.
//
// Given the class of each RoI (its ground truth in training, its detection at inference),
// only that class's logit map is made: [R, 1, 2S, 2S]. The normed classifier then computes
// just that map; the linear one computes all K and keeps the RoI's.
//
// Legend: R = RoIs, C = input channels, D = head width, S = pooled size (14), K = classes.
// features [R, C, S, S] -> [R, D, S, S] -> deconv [R, D, 2S, 2S] -> logits [R, K, 2S, 2S]
// (or [R, 1, 2S, 2S] with classes).
import SharedSupport
import SharedTensor
import SharedNN

/// The classifier after the deconvolution, as the config chooses.
public enum MaskClassifierLayer: Sendable {
    case normed(NormedConv1x1Layer)
    case linear(Conv2DLayer)

    public enum Saved: @unchecked Sendable {
        case normed(NormedConv1x1.Saved)
        case linear(Conv2D.Saved)
    }
}

public struct MaskHead: Sendable {
    public let convs: [Conv2DLayer]
    public let deconv: ConvTranspose2x2Layer
    public let classifier: MaskClassifierLayer
    public let classCount: Int
    /// Per conv number (1...N): its output and the gradient of its output.
    let convOutputs = BufferSlot("roi_heads.mask_head.conv.out"), convGradients = BufferSlot("roi_heads.mask_head.conv.grad")
    /// The deconvolution's output and its gradient.
    let deconvOutput = BufferSlot("roi_heads.mask_head.deconv.out"), deconvGradient = BufferSlot("roi_heads.mask_head.deconv.grad")
    /// The logits, and the linear classifier's maps of every class (when only the RoIs' are
    /// returned) with their gradient.
    let logitsBuffer = BufferSlot("roi_heads.mask_predictor.out")
    let allClassesBuffer = BufferSlot("roi_heads.mask_predictor.all"), allClassesGradient = BufferSlot("roi_heads.mask_predictor.all.grad")

    /// Parameters "roi_heads.mask_head.conv1..N", "roi_heads.mask_head.deconv",
    /// "roi_heads.mask_predictor" (weight [K, D, 1, 1], bias [K]).
    public init(inChannels: Int, convCount: Int, convDim: Int, classCount: Int, classifier kind: MaskClassifier,
                normedScale: Float = 20, layout: inout ParameterLayout) {
        var convs: [Conv2DLayer] = []
        var width = inChannels
        for index in 0..<convCount {
            convs.append(Conv2DLayer("roi_heads.mask_head.conv\(index + 1)",
                                     Conv2DShape(inChannels: width, outChannels: convDim, kernel: 3, stride: 1, padding: 1),
                                     bias: true, layout: &layout))
            width = convDim
        }
        self.convs = convs
        self.classCount = classCount
        deconv = ConvTranspose2x2Layer("roi_heads.mask_head.deconv", inChannels: width, outChannels: convDim, layout: &layout)
        switch kind {
        case .normed:
            classifier = .normed(NormedConv1x1Layer("roi_heads.mask_predictor", inChannels: convDim, classes: classCount,
                                                    scale: normedScale, layout: &layout))
        case .linear:
            classifier = .linear(Conv2DLayer("roi_heads.mask_predictor", Conv2DShape(inChannels: convDim, outChannels: classCount, kernel: 1),
                                             bias: true, layout: &layout))
        }
    }

    public init(config: MaskHeadConfig, inChannels: Int, classCount: Int, layout: inout ParameterLayout) {
        self.init(inChannels: inChannels, convCount: config.convCount, convDim: config.convDim, classCount: classCount,
                  classifier: config.classifier, normedScale: Float(config.normedScale), layout: &layout)
    }

    /// Kaiming-normal (fan-out) convs and deconv, zero biases; the classifier N(0, 0.01)
    /// (normed) or Kaiming (linear).
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        for conv in convs { conv.initialize(store, random: &random) }
        deconv.initialize(store, random: &random)
        switch classifier {
        case .normed(let layer): layer.initialize(store, random: &random)
        case .linear(let layer): layer.initialize(store, random: &random)
        }
    }

    public struct Saved: @unchecked Sendable {
        public let convs: [Conv2D.Saved]
        public let relus: [ReLU.Saved]
        public let deconv: ConvTranspose2x2.Saved
        public let deconvRelu: ReLU.Saved
        public let classifier: MaskClassifierLayer.Saved
        /// The RoIs' classes when only their maps were made.
        public let classes: [Int]?
    }

    /// Mask logits [R, K, 2S, 2S] of `roiFeatures` [R, C, S, S]; with `classes` (one per
    /// RoI) only the map of each RoI's class, [R, 1, 2S, 2S].
    public func forward(_ roiFeatures: Tensor, classes: [Int]? = nil, context: ModuleContext) -> (logits: Tensor, saved: Saved) {
        var x = roiFeatures
        var convSaved: [Conv2D.Saved] = [], reluSaved: [ReLU.Saved] = []
        for (index, conv) in convs.enumerated() {
            let y = context.buffers.tensor(convOutputs, index: index + 1, shape: conv.outputShape(input: x.shape))
            convSaved.append(conv.forward(x, output: y, store: context.store, compute: context.compute, workspace: context.workspace))
            reluSaved.append(ReLU.forward(input: y, output: y, compute: context.compute))
            x = y
        }
        let up = context.buffers.tensor(deconvOutput,
                                        shape: ConvTranspose2x2.outputShape(input: x.shape, outChannels: deconv.outChannels))
        let deconvSaved = deconv.forward(x, output: up, store: context.store, compute: context.compute, workspace: context.workspace)
        let deconvRelu = ReLU.forward(input: up, output: up, compute: context.compute)
        let logits = context.buffers.tensor(logitsBuffer, shape: [up.n, classes == nil ? classCount : 1, up.h, up.w])
        let classifierSaved: MaskClassifierLayer.Saved
        switch classifier {
        case .normed(let layer):
            classifierSaved = .normed(layer.forward(up, output: logits, classes: classes, store: context.store,
                                                    compute: context.compute))
        case .linear(let layer):
            let all = classes == nil ? logits
                                     : context.buffers.tensor(allClassesBuffer, shape: [up.n, classCount, up.h, up.w])
            classifierSaved = .linear(layer.forward(up, output: all, store: context.store, compute: context.compute,
                                                    workspace: context.workspace))
            if let classes { Self.copyChannels(classes, from: all, to: logits, classCount: classCount) }
        }
        return (logits, Saved(convs: convSaved, relus: reluSaved, deconv: deconvSaved, deconvRelu: deconvRelu,
                              classifier: classifierSaved, classes: classes))
    }

    /// Channel classes[r] of `all` [R, K, ...] <-> channel 0 of `one` [R, 1, ...] (`toAll`: the other way).
    static func copyChannels(_ classes: [Int], from all: Tensor, to one: Tensor, classCount: Int, toAll: Bool = false) {
        let plane = one.h * one.w
        for (r, k) in classes.enumerated() {
            let full = all.view(offset: (r * classCount + k) * plane, shape: [plane]), single = one.view(offset: r * plane, shape: [plane])
            if toAll { full.copy(from: single) } else { single.copy(from: full) }
        }
    }

    /// Accumulates into `dRoIFeatures` (if given) and the store.
    public func backward(_ dLogits: Tensor, saved: Saved, dRoIFeatures: Tensor?, context: ModuleContext) {
        let up = saved.deconvRelu.output
        let dUp = context.buffers.zeroed(deconvGradient, shape: up.shape)
        switch (classifier, saved.classifier) {
        case (.normed(let layer), .normed(let state)):
            layer.backward(dLogits, saved: state, dInput: dUp, store: context.store, compute: context.compute, workspace: context.workspace)
        case (.linear(let layer), .linear(let state)):
            var dAll = dLogits
            if let classes = saved.classes {
                dAll = context.buffers.zeroed(allClassesGradient, shape: [up.n, classCount, dLogits.h, dLogits.w])
                Self.copyChannels(classes, from: dAll, to: dLogits, classCount: classCount, toAll: true)
            }
            layer.backward(dAll, saved: state, dInput: dUp, store: context.store, compute: context.compute, workspace: context.workspace)
        default:
            preconditionFailure("mask classifier saved state of another kind")
        }
        ReLU.backward(dOutput: dUp, saved: saved.deconvRelu, dInput: dUp, compute: context.compute)
        let deconvInput = saved.deconv.input
        var dx: Tensor? = convs.isEmpty ? dRoIFeatures
                                        : context.buffers.zeroed(convGradients, index: convs.count, shape: deconvInput.shape)
        deconv.backward(dUp, saved: saved.deconv, dInput: dx, store: context.store, compute: context.compute, workspace: context.workspace)
        for index in convs.indices.reversed() {
            guard let dy = dx else { return }
            ReLU.backward(dOutput: dy, saved: saved.relus[index], dInput: dy, compute: context.compute)
            dx = index > 0 ? context.buffers.zeroed(convGradients, index: index, shape: saved.convs[index].input.shape)
                           : dRoIFeatures
            convs[index].backward(dy, saved: saved.convs[index], dInput: dx, store: context.store, compute: context.compute,
                                  workspace: context.workspace)
        }
    }
}
