// Runs an evaluation: groups detections and ground truths by category and image, then for
// each category (in parallel) matches every cell and accumulates, as COCOeval/LVISEval
// `evaluate()` + `accumulate()` do. Memory grows with the records, not images x categories.
// Optionally over a selection of images and categories (the references' imgIds / catIds) and
// with pooled AP (the per-category matches kept and accumulated per pool).
import SharedSupport

/// Precision and recall arrays, laid out as the references' `eval` dict holds them.
public struct EvaluationResult: Sendable {
    public var parameters: EvaluationParameters
    public var categoryCount: Int
    /// T x R x K x A x M (C order), -1 where a category has no non-ignored ground truth.
    public var precision: [Double]
    /// T x K x A x M (C order).
    public var recall: [Double]
    /// Non-ignored ground truths per category (area range "all").
    public var groundTruthCounts: [Int]
    /// Detections evaluated per category (after caps and filters).
    public var detectionCounts: [Int]

    public var shape: (t: Int, r: Int, k: Int, a: Int, m: Int) {
        (parameters.iouThresholds.count, parameters.recallThresholds.count, categoryCount,
         parameters.areaRanges.count, parameters.maxDetections.count)
    }

    public func precision(t: Int, r: Int, k: Int, a: Int, m: Int) -> Double {
        let s = shape
        return precision[(((t * s.r + r) * s.k + k) * s.a + a) * s.m + m]
    }

    public func recall(t: Int, k: Int, a: Int, m: Int) -> Double {
        let s = shape
        return recall[((t * s.k + k) * s.a + a) * s.m + m]
    }
}

/// Evaluates an `EvaluationSet` with the given IoU source.
public struct Evaluator {
    public var parameters: EvaluationParameters
    public var parallelism: Parallelism

    public init(parameters: EvaluationParameters, parallelism: Parallelism) {
        self.parameters = parameters
        self.parallelism = parallelism
    }

    public func evaluate(_ set: EvaluationSet, overlaps: some OverlapSource) throws -> EvaluationResult {
        try evaluate(set, overlaps: overlaps, selection: .all).result
    }

    /// Evaluates the `selection` of `set` (the references' `imgIds` / `catIds`): the result's
    /// categories are the selected ones, in order. With `pools`, also the pooled AP of each
    /// pool (LVIS only; pool categories index the result's categories).
    public func evaluate(_ set: EvaluationSet, overlaps: some OverlapSource, selection: EvaluationSelection,
                         pools: [CategoryPool] = []) throws -> (result: EvaluationResult, pooled: EvaluationResult?) {
        let evaluated = try evaluate(set, overlaps: overlaps, selection: selection, pools: pools, keepsMatches: false)
        return (evaluated.result, evaluated.pooled)
    }

    /// As `evaluate(_:overlaps:selection:pools:)`; with `keepsMatches`, also every category's
    /// matches with their images (`MatchRecords`: calibration, per-image diagnostics, bootstrap).
    public func evaluate(_ set: EvaluationSet, overlaps: some OverlapSource, selection: EvaluationSelection,
                         pools: [CategoryPool] = [], keepsMatches: Bool)
        throws -> (result: EvaluationResult, pooled: EvaluationResult?, matches: MatchRecords?) {
        precondition(pools.isEmpty || parameters.style == .lvis, "pooled AP is an LVIS protocol")
        let kCount = selection.categoryCount(of: set)
        let s = (t: parameters.iouThresholds.count, r: parameters.recallThresholds.count,
                 a: parameters.areaRanges.count, m: parameters.maxDetections.count)
        var precision = [Double](repeating: -1, count: s.t * s.r * kCount * s.a * s.m)
        var recall = [Double](repeating: -1, count: s.t * kCount * s.a * s.m)
        var groundTruthCounts = [Int](repeating: 0, count: kCount)
        var detectionCounts = [Int](repeating: 0, count: kCount)
        var poolEntries = [PoolEntries?](repeating: nil, count: pools.isEmpty ? 0 : kCount)
        var kept = [CategoryMatches](repeating: CategoryMatches(), count: keepsMatches ? kCount : 0)
        let groups = CategoryGroups(set: set, parallelism: parallelism, images: selection.images)
        let failure = FirstError()
        let parameters = self.parameters, keepsPoolEntries = !pools.isEmpty, recordsImages = keepsPoolEntries || keepsMatches
        precision.withUnsafeMutableBufferPointer { precisionBuffer in
            recall.withUnsafeMutableBufferPointer { recallBuffer in
                groundTruthCounts.withUnsafeMutableBufferPointer { gtCounts in
                    detectionCounts.withUnsafeMutableBufferPointer { dtCounts in
                        poolEntries.withUnsafeMutableBufferPointer { entries in
                          kept.withUnsafeMutableBufferPointer { keptBuffer in
                            let output = AccumulationOutput(precision: precisionBuffer, recall: recallBuffer)
                            let counts = CountsOutput(groundTruths: gtCounts, detections: dtCounts, poolEntries: entries,
                                                      matches: keptBuffer)
                            parallelism.forEachDynamic(kCount) { k in
                                if failure.hasError { return }
                                do {
                                    var worker = CategoryWorker(parameters: parameters, categoryCount: kCount,
                                                                recordsImages: recordsImages)
                                    let matches = try worker.matchCategory(selection.category(k), set: set, groups: groups,
                                                                           overlaps: overlaps)
                                    counts.groundTruths[k] = matches.positives.first ?? 0
                                    counts.detections[k] = matches.scores.count
                                    worker.accumulator.accumulate(category: k, matches, into: output)
                                    if keepsPoolEntries {
                                        counts.poolEntries[k] = PoolEntries(matches, areaCount: parameters.areaRanges.count)
                                    }
                                    if keepsMatches { counts.matches[k] = matches }
                                } catch {
                                    failure.record(error)
                                }
                            }
                          }
                        }
                    }
                }
            }
        }
        if let error = failure.error { throw error }
        let result = EvaluationResult(parameters: parameters, categoryCount: kCount, precision: precision,
                                      recall: recall, groundTruthCounts: groundTruthCounts,
                                      detectionCounts: detectionCounts)
        let pooled = pools.isEmpty ? nil
            : PooledAccumulation.accumulate(pools: pools, entries: poolEntries, parameters: parameters, imageCount: set.imageCount)
        let matches = keepsMatches ? MatchRecords(parameters: parameters, imageCount: set.imageCount, categories: kept) : nil
        return (result, pooled, matches)
    }
}

private struct CountsOutput: @unchecked Sendable {
    let groundTruths: UnsafeMutableBufferPointer<Int>
    let detections: UnsafeMutableBufferPointer<Int>
    let poolEntries: UnsafeMutableBufferPointer<PoolEntries?>
    let matches: UnsafeMutableBufferPointer<CategoryMatches>
}

/// Matching then accumulation of one category, with its own scratch space.
struct CategoryWorker {
    var matcher: CellMatcher
    var accumulator: CategoryAccumulator
    let parameters: EvaluationParameters
    /// Fill `CategoryMatches.images` and the cells (pooled AP and the analyses need each
    /// detection's image).
    let recordsImages: Bool
    private var iou: [Double] = []
    private var crowd: [Bool] = []

    init(parameters: EvaluationParameters, categoryCount: Int, recordsImages: Bool = false) {
        self.parameters = parameters
        self.recordsImages = recordsImages
        matcher = CellMatcher(parameters: parameters)
        accumulator = CategoryAccumulator(parameters: parameters, categoryCount: categoryCount)
    }

    /// Matches every (image, category k) cell, images in id order.
    mutating func matchCategory(_ k: Int, set: EvaluationSet, groups: CategoryGroups,
                                overlaps: some OverlapSource) throws -> CategoryMatches {
        let aCount = parameters.areaRanges.count
        var matches = CategoryMatches()
        matches.positives = [Int](repeating: 0, count: aCount)
        let dets = Array(groups.detections(of: k)), gts = Array(groups.groundTruths(of: k))
        let perCellCap = parameters.cellLimit
        var d = 0, g = 0
        while d < dets.count || g < gts.count {
            let dImage = d < dets.count ? set.detectionImage[Int(dets[d])] : Int32.max
            let gImage = g < gts.count ? set.groundTruthImage[Int(gts[g])] : Int32.max
            let image = min(dImage, gImage)
            let dStart = d, gStart = g
            while d < dets.count && set.detectionImage[Int(dets[d])] == image { d += 1 }
            while g < gts.count && set.groundTruthImage[Int(gts[g])] == image { g += 1 }
            let dEnd = dStart + min(d - dStart, perCellCap)
            if recordsImages { matches.images.append(contentsOf: repeatElement(image, count: dEnd - dStart)) }
            let positivesBefore = matches.positives[0]
            try matchCell(set: set, detections: dets[dStart..<dEnd], groundTruths: gts[gStart..<g],
                          overlaps: overlaps, into: &matches)
            if recordsImages {
                matches.cellImages.append(image)
                matches.cellPositives.append(Int32(matches.positives[0] - positivesBefore))
            }
        }
        return matches
    }

    private mutating func matchCell(set: EvaluationSet, detections: ArraySlice<Int32>,
                                    groundTruths: ArraySlice<Int32>, overlaps: some OverlapSource,
                                    into matches: inout CategoryMatches) throws {
        matches.hasCells = true
        let aCount = parameters.areaRanges.count
        let dCount = detections.count, gCount = groundTruths.count
        let base = matches.scores.count
        for (rank, index) in detections.enumerated() {
            matches.scores.append(set.detectionScore[Int(index)])
            matches.ranks.append(Int32(rank))
        }
        matches.matched.append(contentsOf: repeatElement(0, count: dCount * aCount))
        matches.ignore.append(contentsOf: repeatElement(0, count: dCount * aCount))
        if iou.count < dCount * gCount { iou = [Double](repeating: 0, count: dCount * gCount) }
        crowd.removeAll(keepingCapacity: true)
        for index in groundTruths { crowd.append(set.groundTruthCrowd[Int(index)]) }
        try detections.withUnsafeBufferPointer { dBuffer in
            try groundTruths.withUnsafeBufferPointer { gBuffer in
                try iou.withUnsafeMutableBufferPointer { iouBuffer in
                    let cellIoU = UnsafeMutableBufferPointer(rebasing: iouBuffer[0..<(dCount * gCount)])
                    if dCount > 0 && gCount > 0 {
                        try crowd.withUnsafeBufferPointer { crowdBuffer in
                            try overlaps.overlaps(detections: dBuffer, groundTruths: gBuffer,
                                                  crowd: crowdBuffer, into: cellIoU)
                        }
                    }
                    matches.matched.withUnsafeMutableBufferPointer { matchedBuffer in
                        matches.ignore.withUnsafeMutableBufferPointer { ignoreBuffer in
                            matcher.match(set: set, detections: dBuffer, groundTruths: gBuffer,
                                          iou: UnsafeBufferPointer(cellIoU),
                                          matched: UnsafeMutableBufferPointer(rebasing: matchedBuffer[(base * aCount)...]),
                                          ignore: UnsafeMutableBufferPointer(rebasing: ignoreBuffer[(base * aCount)...]),
                                          positives: &matches.positives)
                        }
                    }
                }
            }
        }
    }
}

/// The first error thrown by any worker of a parallel loop.
final class FirstError: @unchecked Sendable {
    private var stored: Error?
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    var hasError: Bool {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return stored != nil
    }
    var error: Error? {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return stored
    }
    func record(_ error: Error) {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        if stored == nil { stored = error }
    }
}

#if canImport(Glibc)
import Glibc
#endif
