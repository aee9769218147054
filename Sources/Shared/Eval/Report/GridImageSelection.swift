// Which val images the detection grid shows, deterministically: the ones with the most
// ground-truth instances of rare categories, then the most instances, then the smallest id.
import SharedData

public enum GridImageSelection {
    public static func pick(_ dataset: Dataset, count: Int) -> [ImageInfo] {
        let rare = Set(dataset.categories.filter { $0.frequency == .rare }.map(\.id))
        var rareCount: [ImageID: Int] = [:], total: [ImageID: Int] = [:]
        for annotation in dataset.annotations where !annotation.isCrowd {
            total[annotation.imageID, default: 0] += 1
            if rare.contains(annotation.categoryID) { rareCount[annotation.imageID, default: 0] += 1 }
        }
        func key(_ image: ImageInfo) -> (Int, Int) { (rareCount[image.id] ?? 0, total[image.id] ?? 0) }
        let ranked = dataset.images.sorted { a, b in
            let ka = key(a), kb = key(b)
            if ka.0 != kb.0 { return ka.0 > kb.0 }
            if ka.1 != kb.1 { return ka.1 > kb.1 }
            return a.id < b.id
        }
        return Array(ranked.prefix(max(0, count)))
    }
}
