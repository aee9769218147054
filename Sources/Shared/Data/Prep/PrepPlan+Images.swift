// The image checks of convert's first stage, on the json alone: a size that is positive and
// within --max-pixels, and file names that stay inside --images. A refused image is counted
// by kind, and it and its annotations are left out of the plan; no file is opened for it.
import SharedSupport

extension PrepPlan {
    /// Why `image` cannot be converted, or nil. `candidates` are its file candidates.
    static func refusal(of image: ImageInfo, candidates: [String], limits: ImageLimits) -> (kind: ProblemKind, reason: String)? {
        guard image.width > 0, image.height > 0 else {
            return (.badImageSize, "width \(image.width), height \(image.height) in the json; an image needs a positive size: "
                    + "write the file's pixel size, or remove the image")
        }
        let (pixels, overflow) = image.width.multipliedReportingOverflow(by: image.height)
        guard !overflow, pixels <= limits.maxPixels else {
            let count = overflow ? "more than \(Int.max)" : "\(pixels)"
            return (.imageTooLarge, "\(image.width)x\(image.height) = \(count) pixels in the json, over --max-pixels \(limits.maxPixels); "
                    + "raise --max-pixels (at most \(ImageLimits.maxPixelsCeiling)) if such images are real")
        }
        for candidate in candidates {
            if let defect = fileNameDefect(candidate, allowOutsideImages: limits.allowOutsideImages) {
                return (.unsafeFileName, "file name \(displayed(candidate)) \(defect)")
            }
        }
        return nil
    }

    /// What is wrong with an image name taken from the json, or nil. The check is on the name
    /// alone: a name without `..` and not absolute stays inside --images unless the image
    /// root itself holds symbolic links out of it, which its owner made and which are kept
    /// (a root whose train2017 links to another disk is common).
    static func fileNameDefect(_ name: String, allowOutsideImages: Bool) -> String? {
        if name.utf8.contains(0) {
            return "contains a NUL character (the file system would read only the part before it); fix the name in the json"
        }
        if allowOutsideImages { return nil }
        if name.hasPrefix("/") {
            return "is an absolute path, outside --images; make it relative to --images, or pass --allow-outside-images"
        }
        if name.split(separator: "/", omittingEmptySubsequences: true).contains("..") {
            return "has a \"..\" component, which leaves --images; fix the name, or pass --allow-outside-images"
        }
        return nil
    }

    /// A name as a quoted Swift literal (NUL and control characters escaped), cut to 160
    /// characters so a hostile megabyte-long name does not flood the report.
    static func displayed(_ name: String) -> String {
        let limit = 160
        let shown = name.count > limit ? String(name.prefix(limit)) + "…" : name
        return String(reflecting: shown)
    }
}
