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

    /// A folder of inputs (a shard folder, an image root): it must exist (else exit 74) and be
    /// a folder (else 64). With `checkEntries`, none of the entries directly inside may be a
    /// device, pipe or socket (links followed): a reader would block on it or read forever.
    public static func requireInputFolder(_ path: String, option: String, checkEntries: Bool = false) throws {
        try requireNonEmpty(path, option: option)
        let found = kind(of: path)
        switch found {
        case .directory: break
        case .missing:
            throw ToolError.io("no such folder", file: path, hint: "check the path given as \(option)")
        default:
            throw ToolError.usage("\(option) \(path): is \(found.phrase), not a folder", hint: "give the path of a folder")
        }
        guard checkEntries else { return }
        for name in entries(of: path) {
            let entry = kind(of: path + "/" + name)
            if entry != .regularFile && entry != .directory && entry != .missing {
                throw ToolError.usage("\(option) \(path): \(path)/\(name) is \(entry.phrase), not a file",
                                      hint: "a folder of inputs holds only files and folders; remove or replace \(name)")
            }
        }
    }

    /// An output file written atomically: not empty, not an existing directory, device, pipe
    /// or socket, not the same file as any of `inputs` (`-` entries are skipped), and its
    /// folder exists. A symbolic link is written through (the link is kept; see
    /// `AtomicFileWriter`).
    public static func requireOutputFile(_ path: String, option: String, inputs: [String] = []) throws {
        try requireNonEmpty(path, option: option)
        try requireWritableKind(path, option: option, label: "\(option) \(path)")
        try requireNotAnInput(path, label: "\(option) \(path) is", inputs: inputs, hint: "give another output path")
        let folder = parentFolder(of: path)
        if kind(of: folder) != .directory {
            throw ToolError.usage("\(option) \(path): the folder \(folder) does not exist", hint: "create it first")
        }
    }

    /// An output folder: not empty, not an existing non-directory, not one of `inputs` that
    /// is a folder; and, when it exists, each of the `files` a run writes in it is not a
    /// directory, device, pipe or socket and not the same file as one of `inputs`.
    public static func requireOutputDirectory(_ path: String, option: String, files: [String] = [], inputs: [String] = []) throws {
        try requireNonEmpty(path, option: option)
        let found = kind(of: path)
        guard found == .missing || found == .directory else {
            throw ToolError.usage("\(option) \(path): is \(found.phrase); an output folder is needed here",
                                  hint: "give the path of a folder (it is created when missing)")
        }
        guard found == .directory else { return }
        let folder = identity(of: path)
        for input in inputs where input != "-" && kind(of: input) == .directory && identity(of: input) == folder {
            throw ToolError.usage("\(option) \(path) is the input folder \(input); the outputs would be mixed into it",
                                  hint: "give another output folder")
        }
        for name in files {
            let file = path + "/" + name
            try requireWritableKind(file, option: option, label: "\(option) \(path): \(file)")
            try requireNotAnInput(file, label: "\(option) \(path): the run writes \(file), which is", inputs: inputs,
                                  hint: "give another output folder")
        }
    }

    /// Refuses an existing directory, device, pipe or socket at `path` (links followed).
    static func requireWritableKind(_ path: String, option: String, label: String) throws {
        let found = kind(of: path)
        switch found {
        case .missing, .regularFile: return
        default:
            throw ToolError.usage("\(label): is \(found.phrase); an output must be a file path",
                                  hint: found == .directory ? "name a file inside it, e.g. \(option) \(path)/NAME" : "give a file path")
        }
    }

    /// Refuses an existing `path` that is the same file as one of `inputs` (any spelling or link).
    static func requireNotAnInput(_ path: String, label: String, inputs: [String], hint: String) throws {
        guard kind(of: path) == .regularFile, let output = identity(of: path) else { return }
        for input in inputs where input != "-" && identity(of: input) == output {
            throw ToolError.usage("\(label) the same file as the input \(input); writing it would destroy the input", hint: hint)
        }
    }

    /// The names in `folder` (without `.` and `..`); empty when it cannot be read.
    static func entries(of folder: String) -> [String] {
        guard let stream = opendir(folder) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func requireNonEmpty(_ path: String, option: String) throws {
        if path.isEmpty { throw ToolError.usage("\(option) is an empty path", hint: "give a file or folder path after \(option)") }
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
