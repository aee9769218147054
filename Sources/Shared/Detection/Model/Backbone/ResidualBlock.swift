// ResNet's residual blocks: BasicBlock (two 3x3) and Bottleneck (1x1, 3x3 with the stride --
// or the 1x1 with it, MSRA style, `strideInFirstConv` -- 1x1 x4), each with a projection
// shortcut (1x1 conv + norm) when stride or width change, and their backward passes.
import SharedSupport
import SharedTensor
import SharedNN

/// One residual block; parameters under `name` ("backbone.res3.0"): conv1/norm1 ...
/// conv3/norm3 and shortcut.conv/shortcut.norm.
public struct ResidualBlock: Sendable {
    public let name: String
    /// The residual branch, in order (the last has no ReLU).
    public let units: [ConvNormUnit]
    /// Projection shortcut, or nil for identity.
    public let shortcut: ConvNormUnit?
    public let inChannels: Int, outChannels: Int, stride: Int
    /// relu(branch + shortcut), and the gradient of this block's input when its owner (ResNet)
    /// asks for one.
    let output: BufferSlot, inputGradient: BufferSlot

    public init(_ name: String, kind: ResNetBlock, inChannels: Int, outChannels: Int, stride: Int,
                norm: BackboneNorm, groups: Int, strideInFirstConv: Bool = false, layout: inout ParameterLayout, frozen: Bool) {
        self.name = name
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.stride = stride
        output = BufferSlot("\(name).out")
        inputGradient = BufferSlot("\(name).dinput")
        func unit(_ index: Int, _ shape: Conv2DShape, relu: Bool) -> ConvNormUnit {
            ConvNormUnit(name, shape, norm: norm, groups: groups, relu: relu, convName: "conv\(index)", normName: "norm\(index)",
                         layout: &layout, frozen: frozen)
        }
        switch kind {
        case .basic:
            units = [unit(1, Conv2DShape(inChannels: inChannels, outChannels: outChannels, kernel: 3, stride: stride, padding: 1), relu: true),
                     unit(2, Conv2DShape(inChannels: outChannels, outChannels: outChannels, kernel: 3, stride: 1, padding: 1), relu: false)]
        case .bottleneck:
            let inner = outChannels / kind.expansion
            let (first, second) = strideInFirstConv ? (stride, 1) : (1, stride)
            units = [unit(1, Conv2DShape(inChannels: inChannels, outChannels: inner, kernel: 1, stride: first), relu: true),
                     unit(2, Conv2DShape(inChannels: inner, outChannels: inner, kernel: 3, stride: second, padding: 1), relu: true),
                     unit(3, Conv2DShape(inChannels: inner, outChannels: outChannels, kernel: 1), relu: false)]
        }
        if stride != 1 || inChannels != outChannels {
            shortcut = ConvNormUnit("\(name).shortcut", Conv2DShape(inChannels: inChannels, outChannels: outChannels, kernel: 1, stride: stride),
                                    norm: norm, groups: groups, relu: false, layout: &layout, frozen: frozen)
        } else {
            shortcut = nil
        }
    }

    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        for unit in units { unit.initialize(store, random: &random) }
        shortcut?.initialize(store, random: &random)
    }

    public struct Saved: @unchecked Sendable {
        public let units: [ConvNormUnit.Saved]
        public let shortcut: ConvNormUnit.Saved?
        /// relu(branch + shortcut): the block's output.
        public let output: Tensor
        public let relu: ReLU.Saved
    }

    /// output = relu(branch(input) + shortcut(input)).
    public func forward(_ input: Tensor, context: ModuleContext) -> Saved {
        var unitSaved: [ConvNormUnit.Saved] = []
        var x = input
        for unit in units {
            let saved = unit.forward(x, context: context)
            unitSaved.append(saved)
            x = saved.output
        }
        let shortcutSaved = shortcut?.forward(input, context: context)
        let output = context.buffers.tensor(self.output, shape: x.shape)
        Add.forward(x, shortcutSaved?.output ?? input, output: output, compute: context.compute)
        let reluSaved = ReLU.forward(input: output, output: output, compute: context.compute)
        return Saved(units: unitSaved, shortcut: shortcutSaved, output: output, relu: reluSaved)
    }

    /// dInput += d(block)/d(input) dOutput (nil: not needed). `dOutput` is overwritten.
    public func backward(_ dOutput: Tensor, saved: Saved, dInput: Tensor?, context: ModuleContext) {
        ReLU.backward(dOutput: dOutput, saved: saved.relu, dInput: dOutput, compute: context.compute)
        // Shortcut first: the branch's last unit has no ReLU, so dOutput is not modified by it,
        // but the projection reads it too.
        if let shortcut, let shortcutSaved = saved.shortcut {
            shortcut.backward(dOutput, saved: shortcutSaved, dInput: dInput, context: context)
        } else if let dInput {
            Add.backward(dOutput: dOutput, dA: dInput, dB: nil, compute: context.compute)
        }
        var dy = dOutput
        for index in units.indices.reversed() {
            let isFirst = index == 0
            let dx = isFirst ? dInput : context.buffers.zeroed(units[index].inputGradient,
                                                             shape: saved.units[index - 1].output.shape)
            units[index].backward(dy, saved: saved.units[index], dInput: dx, context: context)
            guard let dx else { break }
            dy = dx
        }
    }
}
