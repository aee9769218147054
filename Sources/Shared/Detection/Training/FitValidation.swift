// Validation during a fit (`fit --val SHARDS --val-gt JSON --val-every N`): every N iterations
// and after the run's last one, the live model (weights as they are, no copy) is scored by the
// caller's `evaluate` through a `DetectorPredictor` over it; the loop writes the metrics as a
// log line {"iteration": i, "val": {...}} and saves OUT/best.safetensors (a full checkpoint of
// that iteration) whenever `bestMetric` beats every earlier value, a resumed run's included.
// Inference reads the weights and draws nothing, so the training numbers are the same with
// validation or without.
import Foundation
import SharedSupport

public struct FitValidation: Sendable {
    /// Iterations between two validations (also after the run's last iteration).
    public var every: Int
    /// The metric whose highest value `best.safetensors` keeps (a key of `evaluate`'s result).
    public var bestMetric: String
    /// The metrics of the model behind the predictor, in the order they are logged; nil where
    /// a metric is undefined (e.g. no rare class in the validation set).
    public var evaluate: @Sendable (DetectorPredictor) throws -> [(name: String, value: Double?)]

    public init(every: Int, bestMetric: String, evaluate: @escaping @Sendable (DetectorPredictor) throws -> [(name: String, value: Double?)]) {
        precondition(every >= 1, "validate at least every iteration")
        self.every = every
        self.bestMetric = bestMetric
        self.evaluate = evaluate
    }

    /// Whether the run validates after `iteration` (1-based) of a run ending at `end`.
    public func isDue(after iteration: Int, end: Int) -> Bool {
        iteration % every == 0 || iteration == end
    }

    /// The log line of one validation.
    public static func logLine(iteration: Int, metrics: [(name: String, value: Double?)]) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("iteration"); json.value(iteration)
        json.key("val"); json.beginObject()
        for (name, value) in metrics {
            json.key(name)
            if let value, value.isFinite { json.value(value) } else { json.null() }
        }
        json.endObject()
        json.endObject()
        return json.text
    }

    /// The best `bestMetric` among a log's validation lines (a resumed run's kept lines).
    public func best(in records: [[String: Any]]) -> Double? {
        records.compactMap { (($0["val"] as? [String: Any])?[bestMetric] as? NSNumber)?.doubleValue }.max()
    }
}
