// What `inspect` and `stats` report about a shard folder, computed from its manifest: counts
// per split and per frequency group, and the long-tail histogram (PNG) coloured by group.
// The manifest and each shard's structure are checked first (records are `verify`'s job).
import SharedSupport

public struct GroupSummary: Equatable, Sendable {
    public var group: FrequencyGroup
    public var categories = 0
    public var categoriesWithInstances = 0
    public var instances = 0
}

public struct ShardInspection: Sendable {
    public let directory: String
    public let manifest: ShardManifest
    public let groups: [GroupSummary]

    /// Reads and checks the manifest, and opens every shard (header, trailer and index; record
    /// count and size as listed), so an old or damaged folder is refused, not summarised.
    public static func open(directory: String) throws -> ShardInspection {
        let manifest = try ShardManifest.read(directory: directory)
        try manifest.check(directory: directory)
        for shard in manifest.shards {
            _ = try manifest.openShard(shard, directory: directory)
        }
        return ShardInspection(directory: directory, manifest: manifest)
    }

    public init(directory: String, manifest: ShardManifest) {
        self.directory = directory
        self.manifest = manifest
        var groups = [FrequencyGroup.rare, .common, .frequent].map { GroupSummary(group: $0) }
        for category in manifest.categories {
            let slot = [FrequencyGroup.rare, .common, .frequent].firstIndex(of: category.group) ?? 2
            let instances = manifest.counts.instancesPerClass.indices.contains(category.index) ? manifest.counts.instancesPerClass[category.index] : 0
            groups[slot].categories += 1
            groups[slot].instances += instances
            if instances > 0 { groups[slot].categoriesWithInstances += 1 }
        }
        self.groups = groups
    }

    public var text: String {
        let c = manifest.counts
        var lines = ["\(directory) (split \(manifest.split), \(manifest.sourceFormat)): \(c.images) images, \(c.instances) instances (\(c.polygonInstances) polygon, \(c.rleInstances) RLE, \(c.crowdInstances) crowd), \(manifest.categories.count) categories, \(manifest.shards.count) shards"]
        lines.append("  group     categories  with-instances  instances")
        for group in groups {
            let name = group.group == .rare ? "rare" : (group.group == .common ? "common" : "frequent")
            lines.append("  " + pad(name, 10) + pad(String(group.categories), 12, left: true) + pad(String(group.categoriesWithInstances), 16, left: true)
                         + pad(String(group.instances), 11, left: true))
        }
        if !manifest.skipped.isEmpty {
            lines.append("  skipped: " + manifest.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    public func writeJSON(_ json: inout JSONWriter) {
        let c = manifest.counts
        json.beginObject()
        json.key("directory"); json.value(directory)
        json.key("split"); json.value(manifest.split)
        json.key("sourceFormat"); json.value(manifest.sourceFormat)
        json.key("images"); json.value(c.images)
        json.key("instances"); json.value(c.instances)
        json.key("polygonInstances"); json.value(c.polygonInstances)
        json.key("rleInstances"); json.value(c.rleInstances)
        json.key("crowdInstances"); json.value(c.crowdInstances)
        json.key("categories"); json.value(manifest.categories.count)
        json.key("shards"); json.value(manifest.shards.count)
        json.key("groups"); json.beginObject()
        for group in groups {
            json.key(group.group.rawValue); json.beginObject()
            json.key("categories"); json.value(group.categories)
            json.key("categoriesWithInstances"); json.value(group.categoriesWithInstances)
            json.key("instances"); json.value(group.instances)
            json.endObject()
        }
        json.endObject()
        json.key("skipped"); json.beginObject()
        for (kind, count) in manifest.skipped.sorted(by: { $0.key < $1.key }) { json.key(kind); json.value(count) }
        json.endObject()
        json.endObject()
    }

    /// Instances per category, sorted descending, as bars coloured by group on a log scale.
    public func longTailPlot(width: Int = 900, height: Int = 420) -> Canvas {
        let bars = manifest.categories.map { category in
            LongTailHistogram.Bar(count: manifest.counts.instancesPerClass.indices.contains(category.index) ? manifest.counts.instancesPerClass[category.index] : 0,
                                  group: category.group)
        }
        return LongTailHistogram(bars: bars, title: "instances per category (log), \(manifest.split), \(bars.count) categories sorted by count")
            .render(width: width, height: height)
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? fill + text : text + fill
    }
}
