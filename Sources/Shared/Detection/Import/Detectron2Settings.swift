// What detectron2 fixes in its config defaults and code for a Mask R-CNN R-50-FPN
// (detectron2/config/defaults.py, configs/Base-RCNN-FPN.yaml, the LVIS configs' test
// settings) as our config, every convention key included (Config/README.md, "Conventions").
// Where detectron2's arithmetic equals another framework's, that one's key value is used:
// anchors = mmdetection's grid (DefaultAnchorGenerator, OFFSET 0.0, unrounded cell anchors),
// Box2BoxTransform = torchvision's coder, paste_masks_in_image = gridSample.

extension Detectron2Layout {
    /// `base` (which keeps the training settings of a later fine-tune) with detectron2's
    /// settings: FPN P2-P6, anchors 32-512 px at ratios 0.5, 1, 2; RPN coder weights 1 and box
    /// coder weights 10, 10, 5, 5 (scale clamp log(1000 / 16), torchvision's arithmetic);
    /// ROIAlignV2 7 / 14 (aligned, sampling ratio 0); canonical 224 at P4; RPN test 1000 /
    /// 1000 / 0.7 and train 2000 / 1000 / 0.7, MIN_SIZE 0; BGR input with PIXEL_MEAN
    /// (103.530, 116.280, 123.675) and PIXEL_STD 1 (ours in RGB: the stem is flipped);
    /// test 800 / 1333, score > 0.05, NMS 0.5, 100 detections (LVIS configs, >= 1000
    /// classes: > 1e-4, 300), masks >= 0.5; a plain 1x1 mask classifier; the convention keys
    /// detectron2 / mmdetection / torchvision as above. `convert` then sets what the weights say.
    public static func detectron2Settings(_ base: DetectorConfig, norm: BackboneNorm, classes: Int) -> DetectorConfig {
        var c = base
        c.preset = "imported-detectron2"
        c.backbone.norm = norm
        c.backbone.strideInFirstConv = defaultStrideInFirstConv(norm: norm)
        c.backbone.pretrained = nil
        c.fpn = FPNConfig(channels: 256, minLevel: 2, maxLevel: 6)
        c.rpn.anchorScales = [8]
        c.rpn.anchorRatios = [0.5, 1, 2]
        c.rpn.anchorStrides = [4, 8, 16, 32, 64]
        c.rpn.anchorGrid = nil
        c.rpn.coder = BoxCoderConfig(means: [0, 0, 0, 0], stds: [1, 1, 1, 1], convention: .torchvision)
        c.rpn.train = ProposalConfig(preNMSTopK: 2000, postNMSTopK: 1000, nmsIoU: 0.7, minimumSize: 0, selection: .detectron2)
        c.rpn.test = ProposalConfig(preNMSTopK: 1000, postNMSTopK: 1000, nmsIoU: 0.7, minimumSize: 0, selection: .detectron2)
        c.roiHeads.boxPooler = PoolerConfig(outputSize: 7, samplingRatio: 0, aligned: true)
        c.roiHeads.maskPooler = PoolerConfig(outputSize: 14, samplingRatio: 0, aligned: true)
        c.roiHeads.canonicalSize = 224
        c.roiHeads.canonicalLevel = 4
        c.roiHeads.levelMapping = .detectron2
        c.roiHeads.boxHead.coder = BoxCoderConfig(means: [0, 0, 0, 0], stds: [0.1, 0.1, 0.2, 0.2], convention: .torchvision)
        c.roiHeads.boxHead.scoreActivation = nil
        c.roiHeads.maskHead.classifier = .linear
        c.input.testShortSide = 800
        c.input.testMaxLongSide = 1333
        c.input.padMultiple = 32
        c.input.pixelMean = [123.675, 116.28, 103.53]
        c.input.pixelStd = [1, 1, 1]
        let lvis = classes >= 1000
        c.test = TestConfig(scoreThreshold: lvis ? 1e-4 : 0.05, nmsIoU: 0.5, maxDetectionsPerImage: lvis ? 300 : 100,
                            maskThreshold: 0.5, postProcessing: .detectron2, maskPaste: nil)
        return c
    }
}
