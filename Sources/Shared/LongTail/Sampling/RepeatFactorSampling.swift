// LVIS repeat-factor sampling (Gupta et al. 2019; detectron2 `RepeatFactorTrainingSampler`):
//   f(c) = fraction of training images containing category c
//   r(c) = max(1, sqrt(t / f(c))), t = 0.001
//   r(I) = max over the categories in image I of r(c)   (1 for an image without annotations)
// Each epoch, image I appears floor(r(I)) times plus once more with probability
// frac(r(I)) (stochastic rounding with an explicit generator), then the list is shuffled.
import Foundation
import SharedSupport

/// r(c) for every category from the number of training images containing it.
public func categoryRepeatFactors(imageCountPerCategory: [Int], imageCount: Int, threshold: Double = 0.001) -> [Double] {
    precondition(imageCount > 0, "need at least one image")
    return imageCountPerCategory.map { count in
        guard count > 0 else { return 1 }
        let frequency = Double(count) / Double(imageCount)
        return Swift.max(1, (threshold / frequency).squareRoot())
    }
}

/// r(I) for every image from the (distinct or repeated) category indices it contains.
public func imageRepeatFactors(imageCategories: [[Int]], categoryFactors: [Double]) -> [Double] {
    imageCategories.map { categories in categories.map { categoryFactors[$0] }.max() ?? 1 }
}

/// r(c) and r(I) from the images' category lists alone (each category counted once per image).
public func repeatFactors(imageCategories: [[Int]], categoryCount: Int, threshold: Double = 0.001) -> (categories: [Double], images: [Double]) {
    var counts = [Int](repeating: 0, count: categoryCount)
    for categories in imageCategories { for c in Set(categories) { counts[c] += 1 } }
    let categoryFactors = categoryRepeatFactors(imageCountPerCategory: counts, imageCount: imageCategories.count, threshold: threshold)
    return (categoryFactors, imageRepeatFactors(imageCategories: imageCategories, categoryFactors: categoryFactors))
}

/// How often each image appears this epoch: floor(r) + (u < frac(r) ? 1 : 0), one uniform per image in order.
public func stochasticRepeatCounts(_ factors: [Double], random: inout SeededRandom) -> [Int] {
    factors.map { factor in
        let whole = Foundation.floor(factor)
        return Int(whole) + (random.nextDouble() < factor - whole ? 1 : 0)
    }
}

/// One epoch's image order: each image repeated per `stochasticRepeatCounts`, then shuffled
/// (Fisher-Yates with the same generator).
public func repeatFactorEpochIndices(_ factors: [Double], random: inout SeededRandom) -> [Int] {
    let counts = stochasticRepeatCounts(factors, random: &random)
    var indices: [Int] = []
    indices.reserveCapacity(counts.reduce(0, +))
    for (image, count) in counts.enumerated() { indices.append(contentsOf: repeatElement(image, count: count)) }
    for i in stride(from: indices.count - 1, to: 0, by: -1) { indices.swapAt(i, random.nextInt(below: i + 1)) }
    return indices
}
