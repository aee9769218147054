// Turns a ground truth and a results file into the engine's `EvaluationSet`, applying the
// filters of the chosen reference: COCOeval's (unknown categories dropped, iscrowd as
// ignore) or LVISEval's (300 per image, zero area dropped, federated filter, not-exhaustive),
// with the caps of the evaluation protocol (`--max-dets`; Fixed AP's K per category).
import SharedData
import SharedSupport

/// An `EvaluationSet` plus, per kept detection / ground truth, its row in the inputs.
public struct BuiltEvaluation: Sendable {
    public var set: EvaluationSet
    /// Per detection of `set`: its index in the `ResultColumns`.
    public var detectionSource: [Int32]
    /// Per ground truth of `set`: its index in `dataset.annotations`.
    public var groundTruthSource: [Int32]
    public var filtered: FilterCounts
    /// The reference decides box vs mask results from the first result (after the LVIS cap).
    public var resultsAreBoxes: Bool
    /// Fixed AP: the categories of the results file with fewer than K detections (the
    /// reference warns about them: more detections would raise AP); 0 when off.
    public var categoriesUnderCategoryCap = 0
}

public enum EvaluationBuilder {
    /// `areasFromMasks`: mask areas whatever the first result holds (Fixed AP mask evaluation:
    /// evaluate_ap_fixed.py removes every `bbox` so that the LVIS API takes the mask areas).
    public static func build(style: EvaluationStyle, dataset: Dataset, index: GroundTruthIndex,
                             results: ResultColumns, parallelism: Parallelism = .serial,
                             evaluationProtocol: EvaluationProtocol = EvaluationProtocol(),
                             areasFromMasks: Bool = false) -> BuiltEvaluation {
        precondition(!evaluationProtocol.isFixedAP || style == .lvis, "Fixed AP is an LVIS protocol")
        var set = EvaluationSet(imageCount: index.imageCount, categoryCount: index.categoryCount)
        var filtered = FilterCounts()
        let (groundTruthSource, present) = appendGroundTruths(style: style, dataset: dataset, index: index, to: &set,
                                                              filtered: &filtered)
        // Detections.
        let n = results.count
        var keep = [Bool](repeating: true, count: n)
        var first = 0, categoriesUnderCap = 0
        if let perCategory = evaluationProtocol.detectionsPerCategory {
            filtered.categoryCap = perCategory
            (first, categoriesUnderCap) = capPerCategory(results, cap: perCategory, categoryCount: index.categoryCount,
                                                         keep: &keep, dropped: &filtered.overCategoryCap)
        } else if let cap = evaluationProtocol.loadTimeImageCap(style: style) {
            filtered.imageCap = cap
            first = capPerImage(results, cap: cap, imageCount: index.imageCount, keep: &keep, dropped: &filtered.overImageCap)
        }
        let resultsAreBoxes = n > 0 && !areasFromMasks && results.hasBox[first]
        let verdicts = detectionVerdicts(style: style, results: results, index: index, keep: keep, present: present,
                                         resultsAreBoxes: resultsAreBoxes, parallelism: parallelism)
        // Compact in file order.
        var keptCount = 0
        for verdict in verdicts.verdict where verdict == 0 { keptCount += 1 }
        set.reserveDetections(keptCount)
        var detectionSource: [Int32] = []
        detectionSource.reserveCapacity(keptCount)
        for i in 0..<n {
            switch verdicts.verdict[i] {
            case 0:
                set.appendDetection(image: Int(results.imageIndex[i]), category: Int(results.categoryIndex[i]),
                                    score: results.score[i], area: verdicts.area[i], notExhaustive: verdicts.notExhaustive[i])
                detectionSource.append(Int32(i))
            case 2:
                let id = results.unknownCategoryIDs[Int(-1 - results.categoryIndex[i])]
                filtered.unknownCategoryDetections.add(row: i, id: id)
            case 3: filtered.federated += 1
            case 4: filtered.zeroArea += 1
            default: break
            }
        }
        return BuiltEvaluation(set: set, detectionSource: detectionSource, groundTruthSource: groundTruthSource,
                               filtered: filtered, resultsAreBoxes: resultsAreBoxes,
                               categoriesUnderCategoryCap: categoriesUnderCap)
    }

    /// Ground truths: annotations of known images and categories, file order (both references
    /// ignore the others: they select by the GT's image and category ids). Returns each kept
    /// GT's row and, for LVIS, the sorted distinct categories with a GT on each image.
    static func appendGroundTruths(style: EvaluationStyle, dataset: Dataset, index: GroundTruthIndex, to set: inout EvaluationSet,
                                   filtered: inout FilterCounts) -> (source: [Int32], present: [[Int32]]) {
        var groundTruthSource: [Int32] = []
        var present = [[Int32]](repeating: [], count: index.imageCount)
        for (row, annotation) in dataset.annotations.enumerated() {
            guard let image = index.imageIndex(of: annotation.imageID) else {
                filtered.groundTruthUnknownImage.add(row: row, id: annotation.imageID.rawValue)
                continue
            }
            guard let category = index.categoryIndex(of: annotation.categoryID) else {
                filtered.groundTruthUnknownCategory.add(row: row, id: annotation.categoryID.rawValue)
                continue
            }
            switch style {
            case .coco:
                set.appendGroundTruth(image: image, category: category, area: annotation.area,
                                      ignore: annotation.isCrowd, crowd: annotation.isCrowd,
                                      idIsZero: annotation.id.rawValue == 0)
            case .lvis:
                // LVIS selects annotations with 0 < area < inf only.
                guard annotation.area > 0 && annotation.area < .infinity else {
                    filtered.zeroAreaGroundTruth += 1
                    continue
                }
                set.appendGroundTruth(image: image, category: category, area: annotation.area,
                                      ignore: annotation.ignore, crowd: false,
                                      idIsZero: annotation.id.rawValue == 0)
                present[image].append(Int32(category))
            }
            groundTruthSource.append(Int32(row))
        }
        for image in 0..<present.count where present[image].count > 1 {
            present[image] = Array(Set(present[image])).sorted()
        }
        return (groundTruthSource, present)
    }

    /// Every detection decided in parallel: verdict 0 kept, 1 over the cap (`keep` false),
    /// 2 unknown category, 3 federated filter, 4 zero area; with its area and, for LVIS,
    /// whether its category is not exhaustively annotated on its image.
    static func detectionVerdicts(style: EvaluationStyle, results: ResultColumns, index: GroundTruthIndex, keep: [Bool],
                                  present: [[Int32]], resultsAreBoxes: Bool, parallelism: Parallelism)
        -> (verdict: [UInt8], area: [Double], notExhaustive: [Bool]) {
        let n = results.count
        var verdicts = [UInt8](repeating: 0, count: n)
        var areas = [Double](repeating: 0, count: n)
        var notExhaustive = [Bool](repeating: false, count: n)
        verdicts.withUnsafeMutableBufferPointer { verdictBuffer in
            areas.withUnsafeMutableBufferPointer { areaBuffer in
                notExhaustive.withUnsafeMutableBufferPointer { notExhaustiveBuffer in
                    let out = VerdictOutput(verdict: verdictBuffer, area: areaBuffer, notExhaustive: notExhaustiveBuffer)
                    keep.withUnsafeBufferPointer { keepBuffer in
                        let kept = SharedFlags(flags: keepBuffer)
                        parallelism.forEachChunk(n, minimumChunk: 16384) { range in
                            for i in range {
                                if !kept.flags[i] { out.verdict[i] = 1; continue }
                                let category = results.categoryIndex[i]
                                if category < 0 { out.verdict[i] = 2; continue }
                                let box = results.box[i]
                                let area = resultsAreBoxes ? box.width * box.height : results.maskArea[i]
                                out.area[i] = area
                                guard style == .lvis else { continue }
                                let image = Int(results.imageIndex[i])
                                if !sortedContains(present[image], category)
                                    && !sortedContains(index.negativeCategories[image], category) {
                                    out.verdict[i] = 3
                                    continue
                                }
                                if !(area > 0 && area < .infinity) { out.verdict[i] = 4; continue }
                                out.notExhaustive[i] = sortedContains(index.notExhaustiveCategories[image], category)
                            }
                        }
                    }
                }
            }
        }
        return (verdicts, areas, notExhaustive)
    }

    /// LVIS: per image, the sorted category indices whose detections survive the federated
    /// filter (a non-zero-area GT of the category on the image, or a negative category).
    public static func federatedCategories(dataset: Dataset, index: GroundTruthIndex) -> [[Int32]] {
        var allowed = index.negativeCategories
        for annotation in dataset.annotations where annotation.area > 0 && annotation.area < .infinity {
            guard let image = index.imageIndex(of: annotation.imageID),
                  let category = index.categoryIndex(of: annotation.categoryID) else { continue }
            allowed[image].append(Int32(category))
        }
        return allowed.map { Array(Set($0)).sorted() }
    }

    /// LVISResults.limit_dets_per_image: per image, the `cap` best scores (stable: earlier
    /// in the file wins a tie). Returns the index of the reference's first result after
    /// its regrouping (the first image's best-scoring result when that image was cut).
    static func capPerImage(_ results: ResultColumns, cap: Int, imageCount: Int, keep: inout [Bool], dropped: inout Int) -> Int {
        // Counting sort of result rows by image (file order kept within an image).
        var offsets = [Int](repeating: 0, count: imageCount + 1)
        for image in results.imageIndex { offsets[Int(image) + 1] += 1 }
        for i in 0..<imageCount { offsets[i + 1] += offsets[i] }
        var next = offsets
        var rows = [Int32](repeating: 0, count: results.count)
        for (row, image) in results.imageIndex.enumerated() {
            rows[next[Int(image)]] = Int32(row)
            next[Int(image)] += 1
        }
        var first = 0
        for image in 0..<imageCount where offsets[image + 1] - offsets[image] > cap {
            var sorted = Array(rows[offsets[image]..<offsets[image + 1]])
            sorted.sort { a, b in
                let sa = results.score[Int(a)], sb = results.score[Int(b)]
                return sa > sb || (sa == sb && a < b)
            }
            for row in sorted[cap...] { keep[Int(row)] = false }
            dropped += sorted.count - cap
            if results.imageIndex[0] == Int32(image) { first = Int(sorted[0]) }
        }
        return first
    }
}

private struct VerdictOutput: @unchecked Sendable {
    let verdict: UnsafeMutableBufferPointer<UInt8>
    let area: UnsafeMutableBufferPointer<Double>
    let notExhaustive: UnsafeMutableBufferPointer<Bool>
}

private struct SharedFlags: @unchecked Sendable {
    let flags: UnsafeBufferPointer<Bool>
}
