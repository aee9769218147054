// The files `loce-finetune fit` reads and writes, checked before any work: config and
// stage-1 checkpoint are files, the shards a folder without devices or pipes, and the output
// folder neither an input folder nor one where the checkpoint, config or log the run writes
// would replace an input (`--from OUT/checkpoint.safetensors` would be overwritten).
import SharedDetection
import SharedSupport

extension FitCommand {
    /// What a fine-tuning writes into `--out`.
    static let outputFiles = [DetectorCheckpoint.fileName, "config.json", "log.jsonl"]

    func checkPaths() throws {
        try PathChecks.requireInputFile(config, option: "--config")
        // With --resume the weights come from OUT/checkpoint.safetensors; --from is not read.
        if !resume { try PathChecks.requireInputFile(base, option: "--from") }
        try PathChecks.requireInputFolder(train, option: "--train", checkEntries: true)
        try PathChecks.requireOutputDirectory(out, option: "--out", files: Self.outputFiles,
                                              inputs: [config, train] + (resume ? [] : [base]))
    }
}
