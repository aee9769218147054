// Building one iteration's mean-score observations from the raw softmax
// (docs/method.md §Mean scores), indexed by assignment, never by position
// (docs/method.md §Departures from the reference).
//
// Legend: N = classification rows (RoIs, then memory samples), K = C + 1 classes;
// `probabilities` is softmax(z) of the raw logits, N x K row-major, treated as constants.

/// One observation per group: the mean of probabilities[row, label] over the group's rows,
/// groups in ascending key order. `rows`, `labels` and `groups` are parallel lists.
public func groupedMeanObservations(probabilities: [Float], classCount: Int, rows: [Int], labels: [Int],
                                    groups: [Int]) -> [MeanScoreObservation] {
    precondition(rows.count == labels.count && rows.count == groups.count, "rows, labels and groups are parallel lists")
    precondition(probabilities.count % classCount == 0, "probabilities must be N x K")
    var sums: [Int: (label: Int, sum: Double, count: Int)] = [:]
    for ((row, label), group) in zip(zip(rows, labels), groups) {
        let p = Double(probabilities[row * classCount + label])
        if let entry = sums[group] {
            precondition(entry.label == label, "all rows of one group share one label")
            sums[group] = (label, entry.sum + p, entry.count + 1)
        } else {
            sums[group] = (label, p, 1)
        }
    }
    return sums.keys.sorted().map { key in
        let entry = sums[key]!
        return MeanScoreObservation(classIndex: entry.label, value: Float(entry.sum / Double(entry.count)))
    }
}

/// Observations of the sampled positive RoIs: one per GT instance with at least one
/// positive RoI (GT boxes added as proposals included), the mean of p[gt class] over them.
/// Per positive row: `groundTruthIDs` (unique across the batch, e.g. image offset + GT
/// index) and `groundTruthClasses` (the class of that GT).
public func positiveRoIObservations(probabilities: [Float], classCount: Int, positiveRows: [Int],
                                    groundTruthIDs: [Int], groundTruthClasses: [Int]) -> [MeanScoreObservation] {
    groupedMeanObservations(probabilities: probabilities, classCount: classCount, rows: positiveRows,
                            labels: groundTruthClasses, groups: groundTruthIDs)
}

/// Observations of the memory samples: one per distinct class among them, the mean of
/// p[class] over that class's samples.
public func memorySampleObservations(probabilities: [Float], classCount: Int, memoryRows: [Int],
                                     memoryClasses: [Int]) -> [MeanScoreObservation] {
    groupedMeanObservations(probabilities: probabilities, classCount: classCount, rows: memoryRows,
                            labels: memoryClasses, groups: memoryClasses)
}
