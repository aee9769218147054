// The category table of a split: class index i = the i-th category by id; frequency group
// and counts from the json's LVIS fields, or computed from the split's annotations with
// the LVIS thresholds; the repeat factor for repeat-factor sampling (t = 0.001).
import SharedSupport

public enum CategoryTable {
    /// The LVIS RFS threshold.
    public static let repeatThreshold = 0.001

    /// LVIS groups by training-image count: rare 1-10 (and 0), common 11-100, frequent > 100.
    public static func group(imageCount: Int) -> FrequencyGroup {
        imageCount <= 10 ? .rare : (imageCount <= 100 ? .common : .frequent)
    }

    /// r_c = max(1, sqrt(t / f_c)), f_c = imageCount / totalImages (1 for an unseen category).
    public static func repeatFactor(imageCount: Int, totalImages: Int, threshold: Double = repeatThreshold) -> Double {
        guard imageCount > 0, totalImages > 0 else { return 1 }
        let fraction = Double(imageCount) / Double(totalImages)
        return max(1, (threshold / fraction).squareRoot())
    }

    /// Builds the table. `annotations` are the kept ones (for computed counts).
    public static func build(dataset: Dataset, keptAnnotations: [GroundTruthAnnotation]) -> [ShardCategory] {
        let sorted = dataset.categories.sorted { $0.id < $1.id }
        var images: [CategoryID: Set<ImageID>] = [:]
        var instances: [CategoryID: Int] = [:]
        for annotation in keptAnnotations {
            images[annotation.categoryID, default: []].insert(annotation.imageID)
            instances[annotation.categoryID, default: 0] += 1
        }
        let total = dataset.images.count
        return sorted.enumerated().map { index, category in
            let fromJSON = category.imageCount != nil && category.frequency != nil
            let imageCount = category.imageCount ?? images[category.id]?.count ?? 0
            let instanceCount = category.instanceCount ?? instances[category.id] ?? 0
            let frequency = category.frequency ?? group(imageCount: imageCount)
            return ShardCategory(index: index, id: category.id.rawValue, name: category.name, frequency: frequency.rawValue,
                                 imageCount: imageCount, instanceCount: instanceCount,
                                 repeatFactor: repeatFactor(imageCount: imageCount, totalImages: total),
                                 countsSource: fromJSON ? "json" : "computed")
        }
    }
}
