// The files `evaluate`, `report` and `compare` read and write, checked before any work:
// inputs are files or streams (never folders or devices), side outputs are file paths that
// are neither a folder, a device nor one of the run's inputs, and the report folder is not a
// file or an input folder.
import SharedEval
import SharedSupport

extension EvaluateCommand {
    func checkPaths() throws {
        let resultsPath = dt ?? results ?? "-"
        try PathChecks.requireInputFileOrStream(gt, option: "--gt")
        try PathChecks.requireInputFileOrStream(resultsPath, option: dt != nil ? "--dt" : "RESULTS")
        if let perCategory { try PathChecks.requireOutputFile(perCategory, option: "--per-category", inputs: [gt, resultsPath]) }
        if let plot { try PathChecks.requireOutputFile(plot, option: "--plot", inputs: [gt, resultsPath]) }
        if let confusion { try PathChecks.requireOutputFile(confusion, option: "--confusion", inputs: [gt, resultsPath]) }
        if let confusion { try PathChecks.requireOutputFile(ConfusionHeatMap.path(besideCSV: confusion), option: "--confusion (its .png)", inputs: [gt, resultsPath]) }
    }
}

extension ReportCommand {
    func checkPaths() throws {
        try PathChecks.requireInputFileOrStream(gt, option: "--gt")
        for model in models { try PathChecks.requireInputFileOrStream(model.path, option: "--model \(model.name)") }
        if let trainGT { try PathChecks.requireInputFileOrStream(trainGT, option: "--train-gt") }
        if let images { try PathChecks.requireInputFolder(images, option: "--images") }
        typealias Files = DetectionReport.Files
        let written = [Files.report, Files.frequencyChart, Files.longTail, Files.grid] + models.map { Files.prCurves($0.name) }
        let inputs = [gt] + models.map(\.path) + (trainGT.map { [$0] } ?? []) + (images.map { [$0] } ?? [])
        try PathChecks.requireOutputDirectory(out, option: "--out", files: written, inputs: inputs)
    }
}

extension CompareCommand {
    func checkPaths() throws {
        for result in results { try PathChecks.requireInputFileOrStream(result.path, option: "--result \(result.name)") }
        if let gt = evaluation.gt { try PathChecks.requireInputFileOrStream(gt, option: "--gt") }
        for detections in evaluation.detections { try PathChecks.requireInputFileOrStream(detections.path, option: "--dt \(detections.name)") }
        let inputs = results.map(\.path) + evaluation.detections.map(\.path) + (evaluation.gt.map { [$0] } ?? [])
        if let chart { try PathChecks.requireOutputFile(chart, option: "--chart", inputs: inputs) }
        if let scatter { try PathChecks.requireOutputFile(scatter, option: "--scatter", inputs: results.map(\.path)) }
        for log in logs { try PathChecks.requireInputFile(log.path, option: "--log \(log.name)") }
        if let curves { try PathChecks.requireOutputDirectory(curves, option: "--curves", inputs: logs.map(\.path)) }
    }
}
