// What tidecv's loaders make of a ground truth and a results file, one image at a time
// (tidecv datasets.py `COCO` / `LVIS` / `COCOResult`, quantify.py `TIDEExample`):
// - COCO: every annotation is a ground truth, a crowd one an ignore region of its class (a
//   prediction inside it, crowd IoU > 0.5, is left out); 100 predictions per image.
// - LVIS: every annotation is a ground truth; on each image, a category neither annotated nor
//   in `neg_category_ids`, and every category in `not_exhaustive_category_ids`, is an ignore
//   region covering the whole image; 300 predictions per image.
// - Predictions: per image, sorted by descending score (stable: file order breaks ties), the
//   first `maxDetections` over all classes. Boxes are the `bbox` fields as given; masks the
//   `segmentation` fields (pycocotools annToRLE for the ground truth). Nothing else is filtered:
//   no area ranges, no zero-area rule, categories the ground truth lacks stay classes of their own.
import SharedData
import SharedMasks
import SharedSupport

/// Which of tidecv's dataset loaders to reproduce.
public enum TIDEDatasetKind: String, Sendable {
    case coco, lvis
}

struct TIDEInput {
    /// One image, ready for `TIDEImageAnalysis`.
    struct ImageProblem {
        /// Result rows of the kept predictions, sorted.
        var rows: [Int]
        var truthClasses: [Int]
        var predictionClasses: [Int]
        var predictionScores: [Double]
        var overlaps: [Double]
        var ignorable: [Bool]
    }

    let dataset: Dataset
    let results: AnalysisResults
    let resultsPath: String
    let kind: TIDEDatasetKind
    let iouType: IoUType
    let maxDetections: Int
    let thresholds: TIDEThresholds
    /// Annotation indices per image (file order), and result rows per image (file order).
    let truthsOfImage: [[Int]]
    let resultsOfImage: [[Int]]
    /// LVIS: every category id the loader knows (the categories list and annotated ones).
    let allClasses: Set<Int>
    /// segm: each annotation's mask (nil for annotations of images the ground truth lacks).
    let truthMasks: [RLE?]

    /// Checks every record the chosen IoU type needs (a box or a mask per result, a
    /// segmentation per annotation for masks) and indexes them by image.
    init(dataset: Dataset, results: AnalysisResults, resultsPath: String, groundTruthPath: String, kind: TIDEDatasetKind,
         iouType: IoUType, maxDetections: Int, thresholds: TIDEThresholds, parallelism: Parallelism) throws {
        self.dataset = dataset
        self.results = results
        self.resultsPath = resultsPath
        self.kind = kind
        self.iouType = iouType
        self.maxDetections = maxDetections
        self.thresholds = thresholds
        let imageIndex = Dictionary(dataset.images.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        var truthsOfImage = [[Int]](repeating: [], count: dataset.images.count)
        for (row, annotation) in dataset.annotations.enumerated() {
            if let image = imageIndex[annotation.imageID] { truthsOfImage[image].append(row) }
        }
        var resultsOfImage = [[Int]](repeating: [], count: dataset.images.count)
        // Image ids resolved once per distinct id, then per row by its slot.
        let imageOfSlot = results.imageIDOfSlot.map { imageIndex[$0] }
        for row in results.rows {
            guard let image = imageOfSlot[Int(results.imageSlot[row])] else {
                throw ToolError("image_id \(results.imageID(row).rawValue) is not in the ground truth", file: resultsPath, record: "results[\(row)]")
            }
            switch iouType {
            case .bbox where !results.hasBox[row]:
                throw ToolError("the result has no bbox", file: resultsPath, record: "results[\(row)]",
                                hint: "TIDE's box errors use each result's own bbox (tidecv does not derive one from the mask)")
            case .segm where !results.hasSegmentation(row):
                throw ToolError("the result has no segmentation", file: resultsPath, record: "results[\(row)]",
                                hint: "TIDE's mask errors use each result's own segmentation (tidecv makes no mask from a box)")
            default: break
            }
            resultsOfImage[image].append(row)
        }
        self.truthsOfImage = truthsOfImage
        self.resultsOfImage = resultsOfImage
        allClasses = Set(dataset.categories.map(\.id.rawValue) + dataset.annotations.map(\.categoryID.rawValue))
        if iouType == .segm {
            let annotations = dataset.annotations, images = dataset.images
            let masks = parallelism.map(annotations.count) { row -> Result<RLE?, Error> in
                let annotation = annotations[row]
                guard let image = imageIndex[annotation.imageID] else { return .success(nil) }
                guard let segmentation = annotation.segmentation else {
                    return .failure(ToolError("the annotation has no segmentation", file: groundTruthPath,
                                              record: "annotations[\(row)] (id \(annotation.id))",
                                              hint: "TIDE's mask errors need every ground truth's mask (tidecv reads each segmentation)"))
                }
                do {
                    return .success(try RLE(segmentation: segmentation, height: images[image].height, width: images[image].width))
                } catch let error as ToolError {
                    return .failure(ToolError(error.message, file: groundTruthPath, record: "annotations[\(row)] (id \(annotation.id))",
                                              hint: error.hint))
                } catch {
                    return .failure(error)
                }
            }
            truthMasks = try masks.map { try $0.get() }
        } else {
            truthMasks = []
        }
    }

    /// Image `image` as tidecv's TIDEExample sees it.
    func problem(image: Int) throws -> ImageProblem {
        let info = dataset.images[image]
        let annotations = truthsOfImage[image].map { dataset.annotations[$0] }
        // COCO: crowd annotations are ignore regions; LVIS: none is.
        let isRegion = annotations.map { kind == .coco && $0.isCrowd }
        let truths = annotations.indices.filter { !isRegion[$0] }
        // Stable sort by descending score (the candidates are in file order: the row breaks
        // ties), then the per-image cap over all classes.
        let scores = results.score
        var keyed = resultsOfImage[image].map { (score: scores[$0], row: $0) }
        keyed.sort { $0.score != $1.score ? $0.score > $1.score : $0.row < $1.row }
        let rows = keyed.prefix(maxDetections).map(\.row)
        let predictionClasses = rows.map { results.categoryID($0).rawValue }
        let truthClasses = truths.map { annotations[$0].categoryID.rawValue }
        var overlaps: [Double] = []
        var ignorable = [Bool](repeating: false, count: rows.count)
        let regions = annotations.indices.filter { isRegion[$0] }
        switch iouType {
        case .boundary:
            preconditionFailure("TIDE has box and mask IoU only (tidecv); detect-eval asks for neither boundary")
        case .bbox:
            let boxes = rows.map { results.box[$0] }
            overlaps = boxIoU(detections: boxes, groundTruths: truths.map { annotations[$0].bbox }, isCrowd: [])
            for region in regions {
                let crowd = boxIoU(detections: boxes, groundTruths: [annotations[region].bbox], isCrowd: [true])
                markIgnorable(&ignorable, classes: predictionClasses, regionClass: annotations[region].categoryID.rawValue, overlaps: crowd)
            }
        case .segm:
            let masks = try rows.map { row -> RLE in
                do {
                    return try results.mask(row, height: info.height, width: info.width)
                } catch let error as ToolError {
                    throw ToolError(error.message, file: resultsPath, record: "results[\(row)]", hint: error.hint)
                }
            }
            let truthMasks = truthsOfImage[image].map { self.truthMasks[$0]! }
            overlaps = maskIoU(detections: masks, groundTruths: truths.map { truthMasks[$0] }, isCrowd: [])
            for region in regions {
                let crowd = maskIoU(detections: masks, groundTruths: [truthMasks[region]], isCrowd: [true])
                markIgnorable(&ignorable, classes: predictionClasses, regionClass: annotations[region].categoryID.rawValue, overlaps: crowd)
            }
        }
        if kind == .lvis {
            // Whole-image regions: the classes the annotators did not check on this image
            // (neither annotated nor verified absent) and the not-exhaustive ones.
            let checked = Set(annotations.map(\.categoryID.rawValue) + (info.negativeCategoryIDs ?? []).map(\.rawValue))
            let notExhaustive = Set((info.notExhaustiveCategoryIDs ?? []).map(\.rawValue))
            for (d, c) in predictionClasses.enumerated()
            where notExhaustive.contains(c) || (allClasses.contains(c) && !checked.contains(c)) {
                ignorable[d] = true
            }
        }
        return ImageProblem(rows: rows, truthClasses: truthClasses, predictionClasses: predictionClasses,
                            predictionScores: rows.map { results.score[$0] }, overlaps: overlaps, ignorable: ignorable)
    }

    /// A prediction of the region's class whose crowd IoU with it is above the positive threshold.
    private func markIgnorable(_ ignorable: inout [Bool], classes: [Int], regionClass: Int, overlaps: [Double]) {
        for d in classes.indices where classes[d] == regionClass && overlaps[d] > thresholds.positive { ignorable[d] = true }
    }
}
