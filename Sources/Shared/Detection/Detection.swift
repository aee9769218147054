// Layer 7 of Shared: boxes and box coding, anchors, matching and sampling, NMS, RoIAlign,
// RPN, box head, mask head, the Mask R-CNN model and its presets, post-processing.
