// The checks every reader of manifest.json runs before it opens a shard (fit, predict,
// inspect, verify): format and version, settings that bound the stored images, a category
// table with index = row, and a shard list of distinct plain file names inside the folder
// whose record counts add up to the image count.
#if canImport(Glibc)
import Glibc
#endif
import SharedSupport

extension ShardManifest {
    /// Throws a `ToolError` naming manifest.json (or the shard file) for the first problem.
    public func check(directory: String) throws {
        let path = directory + "/" + Self.fileName
        try checkVersion(path: path)
        _ = try settings.checkImageLimits(file: path)
        try checkCategoryTable(path: path)
        try checkShardList(directory: directory)
        try checkCountShapes(path: path)
    }

    /// Opens the shard listed at `shard` (structure checked, class indices checked against the
    /// category table and image sizes against the settings' limits as records are read) and
    /// compares its record count and size with the list.
    public func openShard(_ shard: ShardFileSummary, directory: String) throws -> ShardReader {
        let reader = try ShardReader(path: directory + "/" + shard.file, categoryCount: categories.count,
                                     imageLimit: settings.storedImageLimit)
        guard reader.count == shard.records, reader.byteCount == shard.bytes else {
            throw ToolError("holds \(reader.count) records in \(reader.byteCount) bytes, the manifest says \(shard.records) in \(shard.bytes)",
                            file: reader.path, hint: ShardFormat.regenerateHint)
        }
        return reader
    }

    func checkVersion(path: String) throws {
        guard format == Self.formatName else {
            throw ToolError("format \"\(format)\" is not \(Self.formatName)", file: path, hint: Self.regenerateHint)
        }
        guard version == Int(ShardFormat.version) else {
            let age = version < Int(ShardFormat.version) ? "made by an older lvis-prep" : "made by a newer lvis-prep"
            throw ToolError("shard format version \(version) (\(age)); this lvis-prep reads version \(ShardFormat.version)",
                            file: path, hint: ShardFormat.reconvertHint)
        }
    }

    /// Row i has index i (the class index a model uses), ids are distinct, counts are not negative.
    func checkCategoryTable(path: String) throws {
        var seen: [Int: Int] = [:]
        for (row, category) in categories.enumerated() {
            let record = "categories[\(row)]"
            guard category.index == row else {
                throw ToolError("index \(category.index), expected \(row) (the table is sorted by index, 0-based)", file: path,
                                record: record, hint: Self.regenerateHint)
            }
            if let earlier = seen.updateValue(row, forKey: category.id) {
                throw ToolError("category id \(category.id) is also in categories[\(earlier)]", file: path, record: record,
                                hint: Self.regenerateHint)
            }
            guard category.imageCount >= 0, category.instanceCount >= 0 else {
                throw ToolError("negative image or instance count", file: path, record: record, hint: Self.regenerateHint)
            }
            guard FrequencyGroup(rawValue: category.frequency) != nil else {
                throw ToolError("frequency \"\(category.frequency)\" is not r, c or f", file: path, record: record, hint: Self.regenerateHint)
            }
        }
    }

    /// Distinct plain file names that stay inside `directory` (a link out of it is refused),
    /// record counts and sizes not negative, adding up to `counts.images`.
    func checkShardList(directory: String) throws {
        let path = directory + "/" + Self.fileName
        var seen: [String: Int] = [:]
        var records = 0
        for (entry, shard) in shards.enumerated() {
            let record = "shards[\(entry)]"
            guard Self.isPlainFileName(shard.file) else {
                throw ToolError("\"\(shard.file)\" is not a file name inside the folder (no \"/\", \"..\" or absolute path)",
                                file: path, record: record, hint: Self.regenerateHint)
            }
            if let earlier = seen.updateValue(entry, forKey: shard.file) {
                throw ToolError("\(shard.file) is listed twice (shards[\(earlier)] and shards[\(entry)])", file: path, record: record,
                                hint: Self.regenerateHint)
            }
            guard shard.records >= 0, shard.bytes >= 0 else {
                throw ToolError("negative record count or size for \(shard.file)", file: path, record: record, hint: Self.regenerateHint)
            }
            try Self.requireInside(directory: directory, name: shard.file)
            let (sum, overflow) = records.addingReportingOverflow(shard.records)
            guard !overflow else { throw ToolError("the shards' record counts overflow", file: path, record: record, hint: Self.regenerateHint) }
            records = sum
        }
        guard records == counts.images else {
            throw ToolError("counts.images is \(counts.images), the shard list holds \(records) records", file: path,
                            hint: Self.regenerateHint)
        }
    }

    /// Per-class count vectors no longer than the category table, no count negative.
    func checkCountShapes(path: String) throws {
        let scalars = [counts.images, counts.instances, counts.polygonInstances, counts.rleInstances, counts.crowdInstances,
                       counts.noMaskInstances]
        for (name, vector) in [("instancesPerClass", counts.instancesPerClass), ("imagesPerClass", counts.imagesPerClass)] {
            guard vector.count <= categories.count else {
                throw ToolError("counts.\(name) has \(vector.count) entries for \(categories.count) categories", file: path,
                                hint: Self.regenerateHint)
            }
        }
        guard (scalars + counts.instancesPerClass + counts.imagesPerClass).allSatisfy({ $0 >= 0 }) else {
            throw ToolError("a count is negative", file: path, hint: Self.regenerateHint)
        }
    }

    /// A name for a file directly inside a folder: not empty, no "/" or NUL, not "." or "..".
    public static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.utf8.contains(0)
    }

    /// Refuses `name` when it exists as a link that resolves outside `directory`.
    public static func requireInside(directory: String, name: String) throws {
        guard let folder = resolvedPath(directory), let file = resolvedPath(directory + "/" + name) else { return }
        let parent = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        guard parent == folder || (folder == "/" && parent.isEmpty) else {
            throw ToolError("links to \(file), outside the shard folder", file: directory + "/" + name,
                            hint: "keep the shard files inside the folder (copy them, do not link them from elsewhere)")
        }
    }

    /// realpath(3), or nil when the path does not exist.
    static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
