// The model at test time: images -> backbone -> FPN -> RPN proposals -> box head ->
// per-class NMS -> mask head on the kept boxes -> masks pasted into the original images
// (mmdetection 2.8 `simple_test` with the test settings of docs/method.md §Stage 1; with
// `settings.postProcessing` .torchvision, torchvision's `RoIHeads` + `transform.postprocess`:
// NMS in network-input pixels, boxes mapped to the original size after the mask head; with
// .detectron2, `fast_rcnn_inference` + `detector_postprocess`: the same, and the mapped boxes
// clipped to the original image and those with a side <= 0 dropped, their masks with them).
import Foundation
import SharedSupport
import SharedTensor
import SharedNN

/// Where one image of a batch came from: its size in the network input (resized, before
/// padding) and its original size; boxes and masks are returned in original pixels.
public struct InputImageInfo: Sendable, Equatable {
    public var inputSize: ImageSize
    public var originalSize: ImageSize

    public init(inputSize: ImageSize, originalSize: ImageSize) {
        self.inputSize = inputSize
        self.originalSize = originalSize
    }

    public var scaleX: Float { Float(inputSize.width) / Float(originalSize.width) }
    public var scaleY: Float { Float(inputSize.height) / Float(originalSize.height) }
}

/// One image's detections (original pixels, by descending score) and their masks.
public struct ImageDetections: Sendable, Equatable {
    public var detections: Detections
    public var masks: [PastedMask]
}

extension MaskRCNN {
    /// Detections of every image of `images` [N, 3, H, W] (normalised, padded to a multiple of 32).
    /// With `classThresholds` (one per class), a detection survives NMS only with a score above
    /// its class's threshold, before any mask is computed (`predict --per-class-topk`).
    public func detect(_ images: Tensor, info: [InputImageInfo], settings: InferenceSettings,
                       context: ModuleContext, classThresholds: [Float]? = nil) -> [ImageDetections] {
        precondition(images.n == info.count, "one InputImageInfo per image")
        let (features, _) = backbone.forward(images, context: context)
        let (levels, _) = fpn.forward(features, context: context)
        let (rpn, _) = rpnHead.forward(levels, context: context)
        let proposals = batchProposals(rpn, inputSizes: info.map(\.inputSize), generator: settings.proposals,
                                       anchors: settings.anchors, parallelism: context.compute.parallelism)
        // Box head on every proposal of the batch.
        let boxPooler = self.boxPooler(options: settings.boxPooler, levelRule: settings.roiLevels)
        let rois = RoIPooler.roiTable(proposals.map(\.boxes))
        var results: [ImageDetections] = []
        // Per image: the detections (original pixels) and the boxes the mask head pools
        // (network-input pixels).
        var kept: [Detections] = [], maskBoxes: [[Box]] = []
        if rois.dimension(0) > 0 {
            let (pooled, _) = boxPooler.forward(levels: levels, rois: rois, context: context)
            let (hidden, _) = boxHead.forward(pooled, context: context)
            let (logits, deltas, _) = boxPredictor.forward(hidden, context: context)
            let k = classCount
            var start = 0
            for (image, list) in proposals.enumerated() {
                let count = list.boxes.count
                let scores = logits.withUnsafeBufferPointer {
                    boxPredictor.activation.scores($0.baseAddress! + start * boxPredictor.logitColumns, rows: count, classCount: k)
                }
                let boxDeltas = deltas.withUnsafeBufferPointer { values in
                    (0..<(count * k)).map { index in
                        let at = (start * k + index) * 4
                        return BoxDelta(dx: values[at], dy: values[at + 1], dw: values[at + 2], dh: values[at + 3])
                    }
                }
                let imageInfo = info[image]
                // mmdetection: NMS in original pixels; torchvision and detectron2: in network-input pixels.
                let inOriginal = settings.postProcessing == .mmdetection
                let boxes = classSpecificBoxes(rois: list.boxes, deltas: boxDeltas, classCount: k, coder: settings.boxCoder,
                                               inputSize: imageInfo.inputSize, scaleX: inOriginal ? imageInfo.scaleX : 1,
                                               scaleY: inOriginal ? imageInfo.scaleY : 1)
                var detections = settings.nms.detections(scores: scores, classSpecificBoxes: boxes, classCount: k)
                if let classThresholds {
                    detections = detections.subset(detections.scores.indices.filter { detections.scores[$0] > classThresholds[detections.classes[$0]] })
                }
                if inOriginal {
                    maskBoxes.append(detections.boxes.map { $0.scaled(x: imageInfo.scaleX, y: imageInfo.scaleY) })
                } else {
                    // torchvision `resize_boxes`, detectron2 `Boxes.scale`: times original / input
                    // size per axis (float32).
                    var inputBoxes = detections.boxes
                    let ratioX = Float(imageInfo.originalSize.width) / Float(imageInfo.inputSize.width)
                    let ratioY = Float(imageInfo.originalSize.height) / Float(imageInfo.inputSize.height)
                    detections.boxes = detections.boxes.map { $0.scaled(x: ratioX, y: ratioY) }
                    if settings.postProcessing == .detectron2 {
                        // `detector_postprocess`: clip to the original image, keep `nonempty()`.
                        detections.boxes = detections.boxes.map { $0.clipped(to: imageInfo.originalSize) }
                        let nonempty = detections.boxes.indices.filter {
                            detections.boxes[$0].x2 > detections.boxes[$0].x1 && detections.boxes[$0].y2 > detections.boxes[$0].y1
                        }
                        if nonempty.count < detections.count {
                            detections = detections.subset(nonempty)
                            inputBoxes = nonempty.map { inputBoxes[$0] }
                        }
                    }
                    maskBoxes.append(inputBoxes)
                }
                kept.append(detections)
                start += count
            }
        } else {
            kept = Array(repeating: Detections(), count: images.n)
            maskBoxes = Array(repeating: [], count: images.n)
        }
        // Mask head on the kept boxes, in network-input coordinates.
        let maskRoIs = RoIPooler.roiTable(maskBoxes)
        var maskLogits: Tensor?
        if maskRoIs.dimension(0) > 0 {
            let maskPooler = self.maskPooler(options: settings.maskPooler, levelRule: settings.roiLevels)
            let (pooled, _) = maskPooler.forward(levels: levels, rois: maskRoIs, context: context)
            // Only each detection's class map.
            maskLogits = maskHead.forward(pooled, classes: kept.flatMap(\.classes), context: context).logits
        }
        var row = 0
        for (image, detections) in kept.enumerated() {
            var masks: [PastedMask] = []
            for box in detections.boxes {
                let logits = maskLogits!
                let side = logits.h * logits.w
                let probabilities = logits.withUnsafeBufferPointer { values in
                    (0..<side).map { 1 / (1 + Foundation.exp(-values[row * side + $0])) }
                }
                switch settings.maskPaste {
                case .gridSample:
                    masks.append(pasteMask(probabilities, mapHeight: logits.h, mapWidth: logits.w, box: box,
                                           imageSize: info[image].originalSize, threshold: settings.maskThreshold))
                case .torchvision:
                    masks.append(pasteMaskTorchvision(probabilities, mapHeight: logits.h, mapWidth: logits.w, box: box,
                                                      imageSize: info[image].originalSize, threshold: settings.maskThreshold))
                }
                row += 1
            }
            results.append(ImageDetections(detections: detections, masks: masks))
        }
        return results
    }

    /// The proposals of every image of the batch, the images in parallel (each image's are
    /// its own: the same whatever the thread count).
    public func batchProposals(_ rpn: RPNHead.Output, inputSizes: [ImageSize], generator: ProposalGenerator,
                               anchors: AnchorGenerator, parallelism: Parallelism) -> [Proposals] {
        parallelism.map(inputSizes.count) { image in
            imageProposals(rpn, image: image, inputSize: inputSizes[image], generator: generator, anchors: anchors)
        }
    }

    /// RPN proposals of one image (sigmoid objectness scores), from the anchors of
    /// `anchors` and the selection of `generator` (test- or train-time settings).
    public func imageProposals(_ rpn: RPNHead.Output, image: Int, inputSize: ImageSize, generator: ProposalGenerator,
                        anchors: AnchorGenerator) -> Proposals {
        let padded = anchors.paddedInput(finestFeatureHeight: rpn.objectness[0].h, finestFeatureWidth: rpn.objectness[0].w)
        let outputs = rpn.objectness.indices.map { level -> RPNLevelOutput in
            let objectness = rpn.objectness[level]
            let (logits, deltas) = RPNHead.flatten(objectness: objectness, deltas: rpn.deltas[level], image: image)
            let levelAnchors = anchors.gridAnchors(level: level, featureHeight: objectness.h, featureWidth: objectness.w,
                                                   paddedInput: padded)
            // torchvision's and detectron2's selections rank logits (torchvision takes the
            // sigmoid of the chosen ones itself).
            let scores = generator.selection != .mmdetection ? logits : logits.map { 1 / (1 + Foundation.exp(-$0)) }
            return RPNLevelOutput(anchors: levelAnchors, scores: scores, deltas: deltas)
        }
        return generator.proposals(levels: outputs, imageSize: inputSize)
    }
}

/// Row-wise softmax of a [rows, columns] block (max subtracted first).
func softmaxRows(_ x: UnsafePointer<Float>, rows: Int, columns: Int) -> [Float] {
    var out = [Float](repeating: 0, count: rows * columns)
    for r in 0..<rows {
        let line = x + r * columns
        var maximum = -Float.infinity
        for j in 0..<columns { maximum = max(maximum, line[j]) }
        var total: Float = 0
        for j in 0..<columns {
            let e = Foundation.exp(line[j] - maximum)
            out[r * columns + j] = e
            total += e
        }
        for j in 0..<columns { out[r * columns + j] /= total }
    }
    return out
}
