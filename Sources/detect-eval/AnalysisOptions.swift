// `detect-eval evaluate`'s analysis options: --calibration [--calibration-bins N
// --calibration-iou T] and --diagnostics N [--diagnostics-iou T --diagnostics-score-threshold S].
// Plain values are checked here (exit 64).
import ArgumentParser
import SharedEval

struct AnalysisOptions: ParsableArguments {
    @Flag(name: .long,
          help: "Add score calibration as hotcoco's COCOeval.calibration defines it: ECE and MCE over the detections not ignored at IoU 0.5 (correct = matched), in 10 equal-width score bins, overall and per frequency group r/c/f; \"calibration\" in --json. E.g. --calibration.")
    var calibration = false

    @Option(name: .customLong("calibration-bins"), help: ArgumentHelp("With --calibration: equal-width score bins over [0, 1] (hotcoco's n_bins). E.g. --calibration-bins 15.", valueName: "N"))
    var calibrationBins: Int?

    @Option(name: .customLong("calibration-iou"), help: ArgumentHelp("With --calibration: IoU at which a detection is correct; one of 0.50, 0.55, ..., 0.95 (hotcoco's iou_threshold). E.g. --calibration-iou 0.75.", valueName: "T"))
    var calibrationIoU: Double?

    @Option(name: .long,
            help: ArgumentHelp("Add per-image diagnostics (hotcoco's image_diagnostics counts at IoU 0.5): the N images with the most missed ground truths and the N with the most false positives, with ids, file names, TP/FP/FN, F1 and image AP; \"diagnostics\" in --json. E.g. --diagnostics 10.", valueName: "N"))
    var diagnostics: Int?

    @Option(name: .customLong("diagnostics-iou"), help: ArgumentHelp("With --diagnostics: the IoU threshold of a match (snapped to the nearest of 0.50, ..., 0.95, as hotcoco does). E.g. --diagnostics-iou 0.75.", valueName: "T"))
    var diagnosticsIoU: Double?

    @Option(name: .customLong("diagnostics-score-threshold"),
            help: ArgumentHelp("With --diagnostics: count only detections scoring at least S (default: every detection, as hotcoco; a ground truth matched only below S then counts as missed). E.g. --diagnostics-score-threshold 0.3.", valueName: "S"))
    var diagnosticsScoreThreshold: Double?

    func validate() throws {
        if !calibration && (calibrationBins != nil || calibrationIoU != nil) {
            throw ValidationError("--calibration-bins and --calibration-iou set up --calibration: add --calibration")
        }
        if diagnostics == nil && (diagnosticsIoU != nil || diagnosticsScoreThreshold != nil) {
            throw ValidationError("--diagnostics-iou and --diagnostics-score-threshold set up --diagnostics N: add --diagnostics 10 (say)")
        }
        if let calibrationBins, calibrationBins < 1 { throw ValidationError("--calibration-bins must be at least 1 (got \(calibrationBins))") }
        if let calibrationIoU, !EvaluationParameters(style: .coco).iouThresholds.contains(where: { abs($0 - calibrationIoU) < 1e-9 }) {
            throw ValidationError("--calibration-iou \(calibrationIoU) is not an evaluation IoU threshold: give one of 0.5, 0.55, ..., 0.95")
        }
        if let diagnostics, diagnostics < 1 { throw ValidationError("--diagnostics must list at least 1 image (got \(diagnostics))") }
        for (value, option) in [(diagnosticsIoU, "--diagnostics-iou"), (diagnosticsScoreThreshold, "--diagnostics-score-threshold")] {
            if let value, !(value.isFinite && (0...1).contains(value)) { throw ValidationError("\(option) must be in 0-1 (got \(value))") }
        }
    }

    var analyses: EvaluationAnalyses {
        EvaluationAnalyses(calibration: calibration ? .init(binCount: calibrationBins ?? 10, iouThreshold: calibrationIoU ?? 0.5) : nil,
                           diagnostics: diagnostics.map { .init(limit: $0, iouThreshold: diagnosticsIoU ?? 0.5, scoreThreshold: diagnosticsScoreThreshold) })
    }
}
