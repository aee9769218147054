// Detections and ground truths grouped by category, each group ordered by image; detections
// within an image by descending score, ties in file order (the references' stable sorts).
// Records of images outside an optional selection are left out.
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

    /// `images`: per image index, whether its records are grouped (nil = all).
    init(set: EvaluationSet, parallelism: Parallelism, images: [Bool]? = nil) {
        let kCount = set.categoryCount, iCount = set.imageCount
        // Two stable counting sorts (by image, then by category) give category, image, file
        // order in linear time; only each (image, category) cell then needs a score sort.
        let dRecords = records(set.detectionCount, image: set.detectionImage, selected: images)
        let gRecords = records(set.groundTruthCount, image: set.groundTruthImage, selected: images)
        let dByImage = countingSort(dRecords, keys: set.detectionImage, bucketCount: iCount).order
        var (dOffsets, detections) = countingSort(dByImage, keys: set.detectionCategory, bucketCount: kCount)
        let gByImage = countingSort(gRecords, keys: set.groundTruthImage, bucketCount: iCount).order
        (groundTruthOffsets, groundTruthOrder) = countingSort(gByImage, keys: set.groundTruthCategory, bucketCount: kCount)
        detectionOffsets = dOffsets
        detections.withUnsafeMutableBufferPointer { dBuffer in
            let dShared = SharedBuffer(buffer: dBuffer)
            set.detectionImage.withUnsafeBufferPointer { dImage in
                set.detectionScore.withUnsafeBufferPointer { dScore in
                    let columns = SortColumns(dImage: dImage, dScore: dScore)
                    parallelism.forEachDynamic(kCount) { k in
                        var start = dOffsets[k]
                        let end = dOffsets[k + 1]
                        while start < end {
                            let image = columns.dImage[Int(dShared.buffer[start])]
                            var cellEnd = start + 1
                            while cellEnd < end && columns.dImage[Int(dShared.buffer[cellEnd])] == image { cellEnd += 1 }
                            if cellEnd - start > 1 {
                                var cell = UnsafeMutableBufferPointer(rebasing: dShared.buffer[start..<cellEnd])
                                cell.sort { i, j in
                                    let si = columns.dScore[Int(i)], sj = columns.dScore[Int(j)]
                                    return si > sj || (si == sj && i < j)
                                }
                            }
                            start = cellEnd
                        }
                    }
                }
            }
        }
        detectionOrder = detections
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
}

/// Record indices 0..<count, or only those whose image is selected.
private func records(_ count: Int, image: [Int32], selected: [Bool]?) -> [Int32] {
    guard let selected else { return (0..<Int32(count)).map { $0 } }
    return (0..<Int32(count)).filter { selected[Int(image[Int($0)])] }
}

/// Stable counting sort of `order` (record indices) by `keys[record]`: bucket offsets
/// (bucketCount + 1) and the reordered indices.
private func countingSort(_ order: [Int32], keys: [Int32], bucketCount: Int) -> (offsets: [Int], order: [Int32]) {
    var offsets = [Int](repeating: 0, count: bucketCount + 1)
    if order.count == keys.count {
        for key in keys { offsets[Int(key) + 1] += 1 }  // every record: count the keys directly
    } else {
        for record in order { offsets[Int(keys[Int(record)]) + 1] += 1 }
    }
    for b in 0..<bucketCount { offsets[b + 1] += offsets[b] }
    var next = offsets
    var sorted = [Int32](repeating: 0, count: order.count)
    for record in order {
        let key = Int(keys[Int(record)])
        sorted[next[key]] = record
        next[key] += 1
    }
    return (offsets, sorted)
}
