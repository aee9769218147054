// Checks on the paths a command line names, made before any work starts: an input that is
// not a regular file (or a stream where one is allowed), and an output that is empty, a
// directory, a device or one of the run's own inputs, are refused naming the option.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a path names, after following symbolic links.
public enum PathKind: Sendable, Equatable {
    case missing, regularFile, directory, characterDevice, blockDevice, fifo, socket, other

    /// "a directory", "a device", ... for messages.
    public var phrase: String {
        switch self {
        case .missing: return "missing"
        case .regularFile: return "a regular file"
        case .directory: return "a directory"
        case .characterDevice, .blockDevice: return "a device"
        case .fifo: return "a pipe (FIFO)"
        case .socket: return "a socket"
        case .other: return "not a regular file"
        }
    }
}

public enum PathChecks {
    /// What `path` names (symbolic links followed).
    public static func kind(of path: String) -> PathKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        return kind(mode: info.st_mode)
    }

    static func kind(mode: mode_t) -> PathKind {
        switch mode & S_IFMT {
        case S_IFREG: return .regularFile
        case S_IFDIR: return .directory
        case S_IFCHR: return .characterDevice
        case S_IFBLK: return .blockDevice
        case S_IFIFO: return .fifo
        case S_IFSOCK: return .socket
        default: return .other
        }
    }

    /// Device and inode of an existing path (links followed), to tell whether two paths are
    /// the same file.
    public static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// An input read with random access or mapped whole (a checkpoint, a shard, an image):
    /// it must be a regular file. Missing: exit 74; a directory, device, pipe or socket: 64.
    public static func requireInputFile(_ path: String, option: String) throws {
        try requireNonEmpty(path, option: option)
        let found = kind(of: path)
        switch found {
        case .regularFile: return
        case .missing:
            throw ToolError.io("no such file", file: path, hint: "check the path given to \(option)")
        default:
            throw ToolError.usage("\(option) \(path): is \(found.phrase), not a file",
                                  hint: "give the path of a regular file")
        }
    }

    /// An input read once from start to end (a JSON document): a regular file, `-` (standard
    /// input) or a pipe (`<(command)`). Directories and devices are refused.
    public static func requireInputFileOrStream(_ path: String, option: String) throws {
        try requireNonEmpty(path, option: option)
        if path == "-" { return }
        let found = kind(of: path)
        switch found {
        case .regularFile, .fifo: return
        case .missing:
            throw ToolError.io("no such file", file: path, hint: "check the path given to \(option)")
        default:
            throw ToolError.usage("\(option) \(path): is \(found.phrase), not a file",
                                  hint: "give the path of a regular file, or `-` for standard input")
        }
    }

    /// An output file written atomically: not empty, not an existing directory, device, pipe
    /// or socket, not the same file as any of `inputs` (`-` entries are skipped), and its
    /// folder exists. A symbolic link is written through (the link is kept; see
    /// `AtomicFileWriter`).
    public static func requireOutputFile(_ path: String, option: String, inputs: [String] = []) throws {
        try requireNonEmpty(path, option: option)
        let found = kind(of: path)
        switch found {
        case .missing, .regularFile: break
        default:
            throw ToolError.usage("\(option) \(path): is \(found.phrase); an output must be a file path",
                                  hint: found == .directory ? "name a file inside it, e.g. \(option) \(path)/NAME" : "give a file path")
        }
        if found == .regularFile, let output = identity(of: path) {
            for input in inputs where input != "-" && identity(of: input) == output {
                throw ToolError.usage("\(option) \(path) is the same file as the input \(input); writing it would destroy the input",
                                      hint: "give another output path")
            }
        }
        let folder = parentFolder(of: path)
        if kind(of: folder) != .directory {
            throw ToolError.usage("\(option) \(path): the folder \(folder) does not exist", hint: "create it first")
        }
    }

    /// An output folder: not empty and not an existing non-directory.
    public static func requireOutputDirectory(_ path: String, option: String) throws {
        try requireNonEmpty(path, option: option)
        let found = kind(of: path)
        guard found == .missing || found == .directory else {
            throw ToolError.usage("\(option) \(path): is \(found.phrase); an output folder is needed here",
                                  hint: "give the path of a folder (it is created when missing)")
        }
    }

    static func requireNonEmpty(_ path: String, option: String) throws {
        if path.isEmpty { throw ToolError.usage("\(option) is empty", hint: "give a path") }
        if path.utf8.contains(0) { throw ToolError.usage("\(option) contains a NUL byte") }
    }

    /// The folder that holds `path` ("." for a bare name, "/" for a file in the root).
    public static func parentFolder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// The file a write to `path` should replace: `path` itself, or, when it is a symbolic
    /// link, the file the chain of links ends at (which may not exist yet). Nil when the
    /// chain loops or is longer than the system allows.
    public static func writeThroughTarget(of path: String) -> String? {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { return nil }
            let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : (parentFolder(of: current) == "." && !current.hasPrefix("./")
                ? target : parentFolder(of: current) + "/" + target)
        }
        return nil
    }
}

/// A file's identity: the device and inode `stat` reports.
public struct FileIdentity: Sendable, Equatable {
    public let device: UInt64
    public let inode: UInt64
}
