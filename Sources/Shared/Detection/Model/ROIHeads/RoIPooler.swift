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
    /// sqrt(area) of a RoI read from the finest level is below 2 x this (56).
    public let finestScale: Float
    /// The pooler's name ("roi_heads.box_pooler"): its buffer's label.
    public let name: String
    /// Where the pooled features go (reused from one call to the next).
    public let output: BufferSlot

    /// A pooler writing into `output`; nil: a slot of its own, labelled "`name`.out" (for a
    /// pooler that is built once and kept, not one built per call).
    public init(_ name: String, options: RoIAlignOptions, finestScale: Float, output: BufferSlot? = nil) {
        self.name = name
        self.options = options
        self.finestScale = finestScale
        self.output = output ?? BufferSlot("\(name).out")
    }

    /// [R, 5] rows (image index, x1, y1, x2, y2) of `boxes[i]` for image i, in order.
    public static func roiTable(_ boxes: [[Box]]) -> Tensor {
        let count = boxes.reduce(0) { $0 + $1.count }
        let table = Tensor(shape: [count, 5])
        var row = 0
        for (image, list) in boxes.enumerated() {
            for box in list {
                let p = table.data + row * 5
                p[0] = Float(image); p[1] = box.x1; p[2] = box.y1; p[3] = box.x2; p[4] = box.y2
                row += 1
            }
        }
        return table
    }

    public struct Saved: Sendable {
        public let roiAlign: RoIAlignSaved
    }

    /// Pooled features [R, C, S, S] of `rois` [R, 5] from `levels` (P2.. finest first;
    /// only the first four are read, as in Mask R-CNN).
    public func forward(levels: [Tensor], rois: Tensor, context: ModuleContext) -> (features: Tensor, saved: Saved) {
        let pooledLevels = Array(levels.prefix(4))
        let n = pooledLevels[0].n, c = pooledLevels[0].c
        let output = context.buffers.tensor(self.output, shape: [rois.dimension(0), c, options.outputHeight, options.outputWidth])
        let inputs = pooledLevels.enumerated().map { index, level in
            RoIAlignLevel(features: UnsafeBufferPointer(level.buffer), height: level.h, width: level.w,
                          spatialScale: 1 / Float(4 << index))
        }
        let saved = roiAlignForward(output: output.buffer, levels: inputs, batch: n, channels: c,
                                    rois: UnsafeBufferPointer(rois.buffer), options: options, finestScale: finestScale,
                                    parallelism: context.compute.parallelism)
        return (output, Saved(roiAlign: saved))
    }
}
