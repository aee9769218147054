// What `FilterCounts` tells a person: the warnings for records dropped because the ground
// truth does not know their ids (the references drop them silently; we say so), and the
// error when no detection is left to evaluate, with how many went for which reason.
import SharedSupport

extension FilterCounts {
    /// The warning for detections of categories not in the ground truth, or nil if none.
    public func unknownCategoryWarning(resultsPath: String) -> String? {
        let dropped = unknownCategoryDetections
        guard dropped.count > 0 else { return nil }
        return "\(resultsPath): \(dropped.count) detection\(plural(dropped.count)) dropped: category_id not among the ground truth's categories "
            + "(pycocotools and the LVIS API drop them too); category_id \(dropped.idSummary(noun: "detection")); "
            + "first: \(dropped.rowSummary(collection: "results"))"
    }

    /// The warning for annotations of unknown images or categories, or nil if none.
    public func ignoredGroundTruthWarning(groundTruthPath: String) -> String? {
        guard ignoredGroundTruth > 0 else { return nil }
        var parts: [String] = []
        if groundTruthUnknownImage.count > 0 {
            let dropped = groundTruthUnknownImage
            parts.append("\(dropped.count) with an image_id not in `images` (image_id \(dropped.idSummary(noun: "annotation")); "
                         + "first: \(dropped.rowSummary(collection: "annotations")))")
        }
        if groundTruthUnknownCategory.count > 0 {
            let dropped = groundTruthUnknownCategory
            parts.append("\(dropped.count) with a category_id not in `categories` (category_id \(dropped.idSummary(noun: "annotation")); "
                         + "first: \(dropped.rowSummary(collection: "annotations")))")
        }
        return "\(groundTruthPath): \(ignoredGroundTruth) annotation\(plural(ignoredGroundTruth)) ignored, as pycocotools and the LVIS API ignore them: "
            + parts.joined(separator: "; ")
    }

    /// "12 with a category_id not in the ground truth (ids 91 (10), 7 (2)), 3 of zero area":
    /// every reason a detection was dropped, with its count.
    public var droppedDetectionReasons: String {
        var reasons: [String] = []
        if unknownCategory > 0 {
            reasons.append("\(unknownCategory) with a category_id not in the ground truth (category_id \(unknownCategoryDetections.idSummary(noun: "detection")))")
        }
        if overImageCap > 0 { reasons.append("\(overImageCap) over the \(imageCap) detections per image cap") }
        if overCategoryCap > 0, let categoryCap {
            reasons.append("\(overCategoryCap) past the \(categoryCap) best of their category (Fixed AP)")
        }
        if federated > 0 { reasons.append("\(federated) by the federated filter (category neither annotated on the image nor in its neg_category_ids)") }
        if zeroArea > 0 { reasons.append("\(zeroArea) of zero area") }
        return reasons.joined(separator: ", ")
    }

    /// The error when no detection is left: the results were empty, or every one was
    /// dropped (then how many for which reason). `emptyHint` is the hint for empty results.
    public func noDetectionsError(resultsPath: String, emptyHint: String) -> ToolError {
        guard droppedDetections > 0 else {
            return ToolError("no detections to evaluate: the results list is empty", file: resultsPath, hint: emptyHint)
        }
        var advice: [String] = []
        if unknownCategory > 0 { advice.append("category_id must be one of the ids in the ground truth's `categories` (map the model's label ids to them)") }
        if federated > 0 { advice.append("LVIS evaluates a category on an image only where it is annotated or in neg_category_ids") }
        if zeroArea > 0 { advice.append("LVIS drops zero-area detections (a box with w or h = 0, an empty mask)") }
        let hint = advice.joined(separator: "; ")
        let which = droppedDetections == 1 ? "the only result was dropped" : "all \(droppedDetections) results were dropped"
        return ToolError("no detections to evaluate: \(which): \(droppedDetectionReasons)", file: resultsPath, hint: hint)
    }
}

private func plural(_ count: Int) -> String { count == 1 ? "" : "s" }
