// The settings an imported model takes from its framework's reference config where the weights
// say nothing (pooling, coders, anchors, image normalisation, test settings; training settings
// for a later fine-tune). mmdetection 2.x: configs/_base_/models/mask_rcnn_r50_fpn.py with the
// LVIS configs' test_cfg (fcjian/LOCE configs/loce/mask_rcnn_r50_fpn_normed_mask_mstrain_2x_lvis_v1.py),
// the same values as our r50-fpn preset (pipelines/configs/r50-fpn.json, whose training
// settings follow the same files).
import Foundation
import SharedSupport

public enum ImportDefaults {
    /// mmdetection 2.x Mask R-CNN R-50-FPN: LVIS test settings (score > 1e-4, <= 300 per image)
    /// for 1000 classes or more, the COCO config's (score > 0.05, <= 100) below.
    public static func mmdetection(classes: Int) throws -> DetectorConfig {
        var config = try StrictConfigDecoder.decode(DetectorConfig.self, from: Data(mmdetectionJSON.utf8), file: "mmdetection defaults")
        if classes < 1000 {
            config.test.scoreThreshold = 0.05
            config.test.maxDetectionsPerImage = 100
        }
        return config
    }

    static let mmdetectionJSON = """
{
 "preset": "imported-mmdet",
 "seed": 0,
 "backbone": {
  "block": "Bottleneck",
  "stageBlocks": [
   3,
   4,
   6,
   3
  ],
  "stemWidth": 64,
  "stageWidths": [
   256,
   512,
   1024,
   2048
  ],
  "norm": "FrozenBatchNorm",
  "groups": 32,
  "frozenStages": 2,
  "pretrained": null
 },
 "fpn": {
  "channels": 256,
  "minLevel": 2,
  "maxLevel": 6
 },
 "rpn": {
  "anchorScales": [
   8
  ],
  "anchorRatios": [
   0.5,
   1.0,
   2.0
  ],
  "anchorStrides": [
   4,
   8,
   16,
   32,
   64
  ],
  "matcher": {
   "positiveIoU": 0.7,
   "negativeIoU": 0.3,
   "minimumPositiveIoU": 0.3,
   "lowQualityMatches": true
  },
  "sampler": {
   "samplesPerImage": 256,
   "positiveFraction": 0.5
  },
  "train": {
   "preNMSTopK": 2000,
   "postNMSTopK": 1000,
   "nmsIoU": 0.7,
   "minimumSize": 0
  },
  "test": {
   "preNMSTopK": 1000,
   "postNMSTopK": 1000,
   "nmsIoU": 0.7,
   "minimumSize": 0
  },
  "coder": {
   "means": [
    0,
    0,
    0,
    0
   ],
   "stds": [
    1,
    1,
    1,
    1
   ]
  },
  "objectnessLossWeight": 1.0,
  "boxLossWeight": 1.0
 },
 "roiHeads": {
  "numClasses": null,
  "matcher": {
   "positiveIoU": 0.5,
   "negativeIoU": 0.5,
   "minimumPositiveIoU": 0.5,
   "lowQualityMatches": true
  },
  "sampler": {
   "samplesPerImage": 512,
   "positiveFraction": 0.25
  },
  "addGroundTruthToProposals": true,
  "boxPooler": {
   "outputSize": 7,
   "samplingRatio": 0,
   "aligned": true
  },
  "maskPooler": {
   "outputSize": 14,
   "samplingRatio": 0,
   "aligned": true
  },
  "canonicalSize": 224,
  "canonicalLevel": 4,
  "boxHead": {
   "fcCount": 2,
   "fcDim": 1024,
   "classifierInitStd": 0.01,
   "regressorInitStd": 0.001,
   "coder": {
    "means": [
     0,
     0,
     0,
     0
    ],
    "stds": [
     0.1,
     0.1,
     0.2,
     0.2
    ]
   },
   "classificationLossWeight": 1.0,
   "boxLossWeight": 1.0
  },
  "maskHead": {
   "convCount": 4,
   "convDim": 256,
   "classifier": "normed",
   "normedScale": 20,
   "lossWeight": 1.0
  }
 },
 "input": {
  "trainShortSides": [
   640,
   672,
   704,
   736,
   768,
   800
  ],
  "trainMaxLongSide": 1333,
  "testShortSide": 800,
  "testMaxLongSide": 1333,
  "flipProbability": 0.5,
  "padMultiple": 32,
  "pixelMean": [
   123.675,
   116.28,
   103.53
  ],
  "pixelStd": [
   58.395,
   57.12,
   57.375
  ],
  "sampler": "uniform",
  "repeatThreshold": 0.001
 },
 "solver": {
  "imagesPerBatch": 16,
  "baseLearningRate": 0.02,
  "referenceBatchSize": 16,
  "momentum": 0.9,
  "weightDecay": 0.0001,
  "warmupIterations": 500,
  "warmupRatio": 0.001,
  "unit": "epochs",
  "length": 24,
  "decaySteps": [
   16,
   22
  ],
  "decayFactor": 0.1,
  "checkpointPeriod": 5000
 },
 "test": {
  "scoreThreshold": 0.0001,
  "nmsIoU": 0.5,
  "maxDetectionsPerImage": 300,
  "maskThreshold": 0.5
 }
}
"""
}
