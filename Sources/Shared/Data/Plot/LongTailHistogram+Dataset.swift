// The long-tail histogram of a ground-truth json: training images per category (the LVIS
// `image_count`, else counted from the annotations), coloured by the LVIS `frequency`, else
// by the LVIS thresholds on that count.

extension LongTailHistogram {
    public init(imagesPerCategoryOf dataset: Dataset, split: String) {
        var counted: [CategoryID: Set<ImageID>] = [:]
        if dataset.categories.contains(where: { $0.imageCount == nil }) {
            for annotation in dataset.annotations { counted[annotation.categoryID, default: []].insert(annotation.imageID) }
        }
        let bars = dataset.categories.map { category -> Bar in
            let count = category.imageCount ?? counted[category.id]?.count ?? 0
            return Bar(count: count, group: category.frequency ?? CategoryTable.group(imageCount: count))
        }
        self.init(bars: bars, title: "images per category (log), \(split), \(bars.count) categories sorted by count; LVIS groups: rare <= 10 < common <= 100 < frequent",
                  thresholds: LongTailHistogram.lvisThresholds)
    }
}
