// Helpers for the schema tests: paths of the committed real data, and capturing a ToolError.
import Foundation
import SharedData
import SharedSupport
import XCTest

enum SharedDataFiles {
    /// Tests/Fixtures: real COCO / LVIS files, committed (this file is Tests/SchemaTests/...).
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// The ToolError thrown by `body`; fails the test if nothing or something else is thrown.
func toolError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> ToolError? {
    do {
        try body()
        XCTFail("expected a ToolError", file: file, line: line)
    } catch let error as ToolError {
        return error
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
    return nil
}

/// A minimal valid COCO ground-truth document with `annotation` as its one annotation.
func cocoDocument(annotation: String, image: String = #"{"id": 1, "width": 10, "height": 8}"#,
                  category: String = #"{"id": 3, "name": "cat"}"#) -> String {
    """
    {"images": [\(image)],
     "categories": [\(category)],
     "annotations": [\(annotation)]}
    """
}
