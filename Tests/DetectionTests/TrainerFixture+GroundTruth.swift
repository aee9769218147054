// The trainer fixture as a COCO ground truth: its records' instances with LVIS category ids
// and boxes in original pixels (the shards store them at half size), so that predictions on
// the fixture shards can be evaluated by SharedEval like `detect-eval` does.
import Foundation
@testable import SharedData

extension TrainerFixture {
    /// Images 500..., one annotation per rectangle (box area as `area`), categories without
    /// frequencies (COCO style).
    static func groundTruth() -> Dataset {
        let records = images.indices.map(record)
        let infos = records.map {
            ImageInfo(id: $0.imageID, width: $0.originalWidth, height: $0.originalHeight, fileName: $0.fileName)
        }
        let annotations = records.flatMap { record in
            let scaleX = Double(record.originalWidth) / Double(record.storedWidth)
            let scaleY = Double(record.originalHeight) / Double(record.storedHeight)
            return record.instances.map { instance -> GroundTruthAnnotation in
                let stored = instance.box
                let box = BoxXYWH(BoxXYXY(x1: stored.x1 * scaleX, y1: stored.y1 * scaleY, x2: stored.x2 * scaleX, y2: stored.y2 * scaleY))
                return GroundTruthAnnotation(id: instance.annotationID, imageID: record.imageID,
                                             categoryID: CategoryID(categoryIDs[instance.classIndex.rawValue]), bbox: box,
                                             area: box.width * box.height)
            }
        }
        let categories = categoryIDs.enumerated().map { CategoryInfo(id: CategoryID($0.element), name: "class\($0.offset)") }
        return Dataset(format: .coco, images: infos, annotations: annotations, categories: categories)
    }
}
