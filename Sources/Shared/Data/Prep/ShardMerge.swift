// `lvis-prep merge`: combines the shard summaries of a folder (one run, or the pieces of a
// job array) with prep-plan.json into manifest.json, after checking every unit is present.
import SharedSupport

public enum ShardMerge {
    /// Writes and returns the manifest. With `verify`, every shard's file CRC is checked.
    @discardableResult
    public static func merge(directory: String, verify: Bool) throws -> ShardManifest {
        let planPath = directory + "/" + PrepPlanFile.fileName
        let plan = try decodeJSON(PrepPlanFile.self, path: planPath,
                                  hint: "the folder was not made by `lvis-prep convert` (or the run did not start)")
        var counts = ShardCounts()
        var problems = plan.annotationProblems
        var shards: [ShardFileSummary] = []
        var missing: [Int] = []
        for unit in 0..<plan.unitCount {
            let summaryPath = directory + "/" + ShardFormat.summaryName(index: unit)
            guard readWholeFile(summaryPath) != nil else { missing.append(unit); continue }
            let summary = try decodeJSON(ShardUnitSummary.self, path: summaryPath, hint: ShardFormat.regenerateHint)
            if verify {
                let reader = try ShardReader(path: directory + "/" + summary.shard.file)
                guard reader.fileChecksum() == summary.shard.crc32 else {
                    throw ToolError("file checksum differs from its summary", file: directory + "/" + summary.shard.file,
                                    hint: ShardFormat.regenerateHint)
                }
            }
            counts.add(summary.counts)
            problems.merge(summary.problems)
            shards.append(summary.shard)
        }
        if !missing.isEmpty {
            let pieces = Set(missing.map { $0 % plan.settings.numPieces }).sorted()
            throw ToolError("\(missing.count) of \(plan.unitCount) shards are not done (first: \(ShardFormat.fileName(index: missing[0])))",
                            file: directory,
                            hint: "run `lvis-prep convert ... --num-shards \(plan.settings.numPieces) --shard-index I` for I in \(pieces.map(String.init).joined(separator: ", ")), then merge again")
        }
        let manifest = ShardManifest(split: plan.settings.split, sourceFormat: plan.sourceFormat, settings: plan.settings,
                                     counts: counts, categories: plan.categories, shards: shards, skipped: problems.counts)
        try manifest.write(to: directory)
        return manifest
    }
}
