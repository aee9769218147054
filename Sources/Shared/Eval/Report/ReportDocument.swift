// report.md as text: a title, then sections, each a heading, text and an optional image
// (a PNG next to report.md, linked by its relative name).

public struct ReportDocument {
    public private(set) var text: String

    public init(title: String) { text = "# \(title)\n" }

    public mutating func section(_ heading: String, image: String? = nil, text body: String) {
        text += "\n## \(heading)\n\n" + body + (body.hasSuffix("\n") ? "" : "\n")
        if let image { text += "\n![\(heading)](\(image))\n" }
    }
}
