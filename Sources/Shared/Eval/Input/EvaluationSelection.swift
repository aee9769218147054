// The part of an `EvaluationSet` one evaluation covers, as the references' `params.imgIds` /
// `img_ids` and `params.catIds` / `cat_ids` select it: records of other images are left out
// (neither hits nor misses), and the result has exactly the selected categories, so every
// average (AP, APr, ...) is over them only.

/// Which images and categories an evaluation covers.
public struct EvaluationSelection: Sendable, Equatable {
    /// Category indices evaluated, ascending; the result's category k is `categories[k]`.
    /// nil = every category.
    public var categories: [Int]?
    /// Per image index: evaluated or not. nil = every image.
    public var images: [Bool]?

    public init(categories: [Int]? = nil, images: [Bool]? = nil) {
        self.categories = categories
        self.images = images
    }

    public static let all = EvaluationSelection()

    /// The set's category index of the result's category k.
    @inline(__always) func category(_ k: Int) -> Int { categories?[k] ?? k }

    /// Number of categories in the result.
    func categoryCount(of set: EvaluationSet) -> Int { categories?.count ?? set.categoryCount }
}
