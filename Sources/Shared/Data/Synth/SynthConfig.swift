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

    public static let standard = SynthConfig(
        trainImages: 2000, valImages: 500, rareCategories: 28, commonCategories: 38, frequentCategories: 34,
        sides: [256, 288, 320], maxFrequentFraction: 0.35, minValImagesPerCategory: 8, valFraction: 0.2,
        maxObjectsPerImage: 16, twinFraction: 0.5, jpegQuality: 90)

    public var categoryCount: Int { rareCategories + commonCategories + frequentCategories }
}
