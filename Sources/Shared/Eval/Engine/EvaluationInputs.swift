// What an evaluation loaded, kept for the analyses on the files (`--tide`, `--confusion`,
// `detect-eval report`) when `EvaluationAnalyses.keepsInputs`: the ground truth, its index and
// the results' columns (resolved and completed), so that nothing is read or parsed twice.
import SharedData

public struct EvaluationInputs: Sendable {
    public var dataset: Dataset
    public var index: GroundTruthIndex
    public var results: ResultColumns

    public init(dataset: Dataset, index: GroundTruthIndex, results: ResultColumns) {
        self.dataset = dataset
        self.index = index
        self.results = results
    }

    /// The results as the analyses read them (the columns' arrays shared, not copied).
    public var analysisResults: AnalysisResults { AnalysisResults(columns: results, index: index) }
}
