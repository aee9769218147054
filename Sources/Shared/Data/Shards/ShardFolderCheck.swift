// `lvis-prep verify`: checks a shard folder against itself. The manifest's structure first
// (ShardManifest.check), then every shard in full (record CRCs and fields, record count,
// size and file CRC as listed), then the manifest's counts and the image-id order against
// what the records hold. Nothing the manifest claims is taken on trust.
import SharedSupport

public struct ShardFolderCheck: Sendable {
    /// One line per problem, shards in list order first, then the folder-wide ones.
    public var problems: [String] = []
    public var shards = 0
    public var badShards = 0
    /// Records read from the shards that verified.
    public var records = 0

    /// Runs every check; throws only when the manifest itself cannot be used (unreadable,
    /// another version, a bad category table or shard list), since nothing else can be checked then.
    public static func run(directory: String, parallelism: Parallelism) throws -> ShardFolderCheck {
        let manifest = try ShardManifest.read(directory: directory)
        try manifest.check(directory: directory)
        let listed = manifest.shards
        let results = ResultSlots<Result<ShardContents, ToolError>>(count: listed.count)
        parallelism.forEachDynamic(listed.count) { entry in
            results.set(entry, Result { try checkShard(listed[entry], manifest: manifest, directory: directory) }
                .mapError { $0 as? ToolError ?? ToolError("\($0)", file: directory + "/" + listed[entry].file) })
        }
        var check = ShardFolderCheck()
        check.shards = listed.count
        var total = ShardCounts()
        var previous: (file: String, id: ImageID)?
        for entry in listed.indices {
            switch results.get(entry) {
            case .success(let contents)?:
                check.records += contents.imageIDs.count
                total.add(contents.counts)
                if let first = contents.imageIDs.first, let last = contents.imageIDs.last {
                    if let previous, first <= previous.id {
                        check.problems.append("\(directory)/\(listed[entry].file): record 0: image id \(first.rawValue) does not follow "
                                              + "image id \(previous.id.rawValue) of \(previous.file) (each image once, in id order)")
                    }
                    previous = (listed[entry].file, last)
                }
            case .failure(let error)?:
                check.badShards += 1
                check.problems.append(error.description)
            case nil:
                preconditionFailure("shard \(entry) was not checked")
            }
        }
        if check.badShards == 0 {
            let differences = total.differences(claimed: manifest.counts)
            if !differences.isEmpty {
                check.problems.append("\(directory)/\(ShardManifest.fileName): counts differ from the shards: "
                                      + differences.joined(separator: "; ") + "\n  hint: " + ShardManifest.regenerateHint)
            }
        }
        return check
    }

    /// One listed shard read in full and compared with its manifest entry.
    static func checkShard(_ shard: ShardFileSummary, manifest: ShardManifest, directory: String) throws -> ShardContents {
        let reader = try manifest.openShard(shard, directory: directory)
        let contents = try reader.scanContents()
        let checksum = reader.fileChecksum()
        guard checksum == shard.crc32 else {
            throw ToolError("file checksum \(hex(checksum)) differs from the manifest's \(hex(shard.crc32))", file: reader.path,
                            hint: ShardFormat.regenerateHint)
        }
        return contents
    }
}
