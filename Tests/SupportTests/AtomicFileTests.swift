// Atomic writes: the file appears only on commit, whole; an abandoned writer leaves nothing; a killed
// writer's temporary file is removed by the next writer of the same file.
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

    func testTemporaryFileOfADeadProcessIsRemovedAndOthersAreKept() throws {
        let path = directory + "/checkpoint.safetensors"
        var host = [CChar](repeating: 0, count: 256)
        XCTAssertEqual(gethostname(&host, 255), 0)
        let prefix = ".checkpoint.safetensors.tmp-\(String(cString: host))-"
        let dead = prefix + "999999999"           // above any pid_max: no such process
        let alive = prefix + "\(getppid())"       // the test runner's parent is running
        let otherHost = ".checkpoint.safetensors.tmp-elsewhere.example-999999999"
        let otherFile = ".other.json.tmp-\(String(cString: host))-999999999"
        for name in [dead, alive, otherHost, otherFile] {
            XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data([1, 2, 3])))
        }
        try writeFileAtomically(path, text: "new")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: directory)),
                       ["checkpoint.safetensors", alive, otherHost, otherFile])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new")
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
