// The image ids `predict --images` gives its files: the ids of a COCO/LVIS json's images
// matched by file base name (`--image-ids`), or 1..N in input order; and the id map that
// records which file got which id (`--id-map`), a COCO `images` list.
import SharedSupport

public enum ImageFileIDs {
    /// Ids 1, 2, ... N: each file's 1-based position in the input list (a skipped file's id
    /// stays unused, so the others keep theirs when it is fixed).
    public static func sequential(_ paths: [String]) -> [ImageFileEntry] {
        paths.enumerated().map { ImageFileEntry(path: $1, imageID: ImageID($0 + 1)) }
    }

    /// The file's base name (after the last `/`).
    public static func baseName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
    }

    /// Each file matched to the image of `dataset` whose file name has the file's base name
    /// (the names `lvis-prep convert` looks for: `file_name`'s base name, and for LVIS v0.5's
    /// `COCO_val2014_NNN.jpg` also `NNN.jpg`; `coco_url`'s base name for LVIS v1, which has no
    /// `file_name`), with the json's width and height (a file of another size is skipped when
    /// read). Refused (exit 1), before any image is read: files the json does not list, names
    /// two json images share, and two files matched to one image; the message names them.
    public static func matched(_ paths: [String], dataset: Dataset, jsonPath: String) throws -> [ImageFileEntry] {
        var byName: [String: [ImageInfo]] = [:]
        for image in dataset.images {
            let names = Set(PrepPlan.fileCandidates(image, format: dataset.format).map(baseName))
            for name in names { byName[name, default: []].append(image) }
        }
        var entries: [ImageFileEntry] = []
        var unlisted: [String] = [], ambiguous: [String] = []
        var firstPath: [ImageID: String] = [:]
        var repeated: [String] = []
        for path in paths {
            let name = baseName(path)
            guard let images = byName[name] else { unlisted.append(path); continue }
            guard images.count == 1, let image = images.first else {
                ambiguous.append("\(path) (ids " + images.prefix(3).map { String($0.id.rawValue) }.joined(separator: ", ") + ")")
                continue
            }
            if let first = firstPath[image.id] {
                repeated.append("\(first) and \(path) (id \(image.id.rawValue))")
                continue
            }
            firstPath[image.id] = path
            entries.append(ImageFileEntry(path: path, imageID: image.id, expectedWidth: image.width, expectedHeight: image.height))
        }
        func some(_ list: [String]) -> String {
            list.prefix(3).joined(separator: ", ") + (list.count > 3 ? " and \(list.count - 3) more" : "")
        }
        if !unlisted.isEmpty {
            throw ToolError("\(unlisted.count) of the \(paths.count) images are not among its images (matched by file name): \(some(unlisted))",
                            file: jsonPath, hint: "give the json those photos belong to, or leave --image-ids out (ids 1..N, see --id-map)")
        }
        if !ambiguous.isEmpty {
            throw ToolError("several of its images have the file name of \(some(ambiguous))", file: jsonPath,
                            hint: "file names must identify the images; leave --image-ids out (ids 1..N, see --id-map)")
        }
        if !repeated.isEmpty {
            throw ToolError("two input files are the same image of the json: \(some(repeated))", file: jsonPath,
                            hint: "list each photo once")
        }
        return entries
    }

    /// One element of the id map: `{"id", "file_name" (base name), "path" (as read),
    /// "width", "height"}`, in that order, so the list can be a COCO json's `images`.
    public static func writeMapEntry(id: ImageID, path: String, width: Int, height: Int, to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.value(id.rawValue)
        json.key("file_name"); json.value(baseName(path))
        json.key("path"); json.value(path)
        json.key("width"); json.value(width)
        json.key("height"); json.value(height)
        json.endObject()
    }
}
