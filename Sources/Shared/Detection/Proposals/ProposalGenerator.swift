// RPN proposals of one image from per-level objectness and deltas: mmdetection 2.8
// `RPNHead._get_bboxes_single` (nms_across_levels=False):
//   1. per level, keep the `preNMSTopK` highest-scoring anchors;
//   2. decode their deltas (RPN coder) and clamp to the image;
//   3. if minimumSize > 0, drop boxes with a side < minimumSize;
//   4. NMS at `nmsThreshold` within each level (batched by level id);
//   5. keep the `postNMSTopN` highest-scoring survivors over all levels.
// With `selection` .torchvision, torchvision's `RegionProposalNetwork.filter_proposals`: the
// level outputs' `scores` are LOGITS; per level the `preNMSTopK` highest logits, decoded
// (`coder`, torchvision's arithmetic when its convention says so) and clipped; boxes with a
// side < minimumSize dropped (torchvision: 0.001, tested even at 0); scores = sigmoid(logit);
// `torchvisionBatchedNMS` by level at `nmsThreshold` (the Float of `torchvisionIoUThreshold`);
// the first `postNMSTopN`.
// With `selection` .detectron2, detectron2's `find_top_rpn_proposals`
// (modeling/proposal_generator/proposal_utils.py): the same top k by logit per level, decode
// (detectron2's `Box2BoxTransform` = torchvision's coder arithmetic) and clip, then boxes
// kept only when both sides are > minimumSize (`Boxes.nonempty(threshold=min_box_size)`,
// strictly: a box clipped to zero width goes even at 0), NMS ranks the LOGITS themselves
// (torchvision's `batched_nms` by level), the first `postNMSTopN`; the scores stay logits.
import Foundation

/// One FPN level's RPN outputs for one image, in the anchor generator's flat order.
public struct RPNLevelOutput: Sendable {
    public var anchors: [Box]
    /// Objectness per anchor (sigmoid probabilities or logits: only the order matters,
    /// and the returned proposal scores are these values).
    public var scores: [Float]
    public var deltas: [BoxDelta]

    public init(anchors: [Box], scores: [Float], deltas: [BoxDelta]) {
        precondition(anchors.count == scores.count && anchors.count == deltas.count, "one score and delta per anchor")
        self.anchors = anchors; self.scores = scores; self.deltas = deltas
    }
}

/// Proposals of one image, by descending score.
public struct Proposals: Sendable, Equatable {
    public var boxes: [Box]
    public var scores: [Float]
    /// The FPN level each proposal came from.
    public var levels: [Int]
}

/// Settings of proposal generation (train: 2000 / 0.7 / 1000; test: 1000 / 0.7 / 1000).
public struct ProposalGenerator: Hashable, Sendable {
    public var preNMSTopK: Int
    public var nmsThreshold: Float
    public var postNMSTopN: Int
    public var minimumSize: Float
    public var coder: DeltaXYWHBoxCoder
    /// mmdetection's, torchvision's or detectron2's selection (`rpn.{train,test}.selection`);
    /// with torchvision's and detectron2's, the level outputs' scores are logits.
    public var selection: DetectionConvention

    public init(preNMSTopK: Int, nmsThreshold: Float = 0.7, postNMSTopN: Int, minimumSize: Float = 0,
                coder: DeltaXYWHBoxCoder = .rpn, selection: DetectionConvention = .mmdetection) {
        precondition(preNMSTopK > 0 && postNMSTopN > 0, "top-k sizes must be positive")
        self.preNMSTopK = preNMSTopK; self.nmsThreshold = nmsThreshold; self.postNMSTopN = postNMSTopN
        self.minimumSize = minimumSize; self.coder = coder; self.selection = selection
    }

    /// The settings of a config's `rpn.train` or `rpn.test` section with the RPN's `coder`.
    public init(config: ProposalConfig, coder: DeltaXYWHBoxCoder) {
        let selection = config.selection.resolved
        self.init(preNMSTopK: config.preNMSTopK,
                  nmsThreshold: selection != .mmdetection ? torchvisionIoUThreshold(config.nmsIoU) : Float(config.nmsIoU),
                  postNMSTopN: config.postNMSTopK, minimumSize: Float(config.minimumSize), coder: coder, selection: selection)
    }

    public static let training = ProposalGenerator(preNMSTopK: 2000, postNMSTopN: 1000)
    public static let testing = ProposalGenerator(preNMSTopK: 1000, postNMSTopN: 1000)

    /// The proposals of one image of `imageSize` (the un-padded network input).
    public func proposals(levels: [RPNLevelOutput], imageSize: ImageSize) -> Proposals {
        if selection != .mmdetection { return torchvisionProposals(levels: levels, imageSize: imageSize) }
        var boxes: [Box] = [], scores: [Float] = [], levelIDs: [Int] = []
        for (level, output) in levels.enumerated() {
            for index in topKIndices(output.scores, k: preNMSTopK) {
                let box = coder.decode(output.deltas[index], relativeTo: output.anchors[index], clipTo: imageSize)
                if minimumSize > 0 && !box.hasSize(atLeast: minimumSize) { continue }
                boxes.append(box); scores.append(output.scores[index]); levelIDs.append(level)
            }
        }
        let kept = batchedNonMaximumSuppression(boxes, scores: scores, groups: levelIDs, iouThreshold: nmsThreshold)
        let top = kept.prefix(postNMSTopN)
        return Proposals(boxes: top.map { boxes[$0] }, scores: top.map { scores[$0] }, levels: top.map { levelIDs[$0] })
    }

    /// torchvision's or detectron2's selection (the file comment); `levels[i].scores` are logits.
    func torchvisionProposals(levels: [RPNLevelOutput], imageSize: ImageSize) -> Proposals {
        var boxes: [Box] = [], scores: [Float] = [], levelIDs: [Int] = []
        let detectron2 = selection == .detectron2
        for (level, output) in levels.enumerated() {
            for index in topKIndices(output.scores, k: preNMSTopK) {
                let box = coder.decode(output.deltas[index], relativeTo: output.anchors[index], clipTo: imageSize)
                let width = box.x2 - box.x1, height = box.y2 - box.y1
                if detectron2 {
                    guard width > minimumSize && height > minimumSize else { continue }
                } else {
                    guard width >= minimumSize && height >= minimumSize else { continue }
                }
                let logit = output.scores[index]
                boxes.append(box); scores.append(detectron2 ? logit : 1 / (1 + Foundation.exp(-logit))); levelIDs.append(level)
            }
        }
        let kept = torchvisionBatchedNMS(boxes, scores: scores, groups: levelIDs, iouThreshold: nmsThreshold)
        let top = kept.prefix(postNMSTopN)
        return Proposals(boxes: top.map { boxes[$0] }, scores: top.map { scores[$0] }, levels: top.map { levelIDs[$0] })
    }
}
