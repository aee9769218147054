// `lvis-prep merge`: combines the shard summaries of a folder (one run, or the pieces of a
// job array) with prep-plan.json into manifest.json, after checking every unit is present and
// every summary against its shard: the summaries are claims, the shards are the facts.
import Foundation
import SharedSupport

public enum ShardMerge {
    /// Writes and returns the manifest. Each unit's summary must name its own shard file, and
    /// its record count, size, counts and skipped images must match what the shard holds (read
    /// in full: CRCs, fields, class indices); image ids must increase across units. With
    /// `verify`, every shard's whole-file CRC is compared with its summary too.
    @discardableResult
    public static func merge(directory: String, verify: Bool) throws -> ShardManifest {
        let planPath = directory + "/" + PrepPlanFile.fileName
        let plan = try decodeJSON(PrepPlanFile.self, path: planPath,
                                  hint: "the folder was not made by `lvis-prep convert` (or the run did not start)")
        try check(plan, path: planPath)
        let imageLimit = try plan.settings.checkImageLimits(file: planPath)
        try requireAllUnits(of: plan, directory: directory)
        var counts = ShardCounts()
        var problems = plan.annotationProblems
        var shards: [ShardFileSummary] = []
        var previous: (file: String, id: ImageID)?
        for unit in 0..<plan.unitCount {
            let summaryPath = directory + "/" + ShardFormat.summaryName(index: unit)
            let summary = try decodeJSON(ShardUnitSummary.self, path: summaryPath, hint: ShardFormat.regenerateHint)
            let contents = try checkUnit(summary, unit: unit, unitImages: plan.imageCount(ofUnit: unit), directory: directory,
                                         categoryCount: plan.categories.count, imageLimit: imageLimit, fileChecksum: verify)
            if let first = contents.imageIDs.first, let last = contents.imageIDs.last {
                if let previous, first <= previous.id {
                    throw ToolError("image id \(first.rawValue) does not follow image id \(previous.id.rawValue) of \(previous.file) "
                                    + "(each image once, in id order)", file: directory + "/" + summary.shard.file, record: "record 0",
                                    hint: ShardFormat.regenerateHint)
                }
                previous = (summary.shard.file, last)
            }
            counts.add(contents.counts)
            problems.merge(summary.problems)
            shards.append(summary.shard)
        }
        let manifest = ShardManifest(split: plan.settings.split, sourceFormat: plan.sourceFormat, settings: plan.settings,
                                     counts: counts, categories: plan.categories, shards: shards, skipped: problems.counts)
        try manifest.check(directory: directory)
        try manifest.write(to: directory)
        return manifest
    }

    /// Checks unit `unit`'s summary against its shard (merge, and convert's re-run deciding
    /// what to keep): the file is `shard-<unit>.bin`; its records read in full (CRCs, fields,
    /// class indices below `categoryCount`, image sizes within `imageLimit`, ids increasing)
    /// give the summary's record count, size and counts; records + skipped images =
    /// `unitImages`. Returns what the shard holds.
    public static func checkUnit(_ summary: ShardUnitSummary, unit: Int, unitImages: Int, directory: String, categoryCount: Int,
                                 imageLimit: StoredImageLimit?, fileChecksum: Bool) throws -> ShardContents {
        let summaryPath = directory + "/" + ShardFormat.summaryName(index: unit)
        let expected = ShardFormat.fileName(index: unit)
        guard summary.shard.file == expected else {
            throw ToolError("names the shard \"\(summary.shard.file)\", expected \(expected)", file: summaryPath,
                            hint: ShardFormat.regenerateHint)
        }
        try ShardManifest.requireInside(directory: directory, name: expected)
        let reader = try ShardReader(path: directory + "/" + expected, categoryCount: categoryCount, imageLimit: imageLimit)
        guard reader.count == summary.shard.records, reader.byteCount == summary.shard.bytes else {
            throw ToolError("\(expected) holds \(reader.count) records in \(reader.byteCount) bytes, the summary says "
                            + "\(summary.shard.records) in \(summary.shard.bytes)", file: summaryPath, hint: ShardFormat.regenerateHint)
        }
        let skipped = try skippedImages(summary.problems, path: summaryPath)
        guard skipped <= unitImages, reader.count == unitImages - skipped else {
            throw ToolError("\(reader.count) records and \(skipped) skipped images, the unit has \(unitImages) images", file: summaryPath,
                            hint: ShardFormat.regenerateHint)
        }
        let contents = try reader.scanContents()
        let differences = contents.counts.differences(claimed: summary.counts)
        guard differences.isEmpty else {
            throw ToolError("counts differ from \(expected): " + differences.joined(separator: "; "), file: summaryPath,
                            hint: ShardFormat.regenerateHint)
        }
        if fileChecksum {
            let checksum = reader.fileChecksum()
            guard checksum == summary.shard.crc32 else {
                throw ToolError("file checksum \(hex(checksum)) differs from its summary's \(hex(summary.shard.crc32))", file: reader.path,
                                hint: ShardFormat.regenerateHint)
            }
        }
        return contents
    }

    /// The images a summary says were skipped (one problem each), every count a known kind,
    /// not negative, the sum without overflow.
    static func skippedImages(_ problems: ProblemLog, path: String) throws -> Int {
        var total = 0
        for (kind, count) in problems.counts.sorted(by: { $0.key < $1.key }) {
            guard ProblemKind(rawValue: kind) != nil, count >= 0 else {
                throw ToolError("skipped-image count \"\(kind)\": \(count) is not a known kind with a count >= 0", file: path,
                                hint: ShardFormat.regenerateHint)
            }
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else { throw ToolError("skipped-image counts overflow", file: path, hint: ShardFormat.regenerateHint) }
            total = sum
        }
        return total
    }

    /// prep-plan.json is consistent: positive records per shard and pieces, unit count =
    /// ceil(images / records per shard), annotation problem counts of known kinds and >= 0.
    static func check(_ plan: PrepPlanFile, path: String) throws {
        let perShard = plan.settings.recordsPerShard
        guard perShard >= 1, plan.settings.numPieces >= 1, plan.imageCount >= 0 else {
            throw ToolError("records per shard \(perShard), pieces \(plan.settings.numPieces) and images \(plan.imageCount) must be positive",
                            file: path, hint: "re-run the `lvis-prep convert` command to rewrite it")
        }
        let units = plan.imageCount / perShard + (plan.imageCount % perShard == 0 ? 0 : 1)
        guard plan.unitCount == units else {
            throw ToolError("unit count \(plan.unitCount), but \(plan.imageCount) images in units of \(perShard) make \(units)", file: path,
                            hint: "re-run the `lvis-prep convert` command to rewrite it")
        }
        // Image-level problems are at most one per image, so the plan's counts bound the sum.
        let annotationProblems = try skippedImages(plan.annotationProblems, path: path)
        guard !annotationProblems.addingReportingOverflow(plan.imageCount).overflow else {
            throw ToolError("problem counts overflow", file: path, hint: "re-run the `lvis-prep convert` command to rewrite it")
        }
    }

    /// Refuses a folder where some unit has no summary yet, naming the pieces to re-run. The
    /// folder is listed once, so a plan claiming a huge unit count costs no more than the files.
    static func requireAllUnits(of plan: PrepPlanFile, directory: String) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let present = Set(names.compactMap { unitNumber(ofSummary: $0) }.filter { $0 < plan.unitCount })
        let missingCount = plan.unitCount - present.count
        guard missingCount > 0 else { return }
        var missing: [Int] = []
        var unit = 0
        while unit < plan.unitCount && missing.count < 64 {
            if !present.contains(unit) { missing.append(unit) }
            unit += 1
        }
        let pieces = Set(missing.map { $0 % plan.settings.numPieces }).sorted().map(String.init).joined(separator: ", ")
        throw ToolError("\(missingCount) of \(plan.unitCount) shards are not done (first: \(ShardFormat.fileName(index: missing[0])))",
                        file: directory,
                        hint: "run `lvis-prep convert ... --num-shards \(plan.settings.numPieces) --shard-index I` for I in \(pieces)"
                            + (missingCount > missing.count ? " (and the pieces of the later missing units)" : "") + ", then merge again")
    }

    /// u for "shard-<u>.json" written as `ShardFormat.summaryName(index: u)`, else nil.
    static func unitNumber(ofSummary name: String) -> Int? {
        guard name.hasPrefix("shard-"), name.hasSuffix(".json") else { return nil }
        let digits = name.dropFirst(6).dropLast(5)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let unit = Int(digits),
              ShardFormat.summaryName(index: unit) == name else { return nil }
        return unit
    }
}

extension PrepPlanFile {
    /// Images of unit `unit` (the last one may be short); the plan is checked (`ShardMerge.check`).
    func imageCount(ofUnit unit: Int) -> Int {
        let perShard = settings.recordsPerShard
        return min(perShard, imageCount - unit * perShard)
    }
}
