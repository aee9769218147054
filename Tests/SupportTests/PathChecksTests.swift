// Path checks before work starts: inputs must be files (or streams where allowed), outputs
// must not be empty, folders, devices or the run's own inputs; symbolic links are written
// through, the link kept.
import XCTest
@testable import SharedSupport

final class PathChecksTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "paths-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func exitCode(_ body: () throws -> Void) -> ToolExitCode? {
        do { try body(); return nil } catch let error as ToolError { return error.exitCode } catch { return nil }
    }

    func testKinds() throws {
        let file = directory + "/a.json"
        try writeFileAtomically(file, text: "{}")
        XCTAssertEqual(PathChecks.kind(of: file), .regularFile)
        XCTAssertEqual(PathChecks.kind(of: directory), .directory)
        XCTAssertEqual(PathChecks.kind(of: "/dev/null"), .characterDevice)
        XCTAssertEqual(PathChecks.kind(of: directory + "/none"), .missing)
        XCTAssertEqual(mkfifo(directory + "/fifo", 0o600), 0)
        XCTAssertEqual(PathChecks.kind(of: directory + "/fifo"), .fifo)
    }

    func testInputsThatAreNotFilesAreRefusedNamingTheOption() throws {
        let file = directory + "/model.safetensors"
        try writeFileAtomically(file, text: "x")
        XCTAssertNil(exitCode { try PathChecks.requireInputFile(file, option: "--checkpoint") })
        XCTAssertEqual(exitCode { try PathChecks.requireInputFile(directory, option: "--checkpoint") }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireInputFile("/dev/zero", option: "--checkpoint") }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireInputFile("", option: "--checkpoint") }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireInputFile(directory + "/none", option: "--checkpoint") }, .ioError)
        do {
            try PathChecks.requireInputFile(directory, option: "--checkpoint")
        } catch let error as ToolError {
            XCTAssertTrue(error.message.contains("--checkpoint") && error.message.contains("is a directory"), error.message)
        }
        // Streams are allowed where a document is read once; devices never are.
        XCTAssertNil(exitCode { try PathChecks.requireInputFileOrStream("-", option: "--gt") })
        XCTAssertEqual(mkfifo(directory + "/fifo", 0o600), 0)
        XCTAssertNil(exitCode { try PathChecks.requireInputFileOrStream(directory + "/fifo", option: "--gt") })
        XCTAssertEqual(exitCode { try PathChecks.requireInputFile(directory + "/fifo", option: "--checkpoint") }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireInputFileOrStream("/dev/zero", option: "--gt") }, .usage)
    }

    func testOutputsThatWouldDestroySomethingAreRefused() throws {
        let input = directory + "/results.json"
        try writeFileAtomically(input, text: "[]")
        XCTAssertNil(exitCode { try PathChecks.requireOutputFile(directory + "/new.json", option: "--out", inputs: [input]) })
        XCTAssertEqual(exitCode { try PathChecks.requireOutputFile("", option: "--out") }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireOutputFile(directory, option: "--out") }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireOutputFile("/dev/null", option: "--out") }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireOutputFile(input, option: "--per-category", inputs: ["-", input]) }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireOutputFile(directory + "/no/such/folder/x.json", option: "--out") }, .usage)
        // The same file through a link or another spelling is still the input.
        XCTAssertEqual(symlink(input, directory + "/link.json"), 0)
        XCTAssertEqual(exitCode { try PathChecks.requireOutputFile(directory + "/link.json", option: "--out", inputs: [input]) }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireOutputFile(directory + "/./results.json", option: "--out", inputs: [input]) }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireOutputDirectory("", option: "--out") }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireOutputDirectory(input, option: "--out") }, .usage)
        XCTAssertNil(exitCode { try PathChecks.requireOutputDirectory(directory + "/fresh", option: "--out") })
    }

    func testASymbolicLinkIsWrittenThroughAndKept() throws {
        let target = directory + "/real.json", link = directory + "/link.json"
        try writeFileAtomically(target, text: "old")
        XCTAssertEqual(symlink("real.json", link), 0)  // relative link
        try writeFileAtomically(link, text: "new")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "real.json", "the link is kept")
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "new")
        // A dangling link creates its target.
        XCTAssertEqual(symlink(directory + "/later.json", directory + "/dangling.json"), 0)
        try writeFileAtomically(directory + "/dangling.json", text: "made")
        XCTAssertEqual(try String(contentsOfFile: directory + "/later.json", encoding: .utf8), "made")
        XCTAssertEqual(PathChecks.writeThroughTarget(of: link), directory + "/real.json")
    }

    func testTheAtomicWriterNeverReplacesADeviceOrAFolder() throws {
        XCTAssertThrowsError(try AtomicFileWriter(path: "/dev/null"))
        XCTAssertThrowsError(try AtomicFileWriter(path: directory))
        XCTAssertThrowsError(try AtomicFileWriter(path: ""))
        XCTAssertEqual(PathChecks.kind(of: "/dev/null"), .characterDevice, "still a device")
        XCTAssertEqual(symlink(directory + "/loop-b", directory + "/loop-a"), 0)
        XCTAssertEqual(symlink(directory + "/loop-a", directory + "/loop-b"), 0)
        XCTAssertThrowsError(try AtomicFileWriter(path: directory + "/loop-a"))
    }

    func testInputFoldersMustBeFoldersWithoutDevicesOrPipes() throws {
        let shards = directory + "/shards"
        try FileManager.default.createDirectory(atPath: shards + "/sub", withIntermediateDirectories: true)
        try writeFileAtomically(shards + "/manifest.json", text: "{}")
        XCTAssertNil(exitCode { try PathChecks.requireInputFolder(shards, option: "--data", checkEntries: true) })
        XCTAssertEqual(exitCode { try PathChecks.requireInputFolder(directory + "/none", option: "--data") }, .ioError)
        XCTAssertEqual(exitCode { try PathChecks.requireInputFolder(shards + "/manifest.json", option: "--data") }, .usage)
        XCTAssertEqual(exitCode { try PathChecks.requireInputFolder("", option: "--data") }, .usage)
        // A pipe or a link to a device inside: a reader would block or read forever.
        XCTAssertEqual(mkfifo(shards + "/shard-00000.bin", 0o600), 0)
        XCTAssertNil(exitCode { try PathChecks.requireInputFolder(shards, option: "--data") }, "entries checked only when asked")
        do {
            try PathChecks.requireInputFolder(shards, option: "--data", checkEntries: true)
            XCTFail("a pipe in a shard folder must be refused")
        } catch let error as ToolError {
            XCTAssertEqual(error.exitCode, .usage)
            XCTAssertTrue(error.message.contains("--data") && error.message.contains("shard-00000.bin is a pipe"), error.message)
        }
        XCTAssertEqual(unlink(shards + "/shard-00000.bin"), 0)
        XCTAssertEqual(symlink("/dev/zero", shards + "/manifest-link.json"), 0)
        XCTAssertEqual(exitCode { try PathChecks.requireInputFolder(shards, option: "--data", checkEntries: true) }, .usage)
    }

    func testOutputFoldersNeverReplaceAnInputOrHoldAFolderWhereAFileGoes() throws {
        let out = directory + "/out", shards = directory + "/shards"
        try FileManager.default.createDirectory(atPath: shards, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let names = ["checkpoint.safetensors", "config.json", "log.jsonl"]
        XCTAssertNil(exitCode { try PathChecks.requireOutputDirectory(out, option: "--out", files: names, inputs: [shards]) })
        XCTAssertNil(exitCode { try PathChecks.requireOutputDirectory(directory + "/new", option: "--out", files: names) })
        // The output folder is an input folder (any spelling).
        XCTAssertEqual(exitCode { try PathChecks.requireOutputDirectory(directory + "/./shards", option: "--out", inputs: [shards]) }, .usage)
        // A file the run writes is an input (loce-finetune --from OUT/checkpoint.safetensors).
        try writeFileAtomically(out + "/checkpoint.safetensors", text: "stage 1")
        do {
            try PathChecks.requireOutputDirectory(out, option: "--out", files: names, inputs: [out + "/checkpoint.safetensors"])
            XCTFail("an output that is an input must be refused")
        } catch let error as ToolError {
            XCTAssertEqual(error.exitCode, .usage)
            XCTAssertTrue(error.message.contains("the same file as the input"), error.message)
            XCTAssertEqual(error.hint, "give another output folder")
        }
        // A folder or a device where the run writes a file.
        try FileManager.default.createDirectory(atPath: out + "/log.jsonl", withIntermediateDirectories: true)
        XCTAssertEqual(exitCode { try PathChecks.requireOutputDirectory(out, option: "--out", files: names) }, .usage)
        try FileManager.default.removeItem(atPath: out + "/log.jsonl")
        XCTAssertEqual(symlink("/dev/null", out + "/config.json"), 0)
        XCTAssertEqual(exitCode { try PathChecks.requireOutputDirectory(out, option: "--out", files: names) }, .usage)
    }

    func testEmptyPathsNameTheOptionAndWhatToDo() {
        do {
            try PathChecks.requireOutputFile("", option: "--per-category")
            XCTFail("an empty output path must be refused")
        } catch let error as ToolError {
            XCTAssertEqual(error.description, "--per-category is an empty path\n  hint: give a file or folder path after --per-category")
        } catch {
            XCTFail("\(error)")
        }
    }
}
