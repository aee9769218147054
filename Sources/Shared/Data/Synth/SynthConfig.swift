// The knobs of the synthetic dataset and why the defaults are what they are.
//
// Defaults: 100 categories in the real LVIS v1 group proportions (337 / 461 / 405 of 1203 ->
// 28 rare, 38 common, 34 frequent), 2000 training and 500 validation images of 256-320 px.
// The `tiny` Mask R-CNN trains at ~5 img/s on 2 cores, so a 30-minute pipeline affords
// about two epochs of 2000 images in stage 1 plus a short stage 2; 2000 images still leave
// room for frequent classes of 101-700 images (LVIS groups need > 100).

public struct SynthConfig: Equatable, Sendable {
    public var trainImages: Int
    public var valImages: Int
    public var rareCategories: Int
    public var commonCategories: Int
    public var frequentCategories: Int
    /// Image sides are drawn from this list (width and height independently).
    public var sides: [Int]
    /// The most training images a frequent category may have, as a fraction of all.
    public var maxFrequentFraction: Double
    /// Every category appears in at least this many validation images (for low-noise APr).
    public var minValImagesPerCategory: Int
    /// Validation images per training image of a category, for the more frequent ones.
    public var valFraction: Double
    /// At most this many objects in one image.
    public var maxObjectsPerImage: Int
    /// Share of rare categories made as near-twins of a frequent one (one attribute differs).
    public var twinFraction: Double
    public var jpegQuality: Int
    /// The tail's steepness: each category's training-image target n becomes M (n / M)^imbalance,
    /// M = the frequent targets' ceiling (`maxFrequentFraction` of the training images, at
    /// least 101). 1 = the LVIS v1 shape; larger = a longer tail (the smaller counts shrink
    /// most); smaller = flatter; 0 = every category at M.
    public var imbalance: Double = 1

    public static let standard = SynthConfig(
        trainImages: 2000, valImages: 500, rareCategories: 28, commonCategories: 38, frequentCategories: 34,
        sides: [256, 288, 320], maxFrequentFraction: 0.35, minValImagesPerCategory: 8, valFraction: 0.2,
        maxObjectsPerImage: 16, twinFraction: 0.5, jpegQuality: 90)

    public var categoryCount: Int { rareCategories + commonCategories + frequentCategories }

    /// Shapes x colours x textures: the most distinct categories there can be.
    public static let maximumCategories = SynthShape.allCases.count * SynthColor.allCases.count * SynthTexture.allCases.count

    /// Sets `count` categories in LVIS v1's group proportions (337 rare, 461 common and 405
    /// frequent of 1203; rounded, frequent takes the rest): 100 gives the standard 28 / 38 / 34.
    public mutating func setCategories(_ count: Int) {
        precondition(count >= 3 && count <= Self.maximumCategories, "3...\(Self.maximumCategories) categories")
        rareCategories = max(1, Int((Double(count) * 337 / 1203).rounded()))
        commonCategories = max(1, Int((Double(count) * 461 / 1203).rounded()))
        frequentCategories = count - rareCategories - commonCategories
    }
}
