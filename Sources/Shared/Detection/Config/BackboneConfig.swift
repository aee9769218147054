// Typed config of the ResNet backbone and the FPN neck.

/// The residual block of a ResNet.
public enum ResNetBlock: String, Codable, Sendable, CaseIterable {
    /// Two 3x3 convolutions (ResNet-18/34); output width = stage width.
    case basic = "BasicBlock"
    /// 1x1 reduce, 3x3 (carries the stride, "pytorch" style as torchvision and the LOCE
    /// reference, unless `BackboneConfig.strideInFirstConv`), 1x1 expand; inner width =
    /// stage width / 4.
    case bottleneck = "Bottleneck"

    /// Output width over inner width.
    public var expansion: Int { self == .basic ? 1 : 4 }
}

/// The normalisation after every backbone convolution.
public enum BackboneNorm: String, Codable, Sendable, CaseIterable {
    /// GroupNorm with learned affine (`groups` groups); for training from scratch.
    case groupNorm = "GroupNorm"
    /// BatchNorm with frozen statistics and affine (pretrained weights, evaluation mode).
    case frozenBatchNorm = "FrozenBatchNorm"
}

public struct BackboneConfig: Codable, Equatable, Sendable {
    public var block: ResNetBlock
    /// Blocks in each of the four stages res2..res5: [1,1,1,1] smoke, [2,2,2,2] ResNet-18,
    /// [3,4,6,3] ResNet-50.
    public var stageBlocks: [Int]
    /// Output channels of the stem (conv 7x7/2 + max-pool 3x3/2).
    public var stemWidth: Int
    /// Output channels of each stage res2..res5 (the FPN's input widths). For Bottleneck
    /// the inner width is a quarter of it (ResNet-50: 256, 512, 1024, 2048).
    public var stageWidths: [Int]
    public var norm: BackboneNorm
    /// GroupNorm groups (must divide every width); ignored by FrozenBatchNorm but kept.
    public var groups: Int
    /// How many of (stem, res2, res3, res4, res5) are frozen, from the input side, as
    /// mmdetection's `frozen_stages + 1`: 0 none, 2 = stem + res2 (the paper).
    public var frozenStages: Int
    /// Pretrained weights (safetensors with our parameter names), relative to the config
    /// file's folder unless absolute; null = from scratch.
    public var pretrained: String?
    /// Whether a downsampling Bottleneck's stride is on its first 1x1 conv instead of the 3x3
    /// (absent = false, the 3x3: torchvision / mmdetection "pytorch" style). True is the
    /// MSRA / Caffe2 ResNets detectron2's model zoo uses (`RESNETS.STRIDE_IN_1X1`,
    /// mmdetection's style="caffe"); Bottleneck only. The weights have the same shapes either
    /// way, so an import cannot read it from them.
    public var strideInFirstConv: Bool?

    /// Number of weighted layers in the usual ResNet naming (18, 50, ...; 10 for smoke).
    public var depth: Int { stageBlocks.reduce(0, +) * (block == .basic ? 2 : 3) + 2 }

    /// Inner (bottleneck) width of stage `index` (0 = res2).
    public func innerWidth(stage index: Int) -> Int { stageWidths[index] / block.expansion }
}

public struct FPNConfig: Codable, Equatable, Sendable {
    /// Channels of every output level.
    public var channels: Int
    /// Finest output level (2 = P2, stride 4); the inputs are C`minLevel`..C5.
    public var minLevel: Int
    /// Coarsest output level: 5, or 6 for P6 by 1x1 stride-2 max-pool of P5.
    public var maxLevel: Int

    /// Output levels, finest first ([2, 3, 4, 5, 6]).
    public var levels: [Int] { Array(minLevel...maxLevel) }
    /// Stride of each output level ([4, 8, 16, 32, 64]).
    public var strides: [Int] { levels.map { 1 << $0 } }
}
