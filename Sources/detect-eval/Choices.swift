// The option values of `detect-eval evaluate` as enums, so `--help` lists the choices.
import ArgumentParser
import SharedEval

/// `--iou-type`: what is compared.
enum IoUTypeChoice: String, ExpressibleByArgument, CaseIterable {
    case bbox, segm, both
    var types: [IoUType] { self == .both ? [.bbox, .segm] : [self == .bbox ? .bbox : .segm] }
}

/// `--style`: which reference to reproduce.
enum StyleChoice: String, ExpressibleByArgument, CaseIterable {
    case coco, lvis, auto
    var style: EvaluationStyle? { self == .auto ? nil : (self == .coco ? .coco : .lvis) }
}
