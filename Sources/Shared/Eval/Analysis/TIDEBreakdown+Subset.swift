// `--img-ids` / `--cat-ids` with `--tide`: tidecv has no subsets, so the breakdown is tidecv's
// on the files cut down to the subset (as pycocotools' imgIds / catIds cut the evaluation):
// the chosen images with their annotations, the chosen categories with theirs, and only the
// results on those images and of those categories.
import SharedData

extension TIDEBreakdown {
    /// `dataset` and `results` restricted to `images` and `categories` (nil = all), file order kept.
    public static func restrict(dataset: Dataset, results: [DetectionResult], images: [Int]?,
                                categories: [Int]?) -> (dataset: Dataset, results: [DetectionResult]) {
        guard images != nil || categories != nil else { return (dataset, results) }
        let imageSet = images.map(Set.init), categorySet = categories.map(Set.init)
        return (restrict(dataset: dataset, images: images, categories: categories),
                results.filter { (imageSet?.contains($0.imageID.rawValue) ?? true) && (categorySet?.contains($0.categoryID.rawValue) ?? true) })
    }

    /// The same for results already loaded; the rows keep their file numbers.
    public static func restrict(dataset: Dataset, results: AnalysisResults, images: [Int]?,
                                categories: [Int]?) -> (dataset: Dataset, results: AnalysisResults) {
        guard images != nil || categories != nil else { return (dataset, results) }
        return (restrict(dataset: dataset, images: images, categories: categories),
                results.restricted(images: images.map(Set.init), categories: categories.map(Set.init)))
    }

    /// The chosen images with their annotations, the chosen categories with theirs.
    static func restrict(dataset: Dataset, images: [Int]?, categories: [Int]?) -> Dataset {
        let imageSet = images.map(Set.init), categorySet = categories.map(Set.init)
        func keepImage(_ id: ImageID) -> Bool { imageSet?.contains(id.rawValue) ?? true }
        func keepCategory(_ id: CategoryID) -> Bool { categorySet?.contains(id.rawValue) ?? true }
        var cut = dataset
        cut.images = dataset.images.filter { keepImage($0.id) }
        cut.categories = dataset.categories.filter { keepCategory($0.id) }
        cut.annotations = dataset.annotations.filter { keepImage($0.imageID) && keepCategory($0.categoryID) }
        return cut
    }
}
