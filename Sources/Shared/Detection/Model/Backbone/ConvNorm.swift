// The backbone's unit: convolution (no bias) -> norm (GroupNorm or frozen BatchNorm) ->
// optional ReLU, with its saved state; the norm choice is an enum, not a flag.
import SharedSupport
import SharedTensor
import SharedNN

/// A norm layer of the kind the config names.
public enum NormLayer: Sendable {
    case group(GroupNormLayer)
    case frozenBatch(FrozenBatchNormLayer)

    /// Adds `name.weight`/`.bias` (and `.running_mean`/`.running_var` for frozen BN, which
    /// is always frozen) to `layout`.
    public init(_ name: String, channels: Int, norm: BackboneNorm, groups: Int, layout: inout ParameterLayout, frozen: Bool) {
        switch norm {
        case .groupNorm: self = .group(GroupNormLayer(name, channels: channels, groups: groups, layout: &layout, frozen: frozen))
        case .frozenBatchNorm: self = .frozenBatch(FrozenBatchNormLayer(name, channels: channels, layout: &layout))
        }
    }

    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        switch self {
        case .group(let layer): layer.initialize(store, random: &random)
        case .frozenBatch(let layer): layer.initialize(store, random: &random)
        }
    }

    /// What backward needs (GroupNorm's statistics; nothing for frozen BN).
    public enum Saved: @unchecked Sendable {
        case group(GroupNorm.Saved)
        case frozenBatch
    }

    public func forward(_ input: Tensor, output: Tensor, context: ModuleContext) -> Saved {
        switch self {
        case .group(let layer):
            return .group(layer.forward(input, output: output, store: context.store, compute: context.compute))
        case .frozenBatch(let layer):
            layer.forward(input, output: output, store: context.store, compute: context.compute)
            return .frozenBatch
        }
    }

    /// dInput += d(norm)/d(input) dOutput; parameter gradients into the store unless frozen.
    public func backward(_ dOutput: Tensor, saved: Saved, dInput: Tensor, context: ModuleContext) {
        switch (self, saved) {
        case (.group(let layer), .group(let state)):
            layer.backward(dOutput, saved: state, dInput: dInput, store: context.store, compute: context.compute)
        case (.frozenBatch(let layer), .frozenBatch):
            layer.backward(dOutput, dInput: dInput, store: context.store, compute: context.compute)
        default:
            preconditionFailure("norm saved state of another kind")
        }
    }
}

/// conv (no bias) -> norm -> ReLU if `relu`; parameters `name.convName.weight`,
/// `name.normName.*`; its buffers are labelled `key` (= `name.convName`) + ".out" etc.
public struct ConvNormUnit: Sendable {
    public let name: String
    public let key: String
    public let conv: Conv2DLayer
    public let norm: NormLayer
    public let relu: Bool
    /// The conv's output, the norm's output (the unit's), the conv output's gradient.
    let convOutput: BufferSlot, normOutput: BufferSlot, convGradient: BufferSlot
    /// The gradient of this unit's input, when its owner (a residual block) asks for one.
    let inputGradient: BufferSlot

    public init(_ name: String, _ shape: Conv2DShape, norm: BackboneNorm, groups: Int, relu: Bool,
                convName: String = "conv", normName: String = "norm", layout: inout ParameterLayout, frozen: Bool) {
        self.name = name
        self.key = "\(name).\(convName)"
        self.relu = relu
        convOutput = BufferSlot("\(key).out")
        normOutput = BufferSlot("\(key).norm.out")
        convGradient = BufferSlot("\(key).grad")
        inputGradient = BufferSlot("\(key).dinput")
        conv = Conv2DLayer("\(name).\(convName)", shape, bias: false, layout: &layout, frozen: frozen)
        self.norm = NormLayer("\(name).\(normName)", channels: shape.outChannels, norm: norm, groups: groups,
                              layout: &layout, frozen: frozen)
    }

    public var outChannels: Int { conv.shape.outChannels }

    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        conv.initialize(store, random: &random)
        norm.initialize(store, random: &random)
    }

    /// What backward needs; `output` is the unit's result.
    public struct Saved: @unchecked Sendable {
        public let conv: Conv2D.Saved
        public let norm: NormLayer.Saved
        public let output: Tensor
        public let relu: ReLU.Saved?
    }

    public func forward(_ input: Tensor, context: ModuleContext) -> Saved {
        let shape = conv.outputShape(input: input.shape)
        let convOut = context.buffers.tensor(convOutput, shape: shape)
        let convSaved = conv.forward(input, output: convOut, store: context.store, compute: context.compute,
                                     workspace: context.workspace)
        let output = context.buffers.tensor(normOutput, shape: shape)
        let normSaved = norm.forward(convOut, output: output, context: context)
        let reluSaved = relu ? ReLU.forward(input: output, output: output, compute: context.compute) : nil
        return Saved(conv: convSaved, norm: normSaved, output: output, relu: reluSaved)
    }

    /// dInput += d(unit)/d(input) dOutput (nil: input gradient not needed). With ReLU,
    /// `dOutput` is masked in place (overwritten).
    public func backward(_ dOutput: Tensor, saved: Saved, dInput: Tensor?, context: ModuleContext) {
        if let reluSaved = saved.relu { ReLU.backward(dOutput: dOutput, saved: reluSaved, dInput: dOutput, compute: context.compute) }
        let dConv = context.buffers.zeroed(convGradient, shape: dOutput.shape)
        norm.backward(dOutput, saved: saved.norm, dInput: dConv, context: context)
        conv.backward(dConv, saved: saved.conv, dInput: dInput, store: context.store, compute: context.compute,
                      workspace: context.workspace)
    }
}
