// The shard folders `inspect`, `stats`, `verify` and `merge` read (and `merge` writes a
// manifest into), and `stats --plot`, checked before any work: a folder that exists, holds no
// device or pipe, and an output that is neither a folder, a device nor the manifest it reads.
import SharedData
import SharedSupport

/// How messages name the positional shard-folder argument.
let shardFolderLabel = "the shard folder"

extension InspectCommand {
    func checkPaths() throws {
        for directory in directories { try PathChecks.requireInputFolder(directory, option: shardFolderLabel, checkEntries: true) }
    }
}

extension StatsCommand {
    func checkPaths() throws {
        try PathChecks.requireInputFolder(directory, option: shardFolderLabel, checkEntries: true)
        if let plot { try PathChecks.requireOutputFile(plot, option: "--plot", inputs: [directory + "/" + ShardManifest.fileName]) }
    }
}

extension VerifyCommand {
    func checkPaths() throws {
        try PathChecks.requireInputFolder(directory, option: shardFolderLabel, checkEntries: true)
    }
}

extension MergeCommand {
    func checkPaths() throws {
        try PathChecks.requireInputFolder(directory, option: shardFolderLabel, checkEntries: true)
        try PathChecks.requireOutputDirectory(directory, option: shardFolderLabel, files: [ShardManifest.fileName])
    }
}
