// Finds and decodes a val image for the detection grid under an image root, by the same
// rule as `lvis-prep convert --images` (LVIS v1 coco_url, LVIS v0.5 / COCO file_name).
import SharedData
import SharedSupport

public enum ReportImageLoader {
    /// The image, decoded at no less than `atLeast` pixels on each side where the codec can
    /// shrink it. Throws `ToolError` 74 when no candidate file exists, 1 when it does not decode.
    public static func load(_ info: ImageInfo, root: String, format: DatasetFormat, atLeast: Int) throws -> RGBImage {
        let candidates = PrepPlan.fileCandidates(info, format: format)
        for candidate in candidates {
            let path = root.isEmpty ? candidate : root + "/" + candidate
            guard let bytes = readWholeFile(path) else { continue }
            let scale = min(1, Double(atLeast) / Double(max(1, min(info.width, info.height))))
            let minimum = (max(1, Int((Double(info.width) * scale).rounded(.up))), max(1, Int((Double(info.height) * scale).rounded(.up))))
            do {
                return try bytes.withUnsafeBytes { try ImageDecoding.decode($0, atLeast: minimum).image }
            } catch {
                throw ToolError("cannot decode image id \(info.id): \(error)", file: path, hint: "check the file; it should be a JPEG or PNG")
            }
        }
        throw ToolError.io("image id \(info.id) not found under the image root as " + candidates.prefix(3).joined(separator: ", "),
                           file: root, hint: "give --images the folder that holds train2017/ and val2017/ (as for `lvis-prep convert --images`)")
    }
}
