// A hidden folder inside an output folder where a run writes a set of files that only make
// sense together (a report and its charts, a dataset's images): renamed into place when all
// are done, removed when the run fails or is stopped, and removed by the next run when a
// killed one left it (its name carries host and process id: `ProcessOwnedNames`).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class StagingFolder {
    /// The output folder the staged entries are published into.
    public let destination: String
    /// The hidden folder: `DESTINATION/.PREFIX HOST-PID`.
    public let path: String
    private var finished = false

    /// Creates `destination/.<label>-partial-HOST-PID` (the destination must exist), after
    /// removing the ones of this label that dead processes on this host left.
    public init(in destination: String, label: String) throws {
        let prefix = Self.prefix(label)
        ProcessOwnedNames.removeAbandoned(in: destination, prefix: prefix)
        self.destination = destination
        path = destination + "/" + ProcessOwnedNames.own(prefix)
        ProcessOwnedNames.removeEntry(path)  // a stale one of a recycled process id
        if mkdir(path, 0o755) != 0 {
            throw ToolError.io("cannot create folder: \(String(cString: strerror(errno)))", file: path,
                               hint: "check that \(destination) is writable")
        }
    }

    /// ".LABEL-partial-": what every staging folder of `label` is named, before HOST-PID.
    public static func prefix(_ label: String) -> String { ".\(label)-partial-" }

    /// Where the entry `name` is written while staged.
    public func staged(_ name: String) -> String { path + "/" + name }

    /// Renames the staged file `name` over `destination/name`; a symbolic link there is
    /// written through (its target replaced, the link kept), like `AtomicFileWriter`.
    public func publishFile(_ name: String) throws {
        let final = destination + "/" + name
        guard let target = PathChecks.writeThroughTarget(of: final) else {
            throw ToolError.io("cannot follow the symbolic link (a loop, or too many levels)", file: final)
        }
        let existing = PathChecks.kind(of: target)
        guard existing == .missing || existing == .regularFile else {
            throw ToolError.io("is \(existing.phrase); refusing to replace it with a file", file: final, hint: "remove it or choose another output folder")
        }
        if rename(staged(name), target) != 0 {
            throw ToolError.io("cannot move file into place: \(String(cString: strerror(errno)))", file: final)
        }
    }

    /// Renames the staged folder `name` to `destination/name`, replacing a folder there.
    public func publishFolder(_ name: String) throws {
        let final = destination + "/" + name
        ProcessOwnedNames.removeEntry(final)
        if rename(staged(name), final) != 0 {
            throw ToolError.io("cannot move folder into place: \(String(cString: strerror(errno)))", file: final)
        }
    }

    /// Removes the staging folder and whatever is left in it (after publishing, or on failure).
    public func remove() {
        guard !finished else { return }
        finished = true
        ProcessOwnedNames.removeEntry(path)
    }

    deinit { remove() }
}
