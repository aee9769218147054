// Detections and ground truths grouped by category, each group ordered by image; detections
// within an image by descending score, ties in file order (the references' stable sorts).
import SharedSupport

/// Per-category index lists into an `EvaluationSet`'s columns.
struct CategoryGroups: Sendable {
    /// K + 1 offsets into `detectionOrder`.
    let detectionOffsets: [Int]
    /// Detection indices: category by category, then image, score (desc), file order.
    let detectionOrder: [Int32]
    /// K + 1 offsets into `groundTruthOrder`.
    let groundTruthOffsets: [Int]
    /// Ground-truth indices: category by category, then image, then file order.
    let groundTruthOrder: [Int32]

    init(set: EvaluationSet, parallelism: Parallelism) {
        let kCount = set.categoryCount
        var (dOffsets, detections) = bucketByCategory(set.detectionCategory, categoryCount: kCount)
        var (gOffsets, groundTruths) = bucketByCategory(set.groundTruthCategory, categoryCount: kCount)
        detectionOffsets = dOffsets
        groundTruthOffsets = gOffsets
        detections.withUnsafeMutableBufferPointer { dBuffer in
            groundTruths.withUnsafeMutableBufferPointer { gBuffer in
                let dShared = SharedBuffer(buffer: dBuffer), gShared = SharedBuffer(buffer: gBuffer)
                set.detectionImage.withUnsafeBufferPointer { dImage in
                    set.detectionScore.withUnsafeBufferPointer { dScore in
                        set.groundTruthImage.withUnsafeBufferPointer { gImage in
                            let columns = SortColumns(dImage: dImage, dScore: dScore, gImage: gImage)
                            parallelism.forEachDynamic(kCount) { k in
                                var slice = UnsafeMutableBufferPointer(rebasing: dShared.buffer[dOffsets[k]..<dOffsets[k + 1]])
                                slice.sort { i, j in
                                    let ii = columns.dImage[Int(i)], ij = columns.dImage[Int(j)]
                                    if ii != ij { return ii < ij }
                                    let si = columns.dScore[Int(i)], sj = columns.dScore[Int(j)]
                                    if si != sj { return si > sj }
                                    return i < j
                                }
                                var gSlice = UnsafeMutableBufferPointer(rebasing: gShared.buffer[gOffsets[k]..<gOffsets[k + 1]])
                                gSlice.sort { i, j in
                                    let ii = columns.gImage[Int(i)], ij = columns.gImage[Int(j)]
                                    return ii != ij ? ii < ij : i < j
                                }
                            }
                        }
                    }
                }
            }
        }
        detectionOrder = detections
        groundTruthOrder = groundTruths
    }

    func detections(of k: Int) -> ArraySlice<Int32> { detectionOrder[detectionOffsets[k]..<detectionOffsets[k + 1]] }
    func groundTruths(of k: Int) -> ArraySlice<Int32> { groundTruthOrder[groundTruthOffsets[k]..<groundTruthOffsets[k + 1]] }
}

private struct SharedBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Int32>
}

private struct SortColumns: @unchecked Sendable {
    let dImage: UnsafeBufferPointer<Int32>
    let dScore: UnsafeBufferPointer<Double>
    let gImage: UnsafeBufferPointer<Int32>
}

/// Stable counting sort of record indices by category: offsets (K + 1) and the order.
private func bucketByCategory(_ categories: [Int32], categoryCount: Int) -> ([Int], [Int32]) {
    var offsets = [Int](repeating: 0, count: categoryCount + 1)
    for k in categories { offsets[Int(k) + 1] += 1 }
    for k in 0..<categoryCount { offsets[k + 1] += offsets[k] }
    var next = offsets
    var order = [Int32](repeating: 0, count: categories.count)
    for (index, k) in categories.enumerated() {
        order[next[Int(k)]] = Int32(index)
        next[Int(k)] += 1
    }
    return (offsets, order)
}
