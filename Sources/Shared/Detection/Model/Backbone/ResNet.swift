// The ResNet backbone: stem (conv 7x7/2 + norm + ReLU + max-pool 3x3/2) and four stages
// res2..res5 of residual blocks; returns C2..C5 and reports their channels and strides.
// Frozen stages (from the input side) are not back-propagated at all.
//
// Legend: N = batch, H x W = padded input (a multiple of 32). image [N, 3, H, W];
// C2 [N, w2, H/4, W/4], C3 [N, w3, H/8, W/8], C4 [N, w4, H/16, W/16], C5 [N, w5, H/32, W/32].
import SharedSupport
import SharedTensor
import SharedNN

/// Channels and stride of one feature map a module produces (detectron2's ShapeSpec).
public struct FeatureSpec: Sendable, Equatable {
    public let channels: Int
    public let stride: Int

    public init(channels: Int, stride: Int) {
        self.channels = channels
        self.stride = stride
    }
}

public struct ResNet: Sendable {
    public let stem: ConvNormUnit
    public let pool: MaxPoolShape
    /// stages[s][b]: block b of res(s+2).
    public let stages: [[ResidualBlock]]
    /// How many of (stem, res2, ..., res5) are frozen.
    public let frozenStages: Int
    /// The max-pool's output and gradient, and the stem's output gradient.
    let poolOutput = BufferSlot("backbone.stem.pool.out"), poolGradient = BufferSlot("backbone.stem.pool.grad")
    let stemGradient = BufferSlot("backbone.stem.conv.norm.grad")

    /// Parameters under "backbone.": stem.conv, stem.norm, res2.0.conv1, res2.0.norm1, ...,
    /// res3.0.shortcut.conv, res3.0.shortcut.norm.
    public init(block: ResNetBlock, stageBlocks: [Int], stemWidth: Int, stageWidths: [Int], norm: BackboneNorm,
                groups: Int, frozenStages: Int, strideInFirstConv: Bool = false, layout: inout ParameterLayout) {
        precondition(stageBlocks.count == 4 && stageWidths.count == 4, "ResNet has four stages")
        self.frozenStages = frozenStages
        stem = ConvNormUnit("backbone.stem", Conv2DShape(inChannels: 3, outChannels: stemWidth, kernel: 7, stride: 2, padding: 3),
                            norm: norm, groups: groups, relu: true, layout: &layout, frozen: frozenStages >= 1)
        pool = MaxPoolShape(kernel: 3, stride: 2, padding: 1)
        var stages: [[ResidualBlock]] = []
        var channels = stemWidth
        for (index, (count, width)) in zip(stageBlocks, stageWidths).enumerated() {
            var blocks: [ResidualBlock] = []
            for b in 0..<count {
                blocks.append(ResidualBlock("backbone.res\(index + 2).\(b)", kind: block, inChannels: channels, outChannels: width,
                                            stride: b == 0 && index > 0 ? 2 : 1, norm: norm, groups: groups,
                                            strideInFirstConv: strideInFirstConv, layout: &layout, frozen: frozenStages >= index + 2))
                channels = width
            }
            stages.append(blocks)
        }
        self.stages = stages
    }

    public init(config: BackboneConfig, layout: inout ParameterLayout) {
        self.init(block: config.block, stageBlocks: config.stageBlocks, stemWidth: config.stemWidth,
                  stageWidths: config.stageWidths, norm: config.norm, groups: config.groups,
                  frozenStages: config.frozenStages, strideInFirstConv: config.strideInFirstConv ?? false, layout: &layout)
    }

    /// C2..C5: channels and strides 4, 8, 16, 32.
    public var outputSpecs: [FeatureSpec] {
        stages.enumerated().map { FeatureSpec(channels: $0.element.last!.outChannels, stride: 4 << $0.offset) }
    }

    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        stem.initialize(store, random: &random)
        for stage in stages { for block in stage { block.initialize(store, random: &random) } }
    }

    public struct Saved: @unchecked Sendable {
        public let stem: ConvNormUnit.Saved
        public let pool: MaxPool2D.Saved
        public let pooled: Tensor
        public let blocks: [[ResidualBlock.Saved]]
    }

    /// C2..C5 of `image` [N, 3, H, W] (H, W multiples of 32), and what backward needs.
    public func forward(_ image: Tensor, context: ModuleContext) -> (features: [Tensor], saved: Saved) {
        precondition(image.rank == 4 && image.c == 3 && image.h % 32 == 0 && image.w % 32 == 0,
                     "ResNet input must be [N, 3, H, W] with H, W multiples of 32, got \(image.shape)")
        let stemSaved = stem.forward(image, context: context)
        let pooled = context.buffers.tensor(poolOutput, shape: pool.outputShape(input: stemSaved.output.shape))
        let poolSaved = MaxPool2D.forward(input: stemSaved.output, output: pooled, shape: pool, compute: context.compute)
        var x = pooled
        var features: [Tensor] = []
        var blockSaved: [[ResidualBlock.Saved]] = []
        for stage in stages {
            var savedStage: [ResidualBlock.Saved] = []
            for block in stage {
                let saved = block.forward(x, context: context)
                savedStage.append(saved)
                x = saved.output
            }
            blockSaved.append(savedStage)
            features.append(x)
        }
        return (features, Saved(stem: stemSaved, pool: poolSaved, pooled: pooled, blocks: blockSaved))
    }

    /// Back-propagates `dFeatures` (gradients of C2..C5, consumed: overwritten) into the
    /// store's gradients of every trainable stage. No image gradient.
    public func backward(_ dFeatures: [Tensor], saved: Saved, context: ModuleContext) {
        precondition(dFeatures.count == 4, "ResNet backward takes dC2..dC5")
        for stageIndex in stages.indices.reversed() {
            // Stage res(s+2) is frozen when frozenStages >= s + 2; so is everything before it.
            if frozenStages >= stageIndex + 2 { return }
            let stage = stages[stageIndex]
            var dy = dFeatures[stageIndex]
            for b in stage.indices.reversed() {
                let dx: Tensor?
                if b > 0 {
                    dx = context.buffers.zeroed(stage[b].inputGradient, shape: saved.blocks[stageIndex][b - 1].output.shape)
                } else if stageIndex > 0 {
                    dx = dFeatures[stageIndex - 1]   // accumulates into dC(s+1), which already holds the FPN's gradient
                } else if frozenStages >= 1 {
                    dx = nil                         // stem frozen: res2's input gradient is not needed
                } else {
                    dx = context.buffers.zeroed(poolGradient, shape: saved.pooled.shape)
                }
                stage[b].backward(dy, saved: saved.blocks[stageIndex][b], dInput: dx, context: context)
                if let dx { dy = dx }
            }
        }
        guard frozenStages < 1 else { return }
        let dPooled = context.buffers.tensor(poolGradient, shape: saved.pooled.shape)
        let dStem = context.buffers.zeroed(stemGradient, shape: saved.stem.output.shape)
        MaxPool2D.backward(dOutput: dPooled, saved: saved.pool, dInput: dStem, compute: context.compute)
        stem.backward(dStem, saved: saved.stem, dInput: nil, context: context)
    }
}
