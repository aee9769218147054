// The files `detect-train fit` reads and writes, checked before any work: the config is a
// file, the shards a folder without devices or pipes, and the output folder neither an input
// folder nor one where the checkpoint, config or log the run writes would replace an input.
import SharedDetection
import SharedSupport

extension FitCommand {
    /// What a fit writes into `--out`.
    static let outputFiles = [DetectorCheckpoint.fileName, "config.json", "log.jsonl"]

    func checkPaths() throws {
        try PathChecks.requireInputFile(config, option: "--config")
        try PathChecks.requireInputFolder(train, option: "--train", checkEntries: true)
        try PathChecks.requireOutputDirectory(out, option: "--out", files: Self.outputFiles, inputs: [config, train])
    }
}
