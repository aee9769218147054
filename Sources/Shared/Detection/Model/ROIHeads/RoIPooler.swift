// Multi-level RoIAlign over the FPN levels P2..P5 (the train engineer's kernel): builds the
// [R, 5] RoI table from per-image boxes and pools [R, C, S, S] into a reused buffer, the
// pooler's `output` slot. Its options come from the settings of a pass, so a pooler is cheap to
// build per call; its slot is not: pass one that lives as long as the model (MaskRCNN holds the
// box and mask poolers', the LOCE hook its jitter pooler's), or every call gets a new buffer.
import SharedSupport
import SharedTensor
import SharedNN

public struct RoIPooler: Sendable {
    public let options: RoIAlignOptions
    /// Which level a RoI reads (mmdetection's rule: sqrt(area) of a RoI read from the finest
    /// level is below 2 x its finest scale, 56; or torchvision's, `roiHeads.levelMapping`).
    public let levelRule: RoILevelRule
    /// The pooler's name ("roi_heads.box_pooler"): its buffer's label.
    public let name: String
    /// Where the pooled features go (reused from one call to the next).
    public let output: BufferSlot

    /// A pooler writing into `output`; nil: a slot of its own, labelled "`name`.out" (for a
    /// pooler that is built once and kept, not one built per call).
    public init(_ name: String, options: RoIAlignOptions, levelRule: RoILevelRule, output: BufferSlot? = nil) {
        self.name = name
        self.options = options
        self.levelRule = levelRule
        self.output = output ?? BufferSlot("\(name).out")
    }

    /// A pooler with mmdetection's level rule of finest scale `finestScale`.
    public init(_ name: String, options: RoIAlignOptions, finestScale: Float, output: BufferSlot? = nil) {
        self.init(name, options: options, levelRule: .mmdetection(finestScale: finestScale), output: output)
    }

    /// The finest scale of the level rule (56).
    public var finestScale: Float { levelRule.finestScale }

    /// [R, 5] rows (image index, x1, y1, x2, y2) of `boxes[i]` for image i, in order.
    public static func roiTable(_ boxes: [[Box]]) -> Tensor {
        let count = boxes.reduce(0) { $0 + $1.count }
        let table = Tensor(shape: [count, 5])
        var row = 0
        for (image, list) in boxes.enumerated() {
            for box in list {
                for (column, value) in [Float(image), box.x1, box.y1, box.x2, box.y2].enumerated() {
                    table[flat: row * 5 + column] = value
                }
                row += 1
            }
        }
        return table
    }

    public struct Saved: Sendable {
        /// The RoIAlign that pooled (its backward scatters the gradient).
        let align: MultiLevelRoIAlign
        public let roiAlign: RoIAlignSaved
    }

    /// Pooled features [R, C, S, S] of `rois` [R, 5] from `levels` (P2.. finest first;
    /// only the first four are read, as in Mask R-CNN).
    public func forward(levels: [Tensor], rois: Tensor, context: ModuleContext) -> (features: Tensor, saved: Saved) {
        let align = MultiLevelRoIAlign(strides: Self.strides, options: options, levelRule: levelRule)
        let output = context.buffers.tensor(self.output, shape: align.outputShape(roiCount: rois.dimension(0), channels: levels[0].c))
        let saved = align.forward(levels: Array(levels.prefix(Self.strides.count)), rois: rois, output: output,
                                  parallelism: context.compute.parallelism)
        return (output, Saved(align: align, roiAlign: saved))
    }

    /// dLevels (P2..P5; more are ignored) += the scatter of `dOutput`, the gradient of `forward`'s
    /// features (or of their first rows: its row count is the saved one).
    public static func backward(dOutput: Tensor, saved: Saved, dLevels: [Tensor], context: ModuleContext) {
        saved.align.backward(dOutput: dOutput, saved: saved.roiAlign, dLevels: Array(dLevels.prefix(strides.count)),
                             parallelism: context.compute.parallelism)
    }

    /// The strides of the pooled levels P2..P5.
    static let strides = [4, 8, 16, 32]
}
