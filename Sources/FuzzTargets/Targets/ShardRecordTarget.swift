// Target "shard-record": one record payload (the bytes a shard's checksum covers), decoded
// by `ShardRecord.decode` and loaded into a batch: the record decoder without the CRC that
// keeps mutations of whole shard files from reaching it.
import SharedData

extension FuzzTarget {
    /// "shard-record": the bytes as one record payload.
    static func shardRecord() -> FuzzTarget {
        FuzzTarget(name: "shard-record", summary: "ShardRecord.decode(payload) then the loader's decode, geometry and batch",
                   maxLength: 8192) { bytes in
            Refusal.outcome(file: "record.shard", imageErrors: true) {
                try ShardRecordUse.load(try ShardRecord.decode(bytes, file: "record.shard", index: 0))
                return .accepted
            }
        }
    }
}
