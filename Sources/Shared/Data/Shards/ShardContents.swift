// What a full read of a shard finds, as opposed to what a manifest or a summary claims:
// the counts of its records and their image ids, and the words for where a claim differs.
import SharedSupport

/// The counts and image ids (in record order) of one shard, from its records.
public struct ShardContents: Equatable, Sendable {
    public var counts = ShardCounts()
    public var imageIDs: [ImageID] = []
}

extension ShardReader {
    /// Reads every record (CRC, fields, class indices) and counts them. Image ids must
    /// increase strictly (convert writes images in id order), so a record cannot appear twice.
    public func scanContents() throws -> ShardContents {
        precondition(categoryCount != nil, "counting needs the category table's size (class indices are checked against it)")
        var contents = ShardContents()
        contents.imageIDs.reserveCapacity(count)
        try forEach { index, record in
            if let previous = contents.imageIDs.last, record.imageID <= previous {
                throw ToolError("image id \(record.imageID.rawValue) does not follow \(previous.rawValue) (records are in image-id order, each once)",
                                file: path, record: "record \(index)", hint: ShardFormat.regenerateHint)
            }
            contents.imageIDs.append(record.imageID)
            contents.counts.add(record)
        }
        return contents
    }
}

extension ShardCounts {
    /// Where `claimed` (a manifest's or summary's counts) differs from `self` (counted from
    /// the shards): "images: 123456 claimed, 6 in the shards", at most `limit` lines.
    public func differences(claimed: ShardCounts, limit: Int = 5) -> [String] {
        var lines: [String] = []
        func compare(_ name: String, _ claim: Int, _ actual: Int) {
            if claim != actual { lines.append("\(name): \(claim) claimed, \(actual) in the shards") }
        }
        compare("images", claimed.images, images)
        compare("instances", claimed.instances, instances)
        compare("polygonInstances", claimed.polygonInstances, polygonInstances)
        compare("rleInstances", claimed.rleInstances, rleInstances)
        compare("crowdInstances", claimed.crowdInstances, crowdInstances)
        compare("noMaskInstances", claimed.noMaskInstances, noMaskInstances)
        for (name, claim, actual) in [("instancesPerClass", claimed.instancesPerClass, instancesPerClass),
                                      ("imagesPerClass", claimed.imagesPerClass, imagesPerClass)] {
            for index in 0..<max(claim.count, actual.count) {
                compare("\(name)[\(index)]", index < claim.count ? claim[index] : 0, index < actual.count ? actual[index] : 0)
            }
            if claim.count != actual.count {
                lines.append("\(name) has \(claim.count) entries, the shards give \(actual.count)")
            }
        }
        return Array(lines.prefix(limit))
    }
}
