// Score calibration (`detect-eval --calibration`) with hotcoco's `COCOeval.calibration`
// definitions (crates/hotcoco/src/eval/calibration.rs, hotcoco 1.3): every detection the
// evaluation kept that is not ignored at the IoU threshold (area range "all", within the
// largest cap) is one (confidence, correct) pair, correct = matched at that threshold; pairs
// fall into `binCount` equal-width bins of [0, 1] (index floor(score x bins), clamped to the
// last bin); ECE = sum over non-empty bins of (count / total) x |accuracy - mean confidence|,
// MCE = the largest such gap. Overall, per frequency group (the group's categories' pairs,
// what hotcoco gives with cat_ids set to the group) and per category.
import SharedData
import SharedSupport

/// One confidence bin.
public struct CalibrationBin: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    /// Mean score of the bin's detections (0 when empty).
    public var meanConfidence: Double
    /// Share of the bin's detections that are true positives (0 when empty).
    public var accuracy: Double
    public var count: Int
}

/// ECE, MCE and the bins of one set of detections.
public struct CalibrationError: Sendable, Equatable {
    public var expected: Double
    public var maximum: Double
    public var detections: Int
    public var bins: [CalibrationBin]
}

/// The calibration of one evaluation.
public struct ScoreCalibration: Sendable {
    public var binCount: Int
    public var iouThreshold: Double
    public var overall: CalibrationError
    /// Per frequency group present among the categories (r, c, f order); empty in COCO.
    public var groups: [(group: FrequencyGroup, error: CalibrationError)]
    /// Per category index with at least one counted detection: its ECE.
    public var categoryECE: [(category: Int, ece: Double, detections: Int)]

    /// `frequencies[k]`: the group of result category k.
    public static func compute(_ records: MatchRecords, frequencies: [FrequencyGroup?], binCount: Int = 10,
                               iouThreshold: Double = 0.5) throws -> ScoreCalibration {
        precondition(binCount > 0, "calibration needs at least one bin")
        precondition(frequencies.count == records.categoryCount, "one frequency per category")
        guard let t = records.parameters.iouThresholds.firstIndex(where: { abs($0 - iouThreshold) < 1e-9 }) else {
            throw ToolError.usage("--calibration-iou \(iouThreshold) is not one of the evaluation's IoU thresholds (0.50, 0.55, ..., 0.95)")
        }
        // hotcoco walks its evalImgs sorted by (image id, category id); within a cell, by score.
        var perImage = [[Pair]](repeating: [], count: records.imageCount)
        var perCategory = [[Pair]](repeating: [], count: records.categoryCount)
        for k in 0..<records.categoryCount {
            records.forEachOutcome(category: k, iouIndex: t) { outcome in
                guard !outcome.ignored else { return }
                let pair = Pair(confidence: outcome.score, correct: outcome.matched, category: Int32(k))
                perImage[Int(outcome.image)].append(pair)
                perCategory[k].append(pair)
            }
        }
        let all = perImage.joined()
        var groups: [(FrequencyGroup, CalibrationError)] = []
        for group in FrequencyGroup.allCases where frequencies.contains(group) {
            groups.append((group, error(all.filter { frequencies[Int($0.category)] == group }, binCount: binCount)))
        }
        let categoryECE = perCategory.indices.filter { !perCategory[$0].isEmpty }.map { k in
            (k, error(perCategory[k], binCount: binCount).expected, perCategory[k].count)
        }
        return ScoreCalibration(binCount: binCount, iouThreshold: records.parameters.iouThresholds[t],
                                overall: error(Array(all), binCount: binCount), groups: groups, categoryECE: categoryECE)
    }

    struct Pair {
        var confidence: Double
        var correct: Bool
        var category: Int32
    }

    /// hotcoco's compute_bins + compute_ece_mce, in the same order of operations.
    static func error(_ pairs: some Collection<Pair>, binCount: Int) -> CalibrationError {
        let n = Double(binCount)
        var bins = (0..<binCount).map {
            CalibrationBin(lower: Double($0) / n, upper: Double($0 + 1) / n, meanConfidence: 0, accuracy: 0, count: 0)
        }
        for pair in pairs {
            let index = binIndex(pair.confidence, binCount: binCount)
            bins[index].meanConfidence += pair.confidence
            bins[index].accuracy += pair.correct ? 1 : 0
            bins[index].count += 1
        }
        for i in bins.indices where bins[i].count > 0 {
            bins[i].meanConfidence /= Double(bins[i].count)
            bins[i].accuracy /= Double(bins[i].count)
        }
        var expected = 0.0, maximum = 0.0
        let total = pairs.count
        if total > 0 {
            for bin in bins where bin.count > 0 {
                let gap = abs(bin.accuracy - bin.meanConfidence)
                expected += (Double(bin.count) / Double(total)) * gap
                maximum = max(maximum, gap)
            }
        }
        return CalibrationError(expected: expected, maximum: maximum, detections: total, bins: bins)
    }

    /// Rust's `((score * bins) as usize).min(bins - 1)`: truncation, negative and NaN to 0.
    static func binIndex(_ score: Double, binCount: Int) -> Int {
        let scaled = score * Double(binCount)
        guard scaled >= 1 else { return 0 }
        return scaled >= Double(binCount - 1) ? binCount - 1 : Int(scaled)
    }
}
