// The image and category subsets of one run (`--img-ids`, `--cat-ids`) and its named image
// slices (`--slice NAME=FILE`), resolved against the ground truth into what the engine takes:
// an `EvaluationSelection` for the main evaluation and one per slice (the slice's images, the
// same categories).

/// One `--slice NAME=FILE`: a named image subset reported as its own row.
public struct ImageSlice: Sendable, Equatable {
    public var name: String
    public var images: IDList

    public init(name: String, images: IDList) {
        self.name = name
        self.images = images
    }
}

/// The subsets asked for; all empty = every image and category, no slices.
public struct EvaluationSubsets: Sendable, Equatable {
    /// `--img-ids`: the main evaluation covers these images only.
    public var images: IDList?
    /// `--cat-ids`: the main evaluation and every slice cover these categories only.
    public var categories: IDList?
    /// Evaluated on their own images (not restricted by `images`), in this order.
    public var slices: [ImageSlice]

    public init(images: IDList? = nil, categories: IDList? = nil, slices: [ImageSlice] = []) {
        self.images = images
        self.categories = categories
        self.slices = slices
    }

    /// The selections, or a usage error naming the file and the first id the ground truth lacks.
    func resolve(_ index: GroundTruthIndex, groundTruthPath: String) throws -> ResolvedSubsets {
        let categoryIndices = try categories?.categoryIndices(index, groundTruthPath: groundTruthPath)
        let main = EvaluationSelection(categories: categoryIndices,
                                       images: try images?.imageFlags(index, groundTruthPath: groundTruthPath))
        let slices = try self.slices.map { slice in
            EvaluationSelection(categories: categoryIndices,
                                images: try slice.images.imageFlags(index, groundTruthPath: groundTruthPath))
        }
        return ResolvedSubsets(main: main, slices: slices)
    }
}

/// `EvaluationSubsets` as selections over the ground truth's indices.
struct ResolvedSubsets {
    var main: EvaluationSelection
    /// One per `EvaluationSubsets.slices`, in order.
    var slices: [EvaluationSelection]
}

extension EvaluationSelection {
    /// Number of images selected out of `imageCount`.
    func imageCount(of total: Int) -> Int { images.map { $0.lazy.filter { $0 }.count } ?? total }
}
