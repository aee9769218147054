// The machine-readable report: {"bbox": {...}, "segm": {...}, "boundary": {...}}, each with every stat under
// the reference's name as a full-precision number (pooled AP as "AP-pooled-all", ...), what
// the loading rules dropped, the protocol and subsets evaluated ("protocol"), one object per
// slice ("slices"), the analyses asked for ("calibration", "diagnostics") and a per-category table. Keys documented in docs/evaluation.md §--json.
import SharedData
import SharedSupport

public enum JSONReport {
    /// One JSON document for all reports, keys in the order evaluated.
    public static func document(_ reports: [EvaluationReport]) -> String {
        var out = "{"
        for (i, report) in reports.enumerated() {
            if i > 0 { out += "," }
            out += "\n  \"\(report.iouType.rawValue)\": {\n    \"style\": \"\(report.style.rawValue)\""
            out += ",\n    \"detections\": \(report.detectionCount)"
            out += ",\n    \"dropped\": \(dropped(report.filtered))"
            out += ",\n    \"protocol\": \(protocolObject(report))"
            for stat in report.stats {
                out += ",\n    \(quoted(stat.name)): \(number(stat.value))"
            }
            if !report.slices.isEmpty {
                out += ",\n    \"slices\": {"
                for (i, slice) in report.slices.enumerated() {
                    out += (i == 0 ? "\n      " : ",\n      ") + quoted(slice.name) + ": " + sliceObject(slice)
                }
                out += "\n    }"
            }
            if let calibration = report.calibration {
                out += ",\n    \"calibration\": " + CalibrationReport.jsonObject(calibration, categoryIDs: report.categories.map(\.id.rawValue))
            }
            if let diagnostics = report.diagnostics {
                out += ",\n    \"diagnostics\": " + DiagnosticsReport.jsonObject(diagnostics)
            }
            out += ",\n    \"per_category\": ["
            for k in 0..<report.categories.count {
                let category = report.categories[k]
                let ap = report.categoryAP(k)
                out += k == 0 ? "\n      " : ",\n      "
                out += "{\"id\": \(category.id.rawValue), \"name\": \(quoted(category.name)), "
                out += "\"frequency\": \(category.frequency.map { quoted($0.rawValue) } ?? "null"), "
                out += "\"num_gt\": \(report.result.groundTruthCounts[k]), "
                out += "\"AP\": \(number(ap.ap)), \"AP50\": \(number(ap.ap50))}"
            }
            out += report.categories.isEmpty ? "]\n  }" : "\n    ]\n  }"
        }
        return out + "\n}\n"
    }

    /// The "dropped" object: detections and annotations each loading rule removed, and the
    /// category ids of the detections dropped for an unknown category.
    static func dropped(_ f: FilterCounts) -> String {
        let fields: [(String, String)] = [
            ("unknown_category", "\(f.unknownCategory)"),
            ("unknown_category_ids", "[" + f.unknownCategoryDetections.ids.map(String.init).joined(separator: ", ") + "]"),
            ("over_image_cap", "\(f.overImageCap)"),
            ("over_category_cap", "\(f.overCategoryCap)"),
            ("zero_area", "\(f.zeroArea)"),
            ("federated", "\(f.federated)"),
            ("gt_zero_area", "\(f.zeroAreaGroundTruth)"),
            ("gt_unknown_image", "\(f.groundTruthUnknownImage.count)"),
            ("gt_unknown_category", "\(f.groundTruthUnknownCategory.count)"),
        ]
        return "{" + fields.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// The "protocol" object: the largest cap (-1 = none), Fixed AP's K and how many categories
    /// had fewer results, whether pooled AP is reported, and the id files of the subsets.
    static func protocolObject(_ report: EvaluationReport) -> String {
        let p = report.evaluationProtocol
        let fixedAP = p.detectionsPerCategory.map {
            "{\"dets_per_cat\": \($0), \"categories_under_k\": \(report.categoriesUnderCategoryCap)}"
        } ?? "null"
        let images = report.subsets.images.map {
            "{\"file\": \(quoted($0.path)), \"images\": \(report.imageCount)}"
        } ?? "null"
        let categories = report.subsets.categories.map {
            "{\"file\": \(quoted($0.path)), \"categories\": \(report.categories.count)}"
        } ?? "null"
        var fields: [(String, String)] = [
            ("max_dets", "\(report.result.parameters.largestMaxDetections)"),
            ("fixed_ap", fixedAP),
            ("ap_pool", p.pooled ? "true" : "false"),
            ("img_ids", images),
            ("cat_ids", categories),
        ]
        // Boundary IoU only: its dilation ratio.
        if let ratio = report.dilationRatio { fields.append(("dilation_ratio", number(ratio))) }
        return "{" + fields.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// One slice: its id file, images, detections evaluated and every stat.
    static func sliceObject(_ slice: SliceReport) -> String {
        var fields: [(String, String)] = [
            ("file", quoted(slice.path)), ("images", "\(slice.imageCount)"), ("detections", "\(slice.detectionCount)"),
        ]
        fields += slice.stats.map { ($0.name, number($0.value)) }
        return "{" + fields.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// Shortest round-trip form (Python's repr); -1 stays -1.0.
    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    /// A JSON string literal.
    public static func quoted(_ text: String) -> String { JSONWriter.quoted(text) }
}
