// Names that say which process made a temporary file or folder (`PREFIX HOST-PID`), so that
// what a run killed before it could clean up (SIGKILL, the OOM killer, a power cut) is found
// and removed by the next run on the same host, and a live run's work is never touched.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

public enum ProcessOwnedNames {
    /// This machine's name, part of every owned name so that a folder shared between hosts
    /// (NFS, a cluster's scratch) never has another host's entry taken for an abandoned one.
    public static let hostName: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let text = String(cString: name)
        return text.isEmpty || text.contains("/") ? "localhost" : text
    }()

    /// `PREFIX` + "HOST-" : the part of an owned name before the process id.
    public static func hostPrefix(_ prefix: String) -> String { prefix + hostName + "-" }

    /// The name this process owns: `PREFIX` + "HOST-PID".
    public static func own(_ prefix: String) -> String { hostPrefix(prefix) + "\(getpid())" }

    /// Removes the entries of `folder` named `PREFIX HOST-PID` (files, or folders with all they
    /// hold) whose process no longer exists on this host. Another live process's entry and
    /// this process's own are kept. Errors are ignored: this is tidying, not work.
    /// `hostQualified: false` matches `PREFIX PID` instead (names without a host, as older
    /// versions made them).
    public static func removeAbandoned(in folder: String, prefix: String, hostQualified: Bool = true) {
        let ownedPrefix = hostQualified ? hostPrefix(prefix) : prefix
        guard let stream = opendir(folder) else { return }
        var abandoned: [String] = []
        let own = getpid()
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard name.hasPrefix(ownedPrefix), let pid = pid_t(name.dropFirst(ownedPrefix.count)), pid > 0, pid != own else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { abandoned.append(name) }
        }
        closedir(stream)
        for name in abandoned { removeEntry(folder + "/" + name) }
    }

    /// Removes a file, or a folder and everything in it (links are removed, not followed).
    public static func removeEntry(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            try? FileManager.default.removeItem(atPath: path)
        } else {
            unlink(path)
        }
    }
}
