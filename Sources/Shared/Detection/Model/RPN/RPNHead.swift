// The RPN head, shared by all levels: 3x3 conv + ReLU, then 1x1 objectness (A channels)
// and 1x1 box deltas (4A channels) per level; plus the conversion of one image's outputs
// to the anchor generator's flat order.
//
// Legend: N = batch, F = channels, A = anchors per location. P_l [N, F, H_l, W_l] ->
// objectness [N, A, H_l, W_l], deltas [N, 4A, H_l, W_l] (channel 4a + k: coordinate k of anchor a).
import SharedSupport
import SharedTensor
import SharedNN

public struct RPNHead: Sendable {
    public let conv: Conv2DLayer
    public let objectness: Conv2DLayer
    public let deltas: Conv2DLayer
    public let anchorsPerLocation: Int
    /// Per level index (0 = the finest): relu(conv(P_l)), the two outputs, the hidden gradient.
    let hiddenBuffers = BufferSlot("rpn.hidden"), objectnessBuffers = BufferSlot("rpn.objectness")
    let deltasBuffers = BufferSlot("rpn.deltas"), hiddenGradients = BufferSlot("rpn.hidden.grad")

    /// Parameters "rpn.conv", "rpn.objectness", "rpn.deltas" (weight and bias each).
    public init(channels: Int, anchorsPerLocation: Int, layout: inout ParameterLayout, frozen: Bool = false) {
        self.anchorsPerLocation = anchorsPerLocation
        conv = Conv2DLayer("rpn.conv", Conv2DShape(inChannels: channels, outChannels: channels, kernel: 3, stride: 1, padding: 1),
                           bias: true, layout: &layout, frozen: frozen)
        objectness = Conv2DLayer("rpn.objectness", Conv2DShape(inChannels: channels, outChannels: anchorsPerLocation, kernel: 1),
                                 bias: true, layout: &layout, frozen: frozen)
        deltas = Conv2DLayer("rpn.deltas", Conv2DShape(inChannels: channels, outChannels: 4 * anchorsPerLocation, kernel: 1),
                             bias: true, layout: &layout, frozen: frozen)
    }

    public init(config: RPNConfig, inputSpecs: [FeatureSpec], layout: inout ParameterLayout) {
        precondition(Set(inputSpecs.map(\.channels)).count == 1, "the RPN head is shared: every level needs the same channels")
        self.init(channels: inputSpecs[0].channels, anchorsPerLocation: config.anchorsPerLocation, layout: &layout)
    }

    /// N(0, 0.01) weights, zero biases (mmdetection and torchvision).
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        for layer in [conv, objectness, deltas] {
            store.initialize(layer.weight, .normal(std: 0.01), random: &random)
            store.initialize(layer.bias!, .zeros, random: &random)
        }
    }

    public struct LevelSaved: @unchecked Sendable {
        public let conv: Conv2D.Saved
        public let relu: ReLU.Saved
        public let objectness: Conv2D.Saved
        public let deltas: Conv2D.Saved
        /// relu(conv(P_l)).
        public let hidden: Tensor
    }

    public struct Output: @unchecked Sendable {
        /// Per level: [N, A, H_l, W_l] logits.
        public let objectness: [Tensor]
        /// Per level: [N, 4A, H_l, W_l].
        public let deltas: [Tensor]
    }

    public func forward(_ levels: [Tensor], context: ModuleContext) -> (output: Output, saved: [LevelSaved]) {
        var objectnessOut: [Tensor] = [], deltasOut: [Tensor] = [], saved: [LevelSaved] = []
        for (index, p) in levels.enumerated() {
            let hidden = context.buffers.tensor(hiddenBuffers, index: index, shape: conv.outputShape(input: p.shape))
            let convSaved = conv.forward(p, output: hidden, store: context.store, compute: context.compute, workspace: context.workspace)
            let reluSaved = ReLU.forward(input: hidden, output: hidden, compute: context.compute)
            let logits = context.buffers.tensor(objectnessBuffers, index: index, shape: objectness.outputShape(input: hidden.shape))
            let objectnessSaved = objectness.forward(hidden, output: logits, store: context.store, compute: context.compute,
                                                     workspace: context.workspace)
            let boxDeltas = context.buffers.tensor(deltasBuffers, index: index, shape: deltas.outputShape(input: hidden.shape))
            let deltasSaved = deltas.forward(hidden, output: boxDeltas, store: context.store, compute: context.compute,
                                             workspace: context.workspace)
            objectnessOut.append(logits)
            deltasOut.append(boxDeltas)
            saved.append(LevelSaved(conv: convSaved, relu: reluSaved, objectness: objectnessSaved, deltas: deltasSaved, hidden: hidden))
        }
        return (Output(objectness: objectnessOut, deltas: deltasOut), saved)
    }

    /// Accumulates into `dLevels` (nil entries: not needed, e.g. a frozen FPN) and the store.
    public func backward(dObjectness: [Tensor], dDeltas: [Tensor], saved: [LevelSaved], dLevels: [Tensor?], context: ModuleContext) {
        precondition(dObjectness.count == saved.count && dDeltas.count == saved.count && dLevels.count == saved.count,
                     "RPN head backward: one gradient per level")
        for index in saved.indices {
            let s = saved[index]
            let dHidden = context.buffers.zeroed(hiddenGradients, index: index, shape: s.hidden.shape)
            objectness.backward(dObjectness[index], saved: s.objectness, dInput: dHidden, store: context.store,
                                compute: context.compute, workspace: context.workspace)
            deltas.backward(dDeltas[index], saved: s.deltas, dInput: dHidden, store: context.store,
                            compute: context.compute, workspace: context.workspace)
            ReLU.backward(dOutput: dHidden, saved: s.relu, dInput: dHidden, compute: context.compute)
            conv.backward(dHidden, saved: s.conv, dInput: dLevels[index], store: context.store, compute: context.compute,
                          workspace: context.workspace)
        }
    }

    /// Image `image`'s objectness logits and deltas of one level in the anchor generator's
    /// flat order (y * W + x) * A + a.
    public static func flatten(objectness: Tensor, deltas: Tensor, image: Int) -> (scores: [Float], deltas: [BoxDelta]) {
        let a = objectness.c, h = objectness.h, w = objectness.w, p = h * w
        precondition(deltas.c == 4 * a && deltas.h == h && deltas.w == w, "RPN outputs disagree: \(objectness.shape) \(deltas.shape)")
        var scores = [Float](repeating: 0, count: p * a)
        var boxes = [BoxDelta](repeating: .zero, count: p * a)
        objectness.withUnsafeBufferPointer { objectnessValues in
            deltas.withUnsafeBufferPointer { deltaValues in
                let o = objectnessValues.baseAddress! + image * a * p, d = deltaValues.baseAddress! + image * 4 * a * p
                for pixel in 0..<p {
                    for anchor in 0..<a {
                        scores[pixel * a + anchor] = o[anchor * p + pixel]
                        let base = d + 4 * anchor * p + pixel
                        boxes[pixel * a + anchor] = BoxDelta(dx: base[0], dy: base[p], dw: base[2 * p], dh: base[3 * p])
                    }
                }
            }
        }
        return (scores, boxes)
    }
}
