// Atomic writes: the file appears only on commit, whole; an abandoned writer leaves nothing.
import XCTest
@testable import SharedSupport

final class AtomicFileTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testCommitWritesWholeFileAndNoTemporaryRemains() throws {
        let path = directory + "/out.json"
        let writer = try AtomicFileWriter(path: path)
        let big = [UInt8](repeating: 65, count: 3 << 20)
        try writer.write("head")
        try writer.write(big)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "visible before commit")
        try writer.commit()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(data.count, 4 + big.count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["out.json"])
    }

    func testAbandonedWriterLeavesNothingAndKeepsOldFile() throws {
        let path = directory + "/keep.txt"
        try writeFileAtomically(path, text: "old")
        do {
            let writer = try AtomicFileWriter(path: path)
            try writer.write("new, never committed")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["keep.txt"])
    }

    func testMissingFolderIsAnIOErrorNamingTheFile() {
        let path = directory + "/no/such/dir/file"
        XCTAssertThrowsError(try AtomicFileWriter(path: path)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.exitCode, .ioError)
            XCTAssertEqual(toolError?.file, path)
        }
    }
}
