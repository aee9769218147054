// Feature pyramid network: lateral 1x1 convs on C2..C5, a top-down path (nearest 2x
// upsample + add), 3x3 output convs, and P6 as a 1x1 stride-2 max-pool of P5
// (torchvision's LastLevelMaxPool, mmdetection's add_extra_convs=False).
//
// Legend: N = batch, F = FPN channels. C_l [N, c_l, H/2^l, W/2^l] -> P_l [N, F, H/2^l, W/2^l].
import SharedSupport
import SharedTensor
import SharedNN

public struct FPN: Sendable {
    /// lateral[i] and output[i] serve input level `inputSpecs[i]` (P2 first).
    public let lateral: [Conv2DLayer]
    public let output: [Conv2DLayer]
    public let inputSpecs: [FeatureSpec]
    public let channels: Int
    /// Whether P6 (max-pool of P5) is produced.
    public let hasMaxPoolLevel: Bool
    /// Level number of the first input (2 for C2).
    public let firstLevel: Int
    /// Per level number: the top-down sums inner_l, the upsampled coarser sums, the outputs
    /// P_l (P6 included) and the sums' gradients.
    let innerBuffers = BufferSlot("fpn.inner"), upsampleBuffers = BufferSlot("fpn.upsample")
    let outputBuffers = BufferSlot("fpn.p"), innerGradients = BufferSlot("fpn.inner.grad")

    /// Parameters "fpn.lateral.L.weight/bias" and "fpn.output.L.weight/bias" for L = level numbers.
    public init(inputSpecs: [FeatureSpec], channels: Int, hasMaxPoolLevel: Bool, layout: inout ParameterLayout,
                frozen: Bool = false) {
        precondition(!inputSpecs.isEmpty, "FPN needs inputs")
        self.inputSpecs = inputSpecs
        self.channels = channels
        self.hasMaxPoolLevel = hasMaxPoolLevel
        firstLevel = inputSpecs[0].stride.trailingZeroBitCount
        var lateral: [Conv2DLayer] = [], output: [Conv2DLayer] = []
        for (index, spec) in inputSpecs.enumerated() {
            let level = firstLevel + index
            lateral.append(Conv2DLayer("fpn.lateral.\(level)", Conv2DShape(inChannels: spec.channels, outChannels: channels, kernel: 1),
                                       bias: true, layout: &layout, frozen: frozen))
            output.append(Conv2DLayer("fpn.output.\(level)",
                                      Conv2DShape(inChannels: channels, outChannels: channels, kernel: 3, stride: 1, padding: 1),
                                      bias: true, layout: &layout, frozen: frozen))
        }
        self.lateral = lateral
        self.output = output
    }

    /// From the backbone's output specs (C2..C5 or a suffix of them for minLevel > 2).
    public init(config: FPNConfig, backboneSpecs: [FeatureSpec], layout: inout ParameterLayout) {
        let inputs = backboneSpecs.filter { $0.stride >= 1 << config.minLevel }
        self.init(inputSpecs: inputs, channels: config.channels, hasMaxPoolLevel: config.maxLevel == 6, layout: &layout)
    }

    /// P2..P6 (or up to P5): channels and strides.
    public var outputSpecs: [FeatureSpec] {
        var specs = inputSpecs.map { FeatureSpec(channels: channels, stride: $0.stride) }
        if hasMaxPoolLevel { specs.append(FeatureSpec(channels: channels, stride: inputSpecs.last!.stride * 2)) }
        return specs
    }

    /// Xavier-uniform weights, zero biases (mmdetection's FPN init).
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        for layer in lateral + output { initializeXavierUniform(layer.weight, bias: layer.bias, store: store, random: &random) }
    }

    public struct Saved: @unchecked Sendable {
        public let lateral: [Conv2D.Saved]
        public let output: [Conv2D.Saved]
        public let pool: MaxPool2D.Saved?
        /// Shapes of the top-down sums (inner_l).
        public let innerShapes: [[Int]]
    }

    static let maxPoolLevel = MaxPoolShape(kernel: 1, stride: 2)

    /// P-levels of C-levels `features` (finest first).
    public func forward(_ features: [Tensor], context: ModuleContext) -> (levels: [Tensor], saved: Saved) {
        precondition(features.count == inputSpecs.count, "FPN expects \(inputSpecs.count) inputs")
        let count = features.count
        var inner = [Tensor?](repeating: nil, count: count)
        var lateralSaved = [Conv2D.Saved?](repeating: nil, count: count)
        for index in (0..<count).reversed() {
            let level = firstLevel + index
            let shape = lateral[index].outputShape(input: features[index].shape)
            let sum = context.buffers.tensor(innerBuffers, index: level, shape: shape)
            lateralSaved[index] = lateral[index].forward(features[index], output: sum, store: context.store,
                                                         compute: context.compute, workspace: context.workspace)
            if index + 1 < count, let coarser = inner[index + 1] {
                let up = context.buffers.tensor(upsampleBuffers, index: level, shape: Upsample2x.outputShape(input: coarser.shape))
                precondition(up.shape == shape, "FPN: level \(level) is \(shape), upsampled level \(level + 1) is \(up.shape)")
                Upsample2x.forward(input: coarser, output: up, compute: context.compute)
                Add.forward(sum, up, output: sum, compute: context.compute)
            }
            inner[index] = sum
        }
        var levels: [Tensor] = []
        var outputSaved: [Conv2D.Saved] = []
        for index in 0..<count {
            let p = context.buffers.tensor(outputBuffers, index: firstLevel + index,
                                           shape: output[index].outputShape(input: inner[index]!.shape))
            outputSaved.append(output[index].forward(inner[index]!, output: p, store: context.store, compute: context.compute,
                                                     workspace: context.workspace))
            levels.append(p)
        }
        var poolSaved: MaxPool2D.Saved?
        if hasMaxPoolLevel {
            let last = levels[count - 1]
            let p = context.buffers.tensor(outputBuffers, index: firstLevel + count, shape: Self.maxPoolLevel.outputShape(input: last.shape))
            poolSaved = MaxPool2D.forward(input: last, output: p, shape: Self.maxPoolLevel, compute: context.compute)
            levels.append(p)
        }
        return (levels, Saved(lateral: lateralSaved.map { $0! }, output: outputSaved, pool: poolSaved,
                              innerShapes: inner.map { $0!.shape }))
    }

    /// Back-propagates `dLevels` (gradients of the P-levels; consumed) into the store and
    /// accumulates into `dFeatures` (gradients of the C-levels; nil entries skipped, e.g.
    /// when the backbone is frozen).
    public func backward(_ dLevels: [Tensor], saved: Saved, dFeatures: [Tensor?], context: ModuleContext) {
        let count = inputSpecs.count
        precondition(dLevels.count == outputSpecs.count && dFeatures.count == count, "FPN backward shapes")
        if let pool = saved.pool {
            MaxPool2D.backward(dOutput: dLevels[count], saved: pool, dInput: dLevels[count - 1], compute: context.compute)
        }
        var dInner: [Tensor] = []
        for index in 0..<count {
            let d = context.buffers.zeroed(innerGradients, index: firstLevel + index, shape: saved.innerShapes[index])
            output[index].backward(dLevels[index], saved: saved.output[index], dInput: d, store: context.store,
                                   compute: context.compute, workspace: context.workspace)
            dInner.append(d)
        }
        // Finest first: inner_l = lateral_l + up(inner_{l+1}), so dInner_{l+1} += down(dInner_l).
        for index in 0..<count {
            if index + 1 < count {
                Upsample2x.backward(dOutput: dInner[index], dInput: dInner[index + 1], compute: context.compute)
            }
            lateral[index].backward(dInner[index], saved: saved.lateral[index], dInput: dFeatures[index], store: context.store,
                                    compute: context.compute, workspace: context.workspace)
        }
    }
}
