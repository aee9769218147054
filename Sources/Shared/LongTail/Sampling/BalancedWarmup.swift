// The category-balanced selection for the MFS warm-up pass (docs/method.md §Warm-up pass): for
// every category, `imagesPerCategory` (5) images that contain it, the list repeated when fewer
// exist.
//
// Follows the reference's `DistributedBalancedSampler` (fcjian/LOCE): per category, its
// images are repeated to imagesPerCategory x workerCount entries and worker r takes entries
// [r * imagesPerCategory, (r + 1) * imagesPerCategory), so workers see different images.
// The candidate order is the dataset order (`.firstInDatasetOrder`, the reference) or a
// seeded shuffle (`.seededShuffle`, our default: every run with the same seed picks the same
// images, and every worker must use the same seed so their slices stay disjoint).
// Categories without images get none (the caller reports them). Unlike the reference, images
// without annotations form no group of their own: they cannot fill any queue.
import SharedSupport

/// One warm-up entry: the image to run, and the category it was chosen for.
public struct WarmupEntry: Hashable, Sendable {
    public var classIndex: Int
    public var imageIndex: Int
}

/// How a category's candidate images are ordered before taking the first ones.
public enum WarmupImageOrder: String, Codable, Sendable, CaseIterable {
    case firstInDatasetOrder
    case seededShuffle
}

/// The warm-up list of one worker, category-major (class 0's images first).
public func balancedWarmupSelection(imageCategories: [[Int]], classCount: Int, imagesPerCategory: Int = 5,
                                    order: WarmupImageOrder = .seededShuffle, workerIndex: Int = 0, workerCount: Int = 1,
                                    random: inout SeededRandom) -> [WarmupEntry] {
    precondition(imagesPerCategory > 0, "need at least one image per category")
    precondition(workerCount > 0 && (0..<workerCount).contains(workerIndex), "worker index must be within the worker count")
    var imagesOf = [[Int]](repeating: [], count: classCount)
    for (image, categories) in imageCategories.enumerated() {
        for c in Set(categories).sorted() {
            precondition((0..<classCount).contains(c), "category index out of range")
            imagesOf[c].append(image)
        }
    }
    let total = imagesPerCategory * workerCount
    var entries: [WarmupEntry] = []
    for c in 0..<classCount where !imagesOf[c].isEmpty {
        var candidates = imagesOf[c]
        if order == .seededShuffle {
            // Only the first `total` positions matter: a partial Fisher-Yates shuffle.
            for k in 0..<Swift.min(total, candidates.count - 1) {
                candidates.swapAt(k, k + random.nextInt(below: candidates.count - k))
            }
        }
        let start = workerIndex * imagesPerCategory
        entries.append(contentsOf: (start..<(start + imagesPerCategory)).map {
            WarmupEntry(classIndex: c, imageIndex: candidates[$0 % candidates.count])
        })
    }
    return entries
}

/// The distinct images of a warm-up list, in first-use order (to run each image once).
public func distinctWarmupImages(_ entries: [WarmupEntry]) -> [Int] {
    var seen = Set<Int>()
    return entries.map(\.imageIndex).filter { seen.insert($0).inserted }
}
