// A training run's OUT/log.jsonl read back for plotting (`detect-eval compare --log`): the
// total loss and learning rate of every iteration line, and the metrics of every validation
// line ({"iteration", "val": {"bbox_AP": …, "segm_APr": …}}, `fit --val`). A line that is not
// a JSON object with an integer "iteration" is an error naming the file and the line.
import Foundation
import SharedSupport

public struct TrainingLog: Sendable {
    public var name: String
    /// (iteration, total loss) and (iteration, learning rate), iteration lines in file order.
    public var losses: [(iteration: Int, value: Double)] = []
    public var learningRates: [(iteration: Int, value: Double)] = []
    /// (iteration, metric name -> value; a null metric is left out), validation lines in file order.
    public var validations: [(iteration: Int, metrics: [String: Double])] = []

    public static func read(name: String, path: String) throws -> TrainingLog {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ToolError.io("cannot read the training log: \(error.localizedDescription)", file: path)
        }
        var log = TrainingLog(name: name)
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let iteration = (object["iteration"] as? NSNumber)?.intValue else {
                throw ToolError("line \(number + 1) is not a log record (a JSON object with an \"iteration\")", file: path,
                                hint: "pass the log.jsonl written by detect-train fit or loce-finetune fit")
            }
            if let val = object["val"] as? [String: Any] {
                log.validations.append((iteration, val.compactMapValues { ($0 as? NSNumber)?.doubleValue }))
                continue
            }
            if let loss = (object["loss"] as? NSNumber)?.doubleValue { log.losses.append((iteration, loss)) }
            if let rate = (object["lr"] as? NSNumber)?.doubleValue { log.learningRates.append((iteration, rate)) }
        }
        return log
    }
}
