// Target "shard": a whole shard file as the training loader opens it (`ShardReader`:
// mmap, header, trailer, index, per-record checksums), every record read and loaded into
// a batch. Mutated files mostly fail their checksums; "shard-record" reaches past them.
import SharedData

extension FuzzTarget {
    /// "shard": the bytes as one shard file.
    static func shardFile() -> FuzzTarget {
        let file = ScratchFile(label: "shard")
        return FuzzTarget(name: "shard", summary: "ShardReader(path:): structure, index, checksums, then every record decoded and batched",
                          maxLength: 16384) { bytes in
            file.write(bytes)
            return Refusal.outcome(file: file.path, imageErrors: true) {
                let reader = try ShardReader(path: file.path)
                _ = reader.fileChecksum()
                for index in 0..<reader.count {
                    try ShardRecordUse.load(try reader.record(at: index))
                }
                return .accepted
            }
        }
    }
}
