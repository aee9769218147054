// The image files `detect-train predict --images` reads, from what the user names: a folder
// (its .jpg/.jpeg/.png files, any case, sorted by name, not recursive), a text file of paths
// (one per line), the same text on standard input (`-`), or one JPEG or PNG file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SharedSupport

public enum ImageFileList {
    /// The extensions a folder's images are picked by (compared case-insensitively).
    public static let extensions: Set<String> = ["jpg", "jpeg", "png"]
    /// A list of paths on standard input or in a file is read whole, up to this many bytes
    /// (about a million paths of 256 bytes).
    public static let maxListBytes = 256 << 20

    /// The files `argument` names: `-` (paths on standard input), a folder, a JPEG or PNG
    /// file (itself), or a text file of paths. Paths in a list are taken as written: a
    /// relative one is relative to the current folder, like a path on the command line.
    /// Throws when the argument is missing (74), a device or pipe is named as the list (64),
    /// the list is not text or is too long (1), or nothing is listed (1).
    public static func resolve(_ argument: String, option: String = "--images") throws -> [String] {
        let paths: [String]
        if argument == "-" {
            paths = try parse(list: readStandardInput(option: option), source: "standard input")
        } else {
            switch PathChecks.kind(of: argument) {
            case .directory:
                paths = try folder(argument)
            case .regularFile:
                let bytes: [UInt8]
                switch readFile(argument, maxBytes: maxListBytes) {
                case .bytes(let read): bytes = read
                case .tooLarge(let size):
                    throw ToolError("the list is \(size) bytes, more than \(maxListBytes)", file: argument,
                                    hint: "split it, or give the images' folder")
                case .unavailable: throw ToolError.io("cannot be read", file: argument)
                }
                paths = bytes.withUnsafeBytes { ImageFileFormat.detect($0) } != nil
                    ? [argument] : try parse(list: bytes, source: argument)
            case .missing:
                throw ToolError.io("no such file or folder", file: argument, hint: "check the path given to \(option)")
            case let other:
                throw ToolError.usage("\(option) \(argument): is \(other.phrase)",
                                      hint: "give a folder of images, a text file of image paths (one per line) or `-` for standard input")
            }
        }
        guard !paths.isEmpty else {
            let what = argument == "-" ? "standard input lists no image" : PathChecks.kind(of: argument) == .directory
                ? "the folder holds no .jpg, .jpeg or .png file (subfolders are not searched)" : "the list names no image"
            throw ToolError(what, file: argument == "-" ? "<stdin>" : argument,
                            hint: "give a folder of JPEG/PNG photos or a list of their paths, e.g. find DIR -name '*.jpg' | ... --images -")
        }
        return paths
    }

    /// The images directly inside `folder`: entries whose extension is jpg, jpeg or png in any
    /// case and that are not hidden (a leading `.`, like macOS's `._NAME.jpg`), sorted by the
    /// bytes of their names (as `LC_ALL=C ls`). Subfolders are not entered. What an entry is
    /// (a file, a broken link) is found when it is read.
    public static func folder(_ folder: String) throws -> [String] {
        guard let stream = opendir(folder) else {
            throw ToolError.io("cannot list the folder: \(String(cString: strerror(errno)))", file: folder)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard !name.hasPrefix("."), hasImageExtension(name), PathChecks.kind(of: folder + "/" + name) != .directory else { continue }
            names.append(name)
        }
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return names.map { prefix + $0 }
    }

    /// Whether `name` ends in .jpg, .jpeg or .png (any case).
    public static func hasImageExtension(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// The paths of a list: one per line (LF or CRLF), taken as written otherwise; lines that
    /// are empty or only spaces and tabs are skipped. Not UTF-8, or a NUL byte: an error
    /// naming the line.
    public static func parse(list bytes: [UInt8], source: String) throws -> [String] {
        var paths: [String] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            guard !line.contains(0), let path = String(validating: line, as: UTF8.self) else {
                throw ToolError("line \(lineNumber) is not a path (a NUL byte, or not UTF-8 text)", file: source,
                                hint: "give a text file with one image path per line")
            }
            paths.append(path)
        }
        return paths
    }

    /// Standard input, read whole (at most `maxListBytes`).
    static func readStandardInput(option: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ToolError.io("cannot read: \(String(cString: strerror(errno)))", file: "<stdin>")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maxListBytes {
                throw ToolError("the list of paths on standard input is more than \(maxListBytes) bytes", file: "<stdin>",
                                hint: "split it into several runs")
            }
        }
        return bytes
    }
}
