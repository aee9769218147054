// The analyses `detect-eval report` adds per model, on what its evaluation already loaded (no
// second parse): TIDE for each IoU type the results carry (tidecv's loader for the ground
// truth's style, its default per-image cap) and the class confusion matrix (boxes, mmdetection's
// defaults: score >= 0.3, IoU >= 0.5); then the side-by-side section of each: one TIDE chart
// with a row per model, and the long-tail confusions with one heat map per model over the
// same classes.
import SharedData
import SharedSupport

extension DetectionReport {
    /// The analyses of one model's evaluated results. A result file without a `bbox` on every
    /// result gets no box TIDE and no confusion matrix (a note says so); without a
    /// `segmentation` on every result, no mask TIDE.
    func analyses(of model: ModelDetections, reports: [EvaluationReport], inputs: EvaluationInputs,
                  parallelism: Parallelism) throws -> ModelAnalyses {
        let results = inputs.analysisResults, columns = inputs.results
        let missingBox = columns.hasBox.firstIndex(of: false), missingMask = columns.hasMask.firstIndex(of: false)
        var tideNotes: [String] = []
        var tide: [TIDEBreakdown] = []
        for report in reports {
            let missing = report.iouType == .bbox ? missingBox : missingMask
            if let missing {
                tideNotes.append("\(model.name): no \(report.iouType.rawValue) TIDE breakdown: results[\(missing)] of `\(model.path)` has no "
                             + (report.iouType == .bbox ? "`bbox`" : "`segmentation`") + " (TIDE uses each result's own)")
                continue
            }
            let kind: TIDEDatasetKind = report.style == .lvis ? .lvis : .coco
            tide.append(try TIDEBreakdown.compute(dataset: inputs.dataset, results: results, resultsPath: model.path,
                                                  groundTruthPath: groundTruthPath, iouType: report.iouType, kind: kind,
                                                  maxDetections: TIDEBreakdown.defaultMaxDetections(kind), parallelism: parallelism))
        }
        var confusion: ConfusionMatrix?, confusionNote: String?
        if let missingBox {
            confusionNote = "\(model.name): no confusion matrix: results[\(missingBox)] of `\(model.path)` has no `bbox` (the matrix compares boxes)"
        } else {
            confusion = try ConfusionMatrix.compute(dataset: inputs.dataset, results: results, resultsPath: model.path)
        }
        return ModelAnalyses(name: model.name, tide: tide, tideNotes: tideNotes, confusion: confusion, confusionNote: confusionNote)
    }

    /// Writes the TIDE chart and the heat maps (through `path`, which stages a file name) and
    /// adds their sections to `document`.
    func addAnalyses(_ models: [ModelAnalyses], to document: inout ReportDocument, path: (String) -> String) throws {
        /// Notes as a paragraph after a blank line (a line right after a table would join it).
        func paragraph(_ notes: [String]) -> String { notes.isEmpty ? "" : "\n" + notes.map { $0 + "." }.joined(separator: "\n") + "\n" }
        let tideNotes = paragraph(models.flatMap(\.tideNotes)), confusionNotes = paragraph(models.compactMap(\.confusionNote))
        if models.contains(where: { !$0.tide.isEmpty }) {
            try TIDEChart.write(rows: models.map { ($0.name, $0.tide) }, to: path(Files.tideChart))
            document.section("TIDE error breakdown", image: Files.tideChart, text: """
                TIDE (tidecv's computation, as `detect-eval --tide`): tidecv's AP at IoU 0.5 and, per error type, the AP gained by fixing \
                it alone (dAP), in AP points; rows for all classes and per frequency group (Cls in the `r` rows: what rare classes gain \
                when their misclassified detections are fixed). The chart: one row per model, one y axis.


                """ + AnalysisTables.tide(models) + tideNotes)
        } else {
            document.section("TIDE error breakdown", text: "No model's results allow a TIDE breakdown.\n" + tideNotes)
        }
        let matrices = models.compactMap { model in model.confusion.map { (name: model.name, matrix: $0) } }
        guard !matrices.isEmpty else {
            document.section("Long-tail confusions", text: "No model's results allow a confusion matrix.\n" + confusionNotes)
            return
        }
        let shown = ConfusionHeatMap.classes(of: matrices.map(\.matrix), limit: 30)
        for (name, matrix) in matrices {
            try ConfusionHeatMap.render(matrix, shown: shown, title: "\(name): ground truth (rows) -> detected (columns), share of the row")
                .writePNG(to: path(Files.confusion(name)))
        }
        let maps = "| " + matrices.map(\.name).joined(separator: " | ") + " |\n|" + matrices.map { _ in " --- |" }.joined() + "\n| "
            + matrices.map { "![\($0.name) confusions](\(Files.confusion($0.name)))" }.joined(separator: " | ") + " |\n"
        let first = matrices[0].matrix
        document.section("Long-tail confusions", text: """
            From the class confusion matrix (mmdetection's semantics, as `detect-eval --confusion`: detections with score >= \
            \(first.scoreThreshold) against every ground truth at IoU >= \(first.iouThreshold)): how often a rare or common class's \
            ground truth was covered by a frequent class's detection, the bias LOCE is meant to reduce. Shares are of the rows' \
            counts (matches with any class and misses).


            """ + AnalysisTables.tailTotals(models) + "\nThe rare and common classes most taken by frequent ones:\n\n"
            + AnalysisTables.tailDetail(models) + "\n" + (shown.isEmpty
                ? "No class was confused with another at these thresholds (the heat maps are empty):\n\n"
                : "The \(shown.count) classes most involved in confusions (over all models), grouped rare / common / frequent, "
                  + "each cell its share of the ground-truth row:\n\n") + maps + confusionNotes)
    }
}
