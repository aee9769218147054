// Files that only make sense together are staged in a hidden folder and published by rename;
// a failed or stopped run's staging folder is removed, and what a killed process left is
// removed by the next run on the same host (never a live process's or another host's).
import XCTest
@testable import SharedSupport

final class StagingFolderTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "staging-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() }

    /// A process id no process has (pid_max is at most 2^22).
    private let deadPID = 4_194_303

    func testPublishedFilesReplaceTheOldOnesAndTheStagingFolderGoes() throws {
        try writeFileAtomically(directory + "/report.md", text: "old")
        try writeFileAtomically(directory + "/real.png", text: "old chart")
        XCTAssertEqual(symlink("real.png", directory + "/chart.png"), 0)
        let staging = try StagingFolder(in: directory, label: "report")
        XCTAssertTrue(staging.path.hasPrefix(directory + "/.report-partial-" + ProcessOwnedNames.hostName + "-"))
        try writeFileAtomically(staging.staged("chart.png"), text: "new chart")
        try writeFileAtomically(staging.staged("report.md"), text: "new")
        XCTAssertEqual(try String(contentsOfFile: directory + "/report.md", encoding: .utf8), "old", "nothing visible before publishing")
        try staging.publishFile("chart.png")
        try staging.publishFile("report.md")
        staging.remove()
        XCTAssertEqual(names, ["chart.png", "real.png", "report.md"])
        XCTAssertEqual(try String(contentsOfFile: directory + "/report.md", encoding: .utf8), "new")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/chart.png"), "real.png", "the link is kept")
        XCTAssertEqual(try String(contentsOfFile: directory + "/real.png", encoding: .utf8), "new chart")
    }

    func testAStagingFolderDroppedUnpublishedLeavesNothing() throws {
        do {
            let staging = try StagingFolder(in: directory, label: "synth")
            try FileManager.default.createDirectory(atPath: staging.staged("train2017"), withIntermediateDirectories: true)
            try writeFileAtomically(staging.staged("train2017") + "/1.jpg", text: "x")
        }
        XCTAssertEqual(names, [])
    }

    func testPublishingAFolderReplacesTheOldOne() throws {
        try FileManager.default.createDirectory(atPath: directory + "/val2017/old", withIntermediateDirectories: true)
        let staging = try StagingFolder(in: directory, label: "synth")
        try FileManager.default.createDirectory(atPath: staging.staged("val2017"), withIntermediateDirectories: true)
        try writeFileAtomically(staging.staged("val2017") + "/1.jpg", text: "x")
        try staging.publishFolder("val2017")
        staging.remove()
        XCTAssertEqual(names, ["val2017"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/val2017"), ["1.jpg"])
    }

    func testPublishingNeverReplacesAFolderOrADeviceWithAFile() throws {
        try FileManager.default.createDirectory(atPath: directory + "/report.md", withIntermediateDirectories: true)
        XCTAssertEqual(symlink("/dev/null", directory + "/chart.png"), 0)
        let staging = try StagingFolder(in: directory, label: "report")
        try writeFileAtomically(staging.staged("report.md"), text: "new")
        try writeFileAtomically(staging.staged("chart.png"), text: "new")
        XCTAssertThrowsError(try staging.publishFile("report.md"))
        XCTAssertThrowsError(try staging.publishFile("chart.png"))
        XCTAssertEqual(PathChecks.kind(of: "/dev/null"), .characterDevice)
    }

    func testWhatADeadProcessLeftIsRemovedAndLiveOrForeignEntriesAreKept() throws {
        let host = ProcessOwnedNames.hostName
        let dead = [".report-partial-\(host)-\(deadPID)", ".synth-partial-\(host)-\(deadPID)"]
        let kept = [".report-partial-\(host)-\(getppid())",          // a live process (our parent)
                    ".report-partial-other-host-\(deadPID)",          // another host's: it may be alive there
                    ".report-partial-\(host)-notapid"]
        for name in dead + kept { try FileManager.default.createDirectory(atPath: directory + "/" + name + "/x", withIntermediateDirectories: true) }
        try writeFileAtomically(directory + "/.report-partial-\(host)-\(deadPID - 1)", text: "a file, not a folder")
        let legacy = ".synth-partial-\(deadPID)"
        try FileManager.default.createDirectory(atPath: directory + "/" + legacy, withIntermediateDirectories: true)

        let staging = try StagingFolder(in: directory, label: "report")
        XCTAssertEqual(Set(names), Set(kept + [dead[1], legacy, (staging.path as NSString).lastPathComponent]))
        ProcessOwnedNames.removeAbandoned(in: directory, prefix: StagingFolder.prefix("synth"))
        ProcessOwnedNames.removeAbandoned(in: directory, prefix: StagingFolder.prefix("synth"), hostQualified: false)
        staging.remove()
        XCTAssertEqual(Set(names), Set(kept))
    }
}
