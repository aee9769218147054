// A whole shard folder as one indexed collection: manifest.json plus its shard files, with
// record i (global, in image-id order) -> (shard, local index). What the training data
// loader reads: `example(at:)` gives decoded RGB pixels and the annotations.
import SharedSupport

public final class ShardDataset: @unchecked Sendable {
    public let directory: String
    public let manifest: ShardManifest
    public let readers: [ShardReader]
    /// Global index of each shard's first record, plus the total at the end.
    private let starts: [Int]

    /// Opens the folder and every shard: the manifest checked (`ShardManifest.check`: version,
    /// category table, distinct file names inside the folder), each shard's structure and its
    /// record count and size against the manifest. Records are checked as they are read.
    public init(directory: String) throws {
        self.directory = directory
        manifest = try ShardManifest.read(directory: directory)
        try manifest.check(directory: directory)
        var readers: [ShardReader] = []
        var starts = [0]
        for shard in manifest.shards {
            let reader = try manifest.openShard(shard, directory: directory)
            readers.append(reader)
            starts.append(starts[starts.count - 1] + reader.count)
        }
        self.readers = readers
        self.starts = starts
    }

    public var count: Int { starts[starts.count - 1] }
    public var categories: [ShardCategory] { manifest.categories }

    /// (shard, local index) of global record `index`.
    public func location(of index: Int) -> (shard: Int, local: Int) {
        precondition(index >= 0 && index < count, "record \(index) outside 0..<\(count)")
        var low = 0, high = readers.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= index { low = middle } else { high = middle - 1 }
        }
        return (low, index - starts[low])
    }

    public func record(at index: Int) throws -> ShardRecord {
        let (shard, local) = location(of: index)
        return try readers[shard].record(at: local)
    }

    /// The record's pixels (decoded RGB, stored size) and the record itself.
    public func example(at index: Int) throws -> (image: RGBImage, record: ShardRecord) {
        let record = try record(at: index)
        do {
            return (try record.decodeImage(), record)
        } catch let error as ImageDecodeError {
            let (shard, local) = location(of: index)
            throw ToolError("stored image does not decode: \(error.message)", file: readers[shard].path,
                            record: "record \(local)", hint: ShardFormat.regenerateHint)
        }
    }

    /// For each class index, the global indices of the records holding at least one
    /// non-crowd instance of it, ascending (one scan; e.g. for filling per-class feature
    /// memories or class-aware sampling).
    public func recordsPerClass() throws -> [[Int]] {
        var lists = [[Int]](repeating: [], count: manifest.categories.count)
        try forEach { index, record in
            var seen = Set<Int>()
            for instance in record.instances where !instance.isCrowd && seen.insert(instance.classIndex.rawValue).inserted {
                guard instance.classIndex.rawValue < lists.count else {
                    throw ToolError("class index \(instance.classIndex) outside the manifest's \(lists.count) categories",
                                    file: directory, record: "record \(index)", hint: ShardFormat.regenerateHint)
                }
                lists[instance.classIndex.rawValue].append(index)
            }
        }
        return lists
    }

    /// Every record in order.
    public func forEach(_ body: (Int, ShardRecord) throws -> Void) throws {
        var global = 0
        for reader in readers {
            try reader.forEach { _, record in
                try body(global, record)
                global += 1
            }
        }
    }
}
