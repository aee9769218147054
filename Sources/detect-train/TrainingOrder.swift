// The image order of each training epoch, as a pure function of (seed, epoch): uniform
// (each image once, shuffled) or repeat-factor sampling (RFS, from the manifest's
// per-category image counts: r(I) = max over the image's categories of max(1, sqrt(t / f(c)))).
import SharedSupport
import SharedData
import SharedDetection
import SharedLongTail

enum TrainingOrder {
    /// The epoch order function and the number of images in an epoch (expected, for RFS).
    static func make(config: DetectorConfig, dataset: ShardDataset, logger: Logger) throws
        -> (order: @Sendable (Int) -> [Int], imagesPerEpoch: Int) {
        let seed = config.seed, count = dataset.count
        switch config.input.sampler {
        case .uniform:
            return ({ epoch in DataRandomness.uniformOrder(count: count, seed: seed, epoch: epoch) }, count)
        case .rfs:
            var imageCategories: [[Int]] = []
            try dataset.forEach { _, record in
                imageCategories.append(record.instances.filter { !$0.isCrowd }.map(\.classIndex.rawValue))
            }
            var imagesPerCategory = [Int](repeating: 0, count: dataset.categories.count)
            for category in dataset.categories { imagesPerCategory[category.index] = category.imageCount }
            let categoryFactors = categoryRepeatFactors(imageCountPerCategory: imagesPerCategory, imageCount: count,
                                                        threshold: config.input.repeatThreshold)
            let factors = imageRepeatFactors(imageCategories: imageCategories, categoryFactors: categoryFactors)
            let expected = Int(factors.reduce(0, +).rounded())
            logger.info("repeat-factor sampling (t = \(config.input.repeatThreshold)): about \(expected) images per epoch from \(count)")
            return ({ epoch in
                var random = DataRandomness.orderGenerator(seed: seed, epoch: epoch)
                let order = repeatFactorEpochIndices(factors, random: &random)
                return order.isEmpty ? Array(0..<count) : order
            }, max(1, expected))
        }
    }
}
