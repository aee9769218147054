// OUT/log.jsonl: one JSON object per finished iteration (iteration, epoch, lr, each loss,
// total, images/s, and with `--profile` the milliseconds of each phase). On resume the lines after the checkpoint's step are dropped first (an
// atomic rewrite), so the file always describes one consistent run.
import Foundation
import SharedSupport

/// One finished training iteration.
public struct IterationRecord: Sendable, Equatable {
    /// Iterations done after this one (1-based).
    public var iteration: Int
    public var epoch: Int
    public var learningRate: Float
    public var losses: TrainingLosses
    public var imagesPerSecond: Double
    /// Wall time per phase (`TrainingPhase`), when profiled.
    public var phases: [PhaseTime]?

    public init(iteration: Int, epoch: Int, learningRate: Float, losses: TrainingLosses, imagesPerSecond: Double,
                phases: [PhaseTime]? = nil) {
        self.iteration = iteration; self.epoch = epoch; self.learningRate = learningRate
        self.losses = losses; self.imagesPerSecond = imagesPerSecond; self.phases = phases
    }

    /// The JSON line (no newline).
    public func jsonLine() -> String {
        var json = JSONWriter(reservingCapacity: 256)
        json.beginObject()
        json.key("iteration"); json.value(iteration)
        json.key("epoch"); json.value(epoch)
        json.key("lr"); json.value(Double(learningRate))
        json.key("loss_rpn_cls"); json.value(Double(losses.rpnObjectness))
        json.key("loss_rpn_bbox"); json.value(Double(losses.rpnBox))
        json.key("loss_cls"); json.value(Double(losses.boxClassification))
        json.key("loss_bbox"); json.value(Double(losses.boxRegression))
        json.key("loss_mask")
        if let mask = losses.mask { json.value(Double(mask)) } else { json.null() }
        json.key("loss"); json.value(Double(losses.total))
        json.key("images_per_s"); json.value((imagesPerSecond * 1000).rounded() / 1000)
        if let phases {
            json.key("phases_ms"); json.beginObject()
            for phase in phases { json.key(phase.name); json.value((phase.seconds * 1e6).rounded() / 1000) }
            json.endObject()
        }
        json.endObject()
        return json.text
    }
}

/// Appends iteration lines to a JSON-lines file.
public final class TrainingLogFile {
    public let path: String
    private let handle: FileHandle
    /// The lines a resumed run kept, decoded (for what a run carries over, e.g. the best
    /// validation score so far).
    public private(set) var keptRecords: [[String: Any]] = []

    /// Opens `path`: emptied for a fresh run, or cut back to the lines with iteration <=
    /// `keepThrough` when resuming.
    public init(path: String, keepThrough: Int?) throws {
        self.path = path
        var kept = ""
        if let keepThrough, let data = FileManager.default.contents(atPath: path) {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let iteration = (object["iteration"] as? NSNumber)?.intValue, iteration <= keepThrough else { continue }
                kept += line + "\n"
                keptRecords.append(object)
            }
        }
        try writeFileAtomically(path, text: kept)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ToolError.io("cannot open the training log for writing", file: path)
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends one line (a record's `jsonLine()`, or a stage's longer line).
    public func append(line: String) throws {
        do {
            try handle.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            throw ToolError.io("cannot write the training log: \(error)", file: path)
        }
    }
}
