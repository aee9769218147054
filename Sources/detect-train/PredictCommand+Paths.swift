// The files `predict` and `merge-predictions` read and write, checked before any work: the
// checkpoint and the pieces are regular files, the shards a folder without devices or pipes,
// and `--out` neither a folder, a device, nor the checkpoint, a piece or a shard-folder file;
// with `--images`, `--out`, `--id-map` and the `--draw` pictures none of the input files.
import Foundation
import SharedData
import SharedSupport

extension PredictCommand {
    func checkPaths(data: String) throws {
        try PathChecks.requireInputFile(checkpoint, option: "--checkpoint")
        try PathChecks.requireInputFolder(data, option: "--data", checkEntries: true)
        if let out, out != "-" {
            try PathChecks.requireOutputFile(out, option: "--out", inputs: [checkpoint] + Self.shardFolderFiles(data))
        }
    }

    /// The manifest, plan, shards and shard summaries in `folder` (what `lvis-prep convert` writes).
    static func shardFolderFiles(_ folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0 == ShardManifest.fileName || $0 == PrepPlanFile.fileName || $0.hasPrefix("shard-") }
            .map { folder + "/" + $0 }
    }
}

extension MergePredictionsCommand {
    func checkPaths() throws {
        // Missing pieces are all named together by the run (with what to re-run).
        for part in parts where PathChecks.kind(of: part) != .missing || part.isEmpty {
            try PathChecks.requireInputFile(part, option: "PART.json")
        }
        if let out, out != "-" { try PathChecks.requireOutputFile(out, option: "--out", inputs: parts) }
    }
}
